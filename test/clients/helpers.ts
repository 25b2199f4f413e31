/** Checks shared by the scale-out tests: exact-merge and key-coverage assertions on results files. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { expect } from 'vitest';
import { decodeHdrBase64, emptyHdrHistogram } from '../../harness/histogram.js';
import type { ResultsFile } from '../../harness/results.js';
import { readResults } from '../../harness/results.js';
import { openEngine } from '../../engines/registry.js';
import { loadWorkload } from '../../harness/workload.js';
import { KeyNamer } from '../../workloads/keyname.js';

/** hdr-histogram-js's tag of an untagged interval line. */
const NO_TAG = 'NO TAG';

/** Every bucket count of `h` (index → count, non-zero only). */
export function buckets(h: hdr.Histogram): Map<number, number> {
  const js = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number };
  const out = new Map<number, number>();
  for (let i = 0; i < js.countsArrayLength; i++) {
    const c = js.getCountAtIndex(i);
    if (c !== 0) out.set(i, c);
  }
  return out;
}

/** The bucket-by-bucket sum of compressed histograms. */
export function sumOf(b64s: readonly string[]): hdr.Histogram {
  const h = emptyHdrHistogram();
  for (const b of b64s) h.add(decodeHdrBase64(b));
  return h;
}

/**
 * The merged run phase of a scale-out results file must be the exact sum of its clients:
 * operation count, overall histogram bucket by bucket, per-op counts. Returns the trial.
 */
export function expectExactMerge(r: ResultsFile, clients: number, phase: 'load' | 'run' = 'run') {
  expect(r.harness.clients?.count).toBe(clients);
  const t = r.phases.find((p) => p.phase === phase)!.trials[0]!;
  expect(t.clients).toHaveLength(clients);
  const cs = t.clients!;
  expect(t.operations).toBe(cs.reduce((a, c) => a + c.operations, 0));
  expect(buckets(decodeHdrBase64(t.overall.latency.hdrBase64))).toEqual(buckets(sumOf(cs.map((c) => c.latency.hdrBase64))));
  expect(t.overall.latency.count).toBe(t.operations);
  expect(Object.values(t.ops).reduce((a, o) => a + o!.count + o!.failures, 0)).toBe(t.operations);
  // the merged time series covers every operation
  expect(t.intervals.reduce((a, p) => a + p.operations, 0)).toBe(t.operations);
  return t;
}

/** Reads an interval log beside `out`: per tag (untagged = ''), the total count of its histograms. */
export function hlogCounts(out: string, hlog: string): Map<string, number> {
  const text = fs.readFileSync(path.join(path.dirname(out), hlog), 'utf8');
  const reader = new hdr.HistogramLogReader(text, 64);
  const by = new Map<string, number>();
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    const tag = h.tag === NO_TAG ? '' : h.tag;
    by.set(tag, (by.get(tag) ?? 0) + h.totalCount);
  }
  return by;
}

/** Reads a results file written by the CLI. */
export const results = (file: string) => readResults(file);

/**
 * Asserts the store in `dir` (opened with `spec`) holds exactly the workload's `recordcount`
 * records, each loaded key present: with an ordered scan the whole store is listed and compared.
 */
export async function expectEveryKeyOnce(spec: string, dir: string, props: Record<string, string>): Promise<void> {
  const w = loadWorkload(['a'], props);
  const namer = new KeyNamer(w.config.zeropadding, w.config.hashedKeys);
  const want = new Set<string>();
  for (let k = 0; k < w.config.recordcount; k++) want.add(Buffer.from(namer.write(k)).toString('latin1'));
  const e = await openEngine(spec, { dir });
  try {
    if (!('scan' in e) || !e.info.capabilities.orderedScan) throw new Error(`${spec} has no ordered scan to list the store`);
    const got = (await e.scan(Buffer.from([0]), w.config.recordcount + 10)).map(([k]) => Buffer.from(k).toString('latin1'));
    expect(got.length).toBe(w.config.recordcount);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((k) => !want.has(k))).toEqual([]);
  } finally {
    await e.close();
  }
}
