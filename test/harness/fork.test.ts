/**
 * Forked trials (harness/fork.ts): every trial of every engine in its own fresh process, trials
 * interleaved across engines (A B, A B), merged into one results file per pair with the same
 * shape as an in-process run; an async engine without --threads runs at its best rung of the ladder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../harness/results.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from './helpers.js';

const small = ['-p', 'recordcount=200', '-p', 'operationcount=300', '--no-report', '-q'];

describe('forked trials', () => {
  it('matrix runs each trial in a fresh process, interleaved across engines, and merges them', async () => {
    const out = path.join(tmpDir(), 'm');
    const res = await cli(['matrix', '--engines', 'map,hashlog', '--workloads', 'c', '--trials', '3', '--out', out, ...small, '--no-harness-cost']);
    expect(res.code, res.err).toBe(0);
    const a = readResults(path.join(out, 'map__workloadc.json'));
    const b = readResults(path.join(out, 'hashlog__workloadc.json'));
    for (const r of [a, b]) {
      expect(r.harness.forked).toBe(true);
      expect(r.harness.trials).toBe(3);
      for (const p of r.phases) {
        expect(p.trials.map((t) => t.trial)).toEqual([0, 1, 2]);
        expect(p.summary.throughput.n).toBe(3);
        expect(p.summary.throughput.ci95).not.toBeNull();
      }
    }
    const run = (r: typeof a) => r.phases.find((p) => p.phase === 'run')!.trials;
    const pids = [...run(a), ...run(b)].map((t) => t.pid);
    expect(new Set(pids).size).toBe(6); // six processes
    expect(pids).not.toContain(process.pid);
    // interleaved: map's trial 1 starts after hashlog's trial 0, hashlog's trial 1 after map's trial 1
    const at = (t: { startedAt: string }) => Date.parse(t.startedAt);
    expect(at(run(a)[1]!)).toBeGreaterThanOrEqual(at(run(b)[0]!));
    expect(at(run(b)[1]!)).toBeGreaterThanOrEqual(at(run(a)[1]!));
    // the machine's load is recorded around every trial
    for (const t of run(a)) expect(t.machine?.before.loadavg1).toBeGreaterThanOrEqual(0);
  });

  it('--no-fork runs the trials in this process, engine after engine', async () => {
    const out = path.join(tmpDir(), 'n');
    const res = await cli(['matrix', '--engines', 'map', '--workloads', 'c', '--trials', '2', '--no-fork', '--out', out, ...small, '--no-harness-cost']);
    expect(res.code, res.err).toBe(0);
    const r = readResults(path.join(out, 'map__workloadc.json'));
    expect(r.harness.forked).toBeUndefined();
    expect(r.phases[1]!.trials.map((t) => t.pid)).toEqual([process.pid, process.pid]);
  });

  it('an async engine without --threads is driven at its best of the ladder 1, 4, 16, recorded', async () => {
    const out = path.join(tmpDir(), 'l');
    const res = await cli(['matrix', '--engines', 'classic-level', '--workloads', 'c', '--trials', '1', '--out', out, ...small]);
    expect(res.code, res.err).toBe(0);
    const r = readResults(path.join(out, 'classic-level__workloadc.json'));
    const chosen = r.harness.threadsChosen!;
    expect(chosen.by).toBe('ladder');
    expect(chosen.ladder.map((l) => l.threads)).toEqual([1, 4, 16]);
    const best = chosen.ladder.reduce((x, y) => (y.throughput > x.throughput ? y : x));
    expect(r.harness.threads).toBe(best.threads);
    // its harness cost is the async loop's at that many in flight
    expect(r.harnessCost).toMatchObject({ loop: 'async', threads: best.threads });
    // and the binding's own bare loop at the same threads, measured in the same run
    expect(r.bindingFloor).toMatchObject({ threads: best.threads });
    expect(r.bindingFloor!.putNsPerOp).toBeGreaterThan(0);
    expect(r.bindingFloor!.getNsPerOp).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(out, 'data'))).toBe(false);
  });

  it('kvlab run --trials 2 forks each trial on the same store', async () => {
    const dir = tmpDir();
    const gen = ['-P', 'c', '-p', 'recordcount=200', '-p', 'operationcount=300', '--no-harness-cost', '-q'];
    expect((await cli(['load', ...gen, '--engine', 'hashlog', '--dir', path.join(dir, 's')])).code).toBe(0);
    const res = await cli(['run', ...gen, '--engine', 'hashlog', '--dir', path.join(dir, 's'), '--trials', '2', '--out', path.join(dir, 'r.json')]);
    expect(res.code, res.err).toBe(0);
    const r = readResults(path.join(dir, 'r.json'));
    expect(r.harness.forked).toBe(true);
    const t = r.phases[0]!.trials;
    expect(t[0]!.pid).not.toBe(t[1]!.pid);
    expect(t.every((x) => x.ops.READ!.notFound === 0)).toBe(true); // both found the loaded store
  });
});
