/**
 * bench/harness-loops: the harness's own cost per operation for every loop it drives engines
 * with (harness/harness-cost.ts: sync, open sync, async at 1/4/16 in flight, open async), each
 * the best of `--repeats` runs of `--ops` null-engine operations, `--trials` times in this
 * process; the median over trials is printed. With KVLAB_BEFORE_DIST=<dist of an older build>
 * the same loops of that build run too, side by side (the before/after of a harness change;
 * loops the older build cannot run print n/a).
 *
 * Run: `npx tsc -p . ; ../shared/tools/quiet -- node dist/bench/harness-loops.js [--ops N]
 * [--repeats R] [--trials T] [--out FILE.json]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentManifest } from '../harness/environment.js';
import { measureHarnessCost } from '../harness/harness-cost.js';
import type { LoopKind } from '../harness/results.js';
import { median } from '../harness/stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const OPS = arg('ops', 200_000);
const REPEATS = arg('repeats', 3);
const TRIALS = arg('trials', 3);
const outIdx = process.argv.indexOf('--out');
const OUT = outIdx >= 0 ? process.argv[outIdx + 1]! : 'bench/results/harness-loops.json';

const LOOPS: Array<[LoopKind, number]> = [['sync', 1], ['open-sync', 1], ['async', 1], ['async', 4], ['async', 16], ['open-async', 1]];

type Measure = (loop: LoopKind, threads: number) => Promise<number | null>;

const after: Measure = async (loop, threads) => (await measureHarnessCost(OPS, REPEATS, loop, threads)).nsPerOp;

/** The same loops in an older build: its sync harness cost, and its async loop around the null engine. */
async function beforeOf(dist: string): Promise<Measure> {
  const hc = (await import(path.resolve(dist, 'harness/harness-cost.js'))) as { measureHarnessCost: (o: number, r: number, ...rest: unknown[]) => Promise<{ nsPerOp: number; loop?: string }> };
  const drv = (await import(path.resolve(dist, 'harness/driver.js'))) as { runAsyncLoop: (e: unknown, s: unknown) => Promise<{ durationMs: number; operations: number }> };
  const eng = (await import(path.resolve(dist, 'harness/engines.js'))) as { openAny: (s: string, o: unknown) => Promise<{ get(k: Uint8Array): unknown; put(k: Uint8Array, v: Uint8Array): void; scan(k: Uint8Array, n: number): unknown; close(): void; info: object }> };
  const wl = (await import(path.resolve(dist, 'harness/workload.js'))) as { loadWorkload: (f: string[], o: Record<string, string>) => unknown; workloadStreams: (w: unknown, s: number) => { source: unknown; codec: unknown } };
  return async (loop, threads) => {
    if (loop === 'sync') {
      const r = await hc.measureHarnessCost(OPS, REPEATS);
      return r.loop === undefined || r.loop === 'sync' ? r.nsPerOp : null;
    }
    if (loop !== 'async') return null;
    const e = await eng.openAny('null', { dir: '', durability: 'none' });
    const view = { info: { ...e.info, kind: 'async' }, get: async (k: Uint8Array) => e.get(k), put: async (k: Uint8Array, v: Uint8Array) => e.put(k, v), scan: async (k: Uint8Array, n: number) => e.scan(k, n) };
    const w = wl.loadWorkload(['c'], { recordcount: '100000', operationcount: String(OPS), valuemode: 'raw' });
    let best = Infinity;
    for (let r = 0; r < REPEATS; r++) {
      const { source, codec } = wl.workloadStreams(w, 1 + r);
      const res = await drv.runAsyncLoop(view, { phase: 'run', source, codec, limit: OPS, maxExecutionMs: 0, targetOpsPerSec: null, intervalMs: 1000, verify: false, readBeforeUpdate: false, threads });
      best = Math.min(best, (res.durationMs * 1e6) / res.operations);
    }
    e.close();
    return best;
  };
}

const beforeDist = process.env.KVLAB_BEFORE_DIST;
const before = beforeDist ? await beforeOf(beforeDist) : null;
const rows: Array<{ loop: LoopKind; threads: number; after: number[]; before: Array<number | null> }> = LOOPS.map(([loop, threads]) => ({ loop, threads, after: [], before: [] }));
for (let t = 0; t < TRIALS; t++)
  for (const r of rows) {
    // side by side, alternating, so a drift of the machine lands on both
    if (before) r.before.push(await before(r.loop, r.threads));
    r.after.push((await after(r.loop, r.threads))!);
  }
const fmt = (xs: Array<number | null>): string => (xs.length === 0 || xs.some((x) => x === null) ? 'n/a' : `${median(xs as number[]).toFixed(0)} ns`);
process.stdout.write(`harness cost per loop: null engine, workload C, best of ${REPEATS} × ${OPS} ops per measurement, median of ${TRIALS} trials\n\n`);
process.stdout.write(`| loop | in flight |${before ? ' before |' : ''} after |\n|---|---|${before ? '---|' : ''}---|\n`);
for (const r of rows) process.stdout.write(`| ${r.loop} | ${r.threads} |${before ? ` ${fmt(r.before)} |` : ''} ${fmt(r.after)} |\n`);
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify({ bench: 'harness-loops', date: new Date().toISOString(), ops: OPS, repeats: REPEATS, trials: TRIALS, before: beforeDist ?? null, rows, environment: environmentManifest('.', 0) }, null, 1) + '\n');
