/**
 * Replaying Twitter traces: exactly the trace's operations run (per type), deletes and unknown
 * operations counted not executed, the preload puts every key once, and recorded timing
 * schedules each op at its (spread, speed-scaled) timestamp: the schedule is asserted, not
 * wall-clock speed (the only clock check is a lower bound the loop guarantees: it never starts
 * an op before its intended time).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../harness/runner.js';
import type { TraceReplaySettings } from '../../harness/trace-source.js';
import { TwitterReplay, type TraceOperation } from '../../workloads/traces/replay.js';
import { newOperation } from '../../workloads/operation.js';
import { twitterWorkload } from '../../cli/commands/trace.js';
import { tmpDir } from '../support/tmp.js';
import { naiveCounts, READ_OPS, sample, sum, WRITE_OPS } from './helpers.js';

const slot = (): TraceOperation => ({ ...newOperation(), valueLength: -1, atMs: NaN });

async function replay(engine: string, file: string, s: Partial<TraceReplaySettings> = {}, phases: Array<'load' | 'run'> = ['run']) {
  const traceReplay: TraceReplaySettings = { format: 'twitter', formatDetected: false, timing: 'fast', speed: 1, preload: 'none', unknownOps: 'error', ...s };
  return runBenchmark({
    command: 'run', argv: [], engine, dir: path.join(tmpDir(), 'store'), freshDir: false, durability: 'none', workload: twitterWorkload(file),
    seed: 1, phases, trials: 1, threads: 1, targetOpsPerSec: null, warmupOps: 0, intervalMs: 1000, status: 'off',
    harnessCost: null, matrix: null, trace: file, traceReplay,
  });
}

describe('Twitter trace replay', () => {
  it('map: executes exactly the trace\'s reads and writes; deletes are counted, not run', async () => {
    const f = sample('twitter-theta0.9');
    const n = naiveCounts(f);
    const r = await replay('map', f);
    const run = r.phases.find((p) => p.phase === 'run')!.trials[0]!;
    const reads = sum(n.ops, READ_OPS);
    const writes = sum(n.ops, WRITE_OPS);
    expect(run.stoppedBy).toBe('trace-end');
    expect(run.operations).toBe(reads + writes);
    expect(run.ops.READ!.count).toBe(reads);
    expect(run.ops.INSERT!.count).toBe(writes);
    expect(Object.keys(run.ops).sort()).toEqual(['INSERT', 'READ']);
    const t = r.workload.traceReplay!;
    expect(t).toMatchObject({ format: 'twitter', timing: 'fast', preload: 'none', requests: n.lines.length, executed: { READ: reads, INSERT: writes }, skipped: { delete: n.ops.delete }, lastAtMs: null });
    expect(t.byTraceOp).toEqual(n.ops);
    // every write put exactly its value size: user bytes written = Σ (key + value size) over writes
    const bytes = n.lines.filter((c) => WRITE_OPS.includes(c[5]!)).reduce((a, c) => a + c[1]!.length + Number(c[3]), 0);
    expect(run.userBytes.written).toBe(bytes);
  });

  it('hashlog with preload first-write: every key loaded once, so no read misses', async () => {
    const f = sample('twitter-theta1.1');
    const n = naiveCounts(f);
    const r = await replay('hashlog', f, { preload: 'first-write' }, ['load', 'run']);
    const load = r.phases.find((p) => p.phase === 'load')!.trials[0]!;
    const run = r.phases.find((p) => p.phase === 'run')!.trials[0]!;
    expect(load.operations).toBe(n.keys.size);
    expect(r.workload.traceReplay!.preloaded).toBe(n.keys.size);
    expect(run.ops.READ!.count).toBe(sum(n.ops, READ_OPS));
    expect(run.ops.READ!.notFound).toBe(0);
    // without the preload the cache starts empty: reads before a key's first write miss
    const cold = await replay('hashlog', f);
    expect(cold.phases.find((p) => p.phase === 'run')!.trials[0]!.ops.READ!.notFound).toBeGreaterThan(0);
  });

  it('unknown operations: skipped only when asked, and counted in the results', async () => {
    const f = path.join(tmpDir(), 'u.csv');
    fs.writeFileSync(f, '0,a,1,10,1,set,0\n0,a,1,0,1,touch,0\n1,a,1,0,1,get,0\n');
    await expect(replay('map', f)).rejects.toThrow(/u\.csv:2: unknown operation 'touch'/);
    const r = await replay('map', f, { unknownOps: 'skip' });
    expect(r.workload.traceReplay).toMatchObject({ requests: 2, executed: { READ: 1, INSERT: 1 }, skipped: { 'unknown:touch': 1 } });
  });

  it("a key over the engine's limit (btree: 497 bytes) fails the replay with TOO_LARGE naming the line (never truncated, never a per-op failure count)", async () => {
    const f = path.join(tmpDir(), 'long.csv');
    fs.writeFileSync(f, `0,a,1,10,1,set,0\n0,${'k'.repeat(600)},600,0,1,get,0\n`);
    await expect(replay('btree', f)).rejects.toMatchObject({ code: 'TOO_LARGE', message: expect.stringMatching(/long\.csv:2: key of 600 bytes is over the engine's limit of 497/) });
  });

  it("recorded timing: a second's ops spread evenly over it, divided by the speed", () => {
    const f = path.join(tmpDir(), 's.csv');
    // second 10: 4 ops (one a delete, not scheduled); second 11: none; second 12: 2 ops
    fs.writeFileSync(f, '10,a,1,5,1,set,0\n10,b,1,0,1,get,0\n10,c,1,0,1,delete,0\n10,d,1,0,1,get,0\n12,a,1,0,1,get,0\n12,b,1,7,1,add,0\n');
    const r = new TwitterReplay(f, { timing: 'recorded', speed: 2, unknownOps: 'error', preload: 'none', seed: 1 });
    const op = slot();
    const got: Array<[string, string, number, number]> = [];
    while (r.nextRun(op)) got.push([op.type, op.key.toString('latin1'), op.valueLength, op.atMs]);
    r.close();
    // the trace starts at its first timestamp (10 s): second 10 → 0, 1/3, 2/3 s; second 12 → 2, 2.5 s; all ÷ 2
    expect(got).toEqual([
      ['INSERT', 'a', 5, 0], ['READ', 'b', -1, 1000 / 3 / 2], ['READ', 'd', -1, 2000 / 3 / 2],
      ['READ', 'a', -1, 1000], ['INSERT', 'b', 7, 1250],
    ]);
  });

  it('recorded timing of a sample: the schedule spans duration / speed, and the open loop keeps it', async () => {
    const f = sample('twitter-theta0.9'); // 12,000 requests at 200/s: seconds 0..59
    const r = new TwitterReplay(f, { timing: 'recorded', speed: 4, unknownOps: 'error', preload: 'none', seed: 1 });
    const op = slot();
    const perSecond = new Map<number, number[]>();
    let prev = -1;
    while (r.nextRun(op)) {
      expect(op.atMs).toBeGreaterThanOrEqual(prev);
      prev = op.atMs;
      const s = Math.floor((op.atMs * 4) / 1000 + 1e-9);
      (perSecond.get(s) ?? perSecond.set(s, []).get(s)!).push(op.atMs);
    }
    r.close();
    expect([...perSecond.keys()]).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const [s, at] of perSecond) {
      const k = at.length;
      at.forEach((t, i) => expect(t).toBeCloseTo(((s + i / k) * 1000) / 4, 6)); // evenly spread within its second
    }
    expect(prev).toBeCloseTo(((59 + (perSecond.get(59)!.length - 1) / perSecond.get(59)!.length) * 1000) / 4, 6);
    // through the harness at speed 60 (the 60 s trace in ~1 s): the open loop waits for each op's
    // intended start, so the run lasts at least the last op's schedule; intended latency is recorded
    const res = await replay('map', f, { timing: 'recorded', speed: 60 });
    const run = res.phases[0]!.trials[0]!;
    const last = res.workload.traceReplay!.lastAtMs!;
    expect(last).toBeCloseTo(((59 + 194 / 195) * 1000) / 60, 0);
    expect(run.durationMs).toBeGreaterThanOrEqual(last);
    expect(run.ops.READ!.intendedLatency).not.toBeNull();
    expect(run.ops.READ!.intendedLatency!.count).toBe(run.ops.READ!.count);
  });
});
