/** The results JSON: a real file validates and round-trips; broken ones fail with the JSON path. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { decodeHistogram } from '../../harness/histogram.js';
import type { ResultsFile } from '../../harness/results.js';
import { readResults, validateResults, writeResults } from '../../harness/results.js';
import { tmpDir } from '../support/tmp.js';
import { smallBench } from './helpers.js';

let good: ResultsFile;
beforeAll(async () => {
  good = await smallBench('map', tmpDir());
});

const clone = (): Record<string, any> => JSON.parse(JSON.stringify(good)); // eslint-disable-line @typescript-eslint/no-explicit-any

function codeAndMessage(f: () => unknown): [string, string] {
  try {
    f();
  } catch (e) {
    if (isKvError(e)) return [e.code, e.message];
    return ['non-KvError', String(e)];
  }
  return ['no error', ''];
}

describe('results validation', () => {
  it('accepts a file the runner produced and round-trips it through disk', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'sub', 'r.json');
    writeResults(file, good);
    const back = readResults(file);
    expect(back).toEqual(JSON.parse(JSON.stringify(good)));
    expect(back.schemaVersion).toBe(1);
    expect(back.phases.map((p) => p.phase)).toEqual(['load', 'run']);
  });

  it('stores full HDR histograms whose counts match the op counts', () => {
    const run = good.phases[1]!.trials[0]!;
    let total = 0;
    for (const r of Object.values(run.ops)) {
      const h = decodeHistogram(r!.latency);
      expect(h.totalCount).toBe(r!.count);
      expect(h.getValueAtPercentile(99)).toBe(r!.latency.percentiles.p99);
      total += r!.count + r!.failures;
    }
    expect(total).toBe(run.operations);
    expect(run.operations).toBe(600);
  });

  const bad: Array<[string, (d: Record<string, any>) => void, string, RegExp]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['missing engine label', (d) => delete d.engine.label, 'INVALID_ARGUMENT', /engine\.label: expected string, got missing/],
    ['negative throughput', (d) => (d.phases[1].trials[0].throughput = -1), 'INVALID_ARGUMENT', /phases\[1\]\.trials\[0\]\.throughput/],
    ['bad durability', (d) => (d.engine.durability = 'maybe'), 'INVALID_ARGUMENT', /engine\.durability: expected one of none\|group\|always/],
    ['unknown op type', (d) => (d.phases[1].trials[0].ops.FROB = d.phases[1].trials[0].ops.READ), 'INVALID_ARGUMENT', /ops\.FROB/],
    ['histogram count != op count', (d) => (d.phases[1].trials[0].ops.READ.count += 1), 'INVALID_ARGUMENT', /ops\.READ\.latency\.count/],
    ['not base64', (d) => (d.phases[0].trials[0].overall.latency.hdrBase64 = 'not base64!'), 'INVALID_ARGUMENT', /hdrBase64/],
    ['no phases and not notApplicable', (d) => (d.phases = []), 'INVALID_ARGUMENT', /phases: expected at least one phase/],
    ['phases with notApplicable', (d) => (d.notApplicable = { reason: 'x', capability: null }), 'INVALID_ARGUMENT', /no phases when notApplicable/],
    ['ci95 missing with 2 trials', (d) => {
      const s = d.phases[1].summary.throughput;
      s.n = 2;
      s.values = [1, 2];
    }, 'INVALID_ARGUMENT', /summary\.throughput\.ci95/],
    ['wrong kind', (d) => (d.kind = 'other'), 'INVALID_ARGUMENT', /kind/],
    ['future schema version', (d) => (d.schemaVersion = 2), 'NOT_SUPPORTED', /schemaVersion 2/],
  ];
  for (const [name, mutate, code, re] of bad) {
    it(`rejects ${name}`, () => {
      const d = clone();
      mutate(d);
      const [c, m] = codeAndMessage(() => validateResults(d, 'x.json'));
      expect(c).toBe(code);
      expect(m).toMatch(re);
      expect(m).toContain('x.json');
    });
  }

  it('refuses to write an invalid document and leaves no file', () => {
    const dir = tmpDir();
    const d = clone();
    delete d.environment;
    expect(codeAndMessage(() => writeResults(path.join(dir, 'r.json'), d as ResultsFile))[0]).toBe('INVALID_ARGUMENT');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reading a missing file is NOT_FOUND, a non-JSON file INVALID_ARGUMENT', () => {
    const dir = tmpDir();
    expect(codeAndMessage(() => readResults(path.join(dir, 'none.json')))[0]).toBe('NOT_FOUND');
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"schemaVersion": 1,');
    const [c, m] = codeAndMessage(() => readResults(path.join(dir, 'bad.json')));
    expect(c).toBe('INVALID_ARGUMENT');
    expect(m).toMatch(/not JSON/);
  });
});
