/**
 * End to end: load + run through the runner and the CLI against map, lmdb, sqlite and the async
 * classic-level, producing valid results files; `kvlab load` then `kvlab run` share one store;
 * trials in fresh directories; a not-applicable pair is recorded as such.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../harness/results.js';
import { tmpDir } from '../support/tmp.js';
import { cli, smallBench } from './helpers.js';

describe('end to end', () => {
  for (const engine of ['map', 'lmdb', 'sqlite', 'classic-level']) {
    it(`${engine}: load then run workload A gives a complete, valid result`, async () => {
      const r = await smallBench(engine, path.join(tmpDir(), 'store'), { threads: 3 });
      expect(r.engine.name).toBe(engine);
      expect(r.notApplicable).toBeNull();
      const [load, run] = r.phases;
      expect(load!.trials[0]!.ops.INSERT!.count).toBe(300);
      expect(load!.trials[0]!.stoppedBy).toBe('recordcount');
      const t = run!.trials[0]!;
      expect(t.operations).toBe(600);
      expect(t.stoppedBy).toBe('operationcount');
      expect(t.ops.READ!.count + t.ops.UPDATE!.count).toBe(600);
      expect(t.ops.READ!.notFound).toBe(0); // every key was loaded
      expect(t.ops.READ!.failures + t.ops.UPDATE!.failures).toBe(0);
      expect(t.userBytes.read).toBeGreaterThan(0);
      expect(t.intervals.reduce((a, p) => a + p.operations, 0)).toBe(600);
      expect(r.harness.threads).toBe(engine === 'classic-level' ? 3 : 1);
      if (engine !== 'map') {
        expect(t.dirBytes.after).toBeGreaterThan(0);
        expect(t.amplification.space).toBeGreaterThan(0);
      }
    });
  }

  it('kvlab load then kvlab run work on the same lmdb store and write valid files', async () => {
    const dir = tmpDir();
    const store = path.join(dir, 'store');
    const common = ['-P', 'workloads/workloadc', '-p', 'recordcount=200', '-p', 'operationcount=400', '--engine', 'lmdb', '--dir', store, '--no-harness-cost', '-q'];
    const l = await cli(['load', ...common, '--out', path.join(dir, 'load.json')]);
    expect(l.code).toBe(0);
    expect(l.out).toContain('[INSERT], Operations, 200');
    const r = await cli(['run', ...common, '--out', path.join(dir, 'run.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[READ\], Return=OK, 400/);
    const run = readResults(path.join(dir, 'run.json'));
    expect(run.run.command).toBe('run');
    expect(run.phases.map((p) => p.phase)).toEqual(['run']);
    expect(run.phases[0]!.trials[0]!.ops.READ!.notFound).toBe(0);
    expect(run.environment.filesystem.type).not.toBe('');
    expect(readResults(path.join(dir, 'load.json')).phases[0]!.phase).toBe('load');
  });

  it('trials repeat load+run in fresh directories and report median and CI', async () => {
    const r = await smallBench('lmdb', path.join(tmpDir(), 's'), { trials: 3, props: { recordcount: '100', operationcount: '100' } });
    for (const p of r.phases) {
      expect(p.trials.length).toBe(3);
      expect(p.summary.throughput.n).toBe(3);
      expect(p.summary.throughput.ci95).not.toBeNull();
    }
    // fresh store per trial: every trial inserts the same 100 keys into an empty store
    expect(r.phases[0]!.trials.map((t) => t.engineStats.after.liveKeys)).toEqual([100, 100, 100]);
  });

  it('workload E on an engine without ordered scans is recorded as not applicable', async () => {
    const r = await smallBench('hashlog', path.join(tmpDir(), 'h'), { workload: 'e' });
    expect(r.notApplicable).toMatchObject({ capability: 'orderedScan' });
    expect(r.phases).toEqual([]);
  });

  it('matrix writes one results file per pair, including the not-applicable one', async () => {
    const out = path.join(tmpDir(), 'm');
    const res = await cli(['matrix', '--engines', 'map,hashlog', '--workloads', 'c,e', '-p', 'recordcount=100', '-p', 'operationcount=100', '--out', out, '--no-harness-cost', '--no-report', '-q']);
    expect(res.code).toBe(0);
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(['hashlog__workloadc.json', 'hashlog__workloade.json', 'map__workloadc.json', 'map__workloade.json']);
    const na = readResults(path.join(out, 'hashlog__workloade.json'));
    expect(na.notApplicable).not.toBeNull();
    expect(na.run.matrix!.engines).toEqual(['map', 'hashlog']);
    const scan = readResults(path.join(out, 'map__workloade.json'));
    expect(scan.phases[1]!.trials[0]!.ops.SCAN!.count).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(out, 'data'))).toBe(false);
  });

  it('a recorded run-phase trace replays the same operations against another engine', async () => {
    const dir = tmpDir();
    const base = ['--no-harness-cost', '-q'];
    const gen = ['-P', 'd', '-p', 'recordcount=300', '-p', 'operationcount=500'];
    expect((await cli(['load', ...gen, '--engine', 'lmdb', '--dir', path.join(dir, 'a'), ...base])).code).toBe(0);
    const rec = await cli(['run', ...gen, '--engine', 'lmdb', '--dir', path.join(dir, 'a'), '--record-trace', path.join(dir, 't.trace'), '--out', path.join(dir, 'a.json'), ...base]);
    expect(rec.code).toBe(0);
    expect((await cli(['load', '--trace', path.join(dir, 't.trace'), '--engine', 'sqlite', '--dir', path.join(dir, 'b'), ...base])).code).toBe(0);
    const rep = await cli(['run', '--trace', path.join(dir, 't.trace'), '--engine', 'sqlite', '--dir', path.join(dir, 'b'), '--out', path.join(dir, 'b.json'), ...base]);
    expect(rep.code).toBe(0);
    const a = readResults(path.join(dir, 'a.json')).phases[0]!.trials[0]!;
    const b = readResults(path.join(dir, 'b.json')).phases[0]!.trials[0]!;
    expect(b.stoppedBy).toBe('trace-end');
    expect(b.operations).toBe(500);
    for (const t of ['READ', 'INSERT'] as const) expect(b.ops[t]!.count).toBe(a.ops[t]!.count);
    expect(b.ops.READ!.notFound).toBe(0);
    expect(readResults(path.join(dir, 'b.json')).workload.trace).toBe(path.join(dir, 't.trace'));
  });

  it('--trace with -P is a usage error', async () => {
    const r = await cli(['run', '--trace', 'x.trace', '-P', 'a', '--engine', 'map']);
    expect(r.code).toBe(2);
  });

  it('batched generation keeps YCSB acknowledgement order: workload D never reads an unacknowledged key', async () => {
    const r = await smallBench('map', path.join(tmpDir(), 'd'), { workload: 'd', props: { recordcount: '200', operationcount: '3000' } });
    const t = r.phases[1]!.trials[0]!;
    expect(t.ops.INSERT!.count).toBeGreaterThan(50);
    expect(t.ops.READ!.notFound).toBe(0);
    expect(t.ops.READ!.failures).toBe(0);
  });

  it('with dataintegrity every read value verifies (keys and values stay matched through the batches)', async () => {
    for (const engine of ['map', 'classic-level']) {
      const r = await smallBench(engine, path.join(tmpDir(), 'v'), { threads: 4, props: { dataintegrity: 'true', operationcount: '1500' } });
      const t = r.phases[1]!.trials[0]!;
      expect(t.ops.READ!.failureCodes).toEqual({});
      expect(t.ops.READ!.count).toBeGreaterThan(0);
      expect(t.ops.UPDATE!.failures).toBe(0);
    }
  });

  it('a value that does not match the workload fails verification (VERIFY), it is not counted as a success', async () => {
    const dir = tmpDir();
    const base = ['-P', 'c', '-p', 'recordcount=100', '-p', 'operationcount=200', '-p', 'dataintegrity=true', '--engine', 'lmdb', '--dir', path.join(dir, 's'), '--no-harness-cost', '-q'];
    expect((await cli(['load', ...base, '-p', 'fieldlength=100'])).code).toBe(0);
    const r = await cli(['run', ...base, '-p', 'fieldlength=50', '--out', path.join(dir, 'r.json')]);
    expect(r.code).toBe(0);
    const t = readResults(path.join(dir, 'r.json')).phases[0]!.trials[0]!;
    expect(t.ops.READ!.failureCodes.VERIFY).toBe(200);
    expect(t.ops.READ!.count).toBe(0);
  });

  it('warm-up ops run before the measured run phase and stay out of its figures', async () => {
    const r = await smallBench('map', path.join(tmpDir(), 'w'), { warmupOps: 250 });
    const t = r.phases[1]!.trials[0]!;
    expect(t.warmup).toMatchObject({ operations: 250 });
    expect(t.operations).toBe(600);
    expect(t.ops.READ!.count + t.ops.UPDATE!.count).toBe(600);
    expect(r.harness.warmupOps).toBe(250);
    expect(r.phases[0]!.trials[0]!.warmup).toBeNull();
  });
});
