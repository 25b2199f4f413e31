/**
 * No run waits forever: an operation that does not complete within --op-timeout ends the run
 * with one line naming the engine, the operation and what it waited for, and what was measured
 * until then is kept, marked partial. Driven by the stall instruments (engines/reference/stall.ts):
 * `stall` (an async engine whose promise never settles) and `stall-sync` (a call that never returns).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import type { AsyncEngine } from '../../engines/engine.js';
import { runAsyncLoop } from '../../harness/driver.js';
import { readResults } from '../../harness/results.js';
import { workloadStreams, loadWorkload } from '../../harness/workload.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from './helpers.js';

const CLI = path.resolve('dist/cli/main.js');

describe('--op-timeout', () => {
  it('the async loop stops at an op whose promise never settles and returns what it measured', async () => {
    const e = (await openEngine('stall:after=40', { dir: tmpDir(), durability: 'none' })) as AsyncEngine;
    const w = loadWorkload(['c'], { recordcount: '10', operationcount: '1000' });
    const { source, codec } = workloadStreams(w, 1);
    const t0 = Date.now();
    const r = await runAsyncLoop(e, {
      phase: 'run', source, codec, limit: 1000, maxExecutionMs: 0, targetOpsPerSec: null, intervalMs: 1000,
      verify: false, readBeforeUpdate: true, threads: 4, opTimeoutMs: 150,
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.stoppedBy).toBe('timeout');
    expect(r.operations).toBe(39); // every op from the 40th on never settles: 39 completed
    expect(r.timedOut).toMatchObject({ op: 'READ', boundMs: 150, waitingFor: "the engine's promise to settle" });
    expect(r.timedOut!.index).toBeGreaterThanOrEqual(40); // one of the 4 ops in flight, 40..43
    expect(r.timedOut!.index).toBeLessThanOrEqual(43);
    expect(r.timedOut!.key).toMatch(/^user\d+$/);
    expect(r.timedOut!.waitedMs).toBeGreaterThan(150);
  });

  it('kvlab run on a never-answering async engine: exit 1, one line, partial results written', async () => {
    const out = path.join(tmpDir(), 'r.json');
    const r = await cli(['run', '-P', 'workloads/workloadc', '-p', 'recordcount=10', '-p', 'operationcount=2000', '--engine', 'stall:after=500',
      '--op-timeout', '0.2', '-q', '--no-harness-cost', '--out', out]);
    expect(r.code).toBe(1);
    const last = r.err.trim().split('\n').pop()!;
    expect(last).toMatch(/^kvlab: TIMEOUT: stall:after=500 run: READ of key 'user\d+' \(operation 500 of the phase\) has not completed after 0\.\d s \(--op-timeout 0\.2 s\): waiting for the engine's promise to settle/);
    const res = readResults(out);
    expect(res.partial?.code).toBe('TIMEOUT');
    expect(res.harness.opTimeoutMs).toBe(200);
    const tr = res.phases[0]!.trials[0]!;
    expect(tr.stoppedBy).toBe('timeout');
    expect(tr.operations).toBe(499);
    expect(tr.ops.READ!.count).toBe(499);
  });

  it('a synchronous call that never returns: the watchdog ends the process with one line naming it', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '-P', 'workloads/workloadc', '-p', 'recordcount=10', '-p', 'operationcount=5000',
      '--engine', 'stall-sync:after=300', '--op-timeout', '0.3', '-q', '--no-harness-cost'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stderr.trim()).toMatch(/^kvlab: TIMEOUT: stall-sync:after=300 run: READ \(operation 300 of the phase\) has not returned after 0\.\d s \(--op-timeout 0\.3 s\): waiting for the synchronous engine call to return/);
  });

  it('forked: a sync timeout is a one-line TIMEOUT, exit 1 (the parent reports it)', () => {
    const out = path.join(tmpDir(), 'r.json');
    const r = spawnSync(process.execPath, [CLI, 'run', '-P', 'workloads/workloadc', '-p', 'recordcount=10', '-p', 'operationcount=5000',
      '--engine', 'stall-sync:after=300', '--op-timeout', '0.3', '-q', '--no-harness-cost', '--trials', '2', '--out', out], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kvlab: TIMEOUT: stall-sync:after=300 run: READ \(operation 300/);
    expect(fs.existsSync(out)).toBe(false); // no trial finished: nothing to keep
  });

  it('bad values are one-line usage errors', async () => {
    for (const v of ['-1', 'x', '']) {
      const r = await cli(['run', '-P', 'workloads/workloadc', '--engine', 'map', `--op-timeout=${v}`]);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toMatch(/^kvlab: --op-timeout must be a number of seconds >= 0/);
    }
  });

  it('0 means no bound; the default (60 s) is recorded', async () => {
    const out = path.join(tmpDir(), 'r.json');
    const r = await cli(['run', '-P', 'workloads/workloadc', '-p', 'recordcount=10', '-p', 'operationcount=100', '--engine', 'map', '-q', '--no-harness-cost', '--out', out]);
    expect(r.code).toBe(0);
    expect(readResults(out).harness.opTimeoutMs).toBe(60_000);
    expect(readResults(out).partial).toBeUndefined();
  });
});
