/**
 * Scale series and memory in reports: a workload at several record counts becomes one cell per
 * size and a throughput/p99-against-records figure; the first line says whether runs had a
 * memory limit; every context line gives the data-to-memory ratio; an LSM's levels become a
 * table; a partial result is flagged. Also `kvlab matrix -p recordcount=a,b` end to end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults, validateResults, type ResultsFile } from '../../harness/results.js';
import { runBenchmark } from '../../harness/runner.js';
import { loadWorkload } from '../../harness/workload.js';
import { scaleFigures } from '../../reports/figures/scale.js';
import { levelsTable, memoryTable } from '../../reports/levels.js';
import { buildModel, contextLine } from '../../reports/model.js';
import { recordcountList } from '../../cli/commands/matrix.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from '../harness/helpers.js';

async function bench(engine: string, recordcount: number): Promise<ResultsFile> {
  return runBenchmark({
    command: 'matrix', argv: [], engine, dir: path.join(tmpDir(), 'd'), freshDir: true, durability: 'none',
    workload: loadWorkload(['c'], { recordcount: String(recordcount), operationcount: '2000' }), seed: 3, phases: ['load', 'run'],
    trials: 1, threads: 1, targetOpsPerSec: null, warmupOps: 0, intervalMs: 50, status: 'off', harnessCost: null, matrix: null,
  });
}

describe('scale series and memory in reports', () => {
  it('one cell per record count, a scale figure per workload, the memory statement first', async () => {
    const files = [await bench('map', 500), await bench('map', 2000), await bench('hashlog', 500), await bench('hashlog', 2000)];
    const m = buildModel(files);
    expect(m.workloads).toEqual(['workloadc @ 500', 'workloadc @ 2,000']);
    expect(m.cells.map((c) => c.workloadBase)).toEqual(['workloadc', 'workloadc', 'workloadc', 'workloadc']);
    expect(m.warnings[0]).toMatch(/^No memory limit: every run had the machine's .* of RAM .* reads are served from the page cache/);
    const figs = scaleFigures(m);
    expect(figs).toHaveLength(1);
    const tp = figs[0]!.data.filter((t) => t.yaxis === 'y');
    expect(tp.map((t) => t.name)).toEqual(['map [none]', 'hashlog [none]']);
    expect(tp[0]!.x).toEqual([500, 2000]);
    expect(tp[0]!.y).toEqual([files[0]!.phases[1]!.summary.throughput.median, files[1]!.phases[1]!.summary.throughput.median]);
    expect(contextLine(m.cells)).toMatch(/× RAM \(.*, no memory limit\)/);
    // one size only: no figure, names unchanged
    expect(scaleFigures(buildModel([files[0]!, files[2]!]))).toEqual([]);
    expect(buildModel([files[0]!]).workloads).toEqual(['workloadc']);
  });

  it('a limited result reads as memory-bounded with its ratio; a partial one is flagged', async () => {
    const r = await bench('map', 500);
    const limited = validateResults({
      ...r, harness: { ...r.harness, memoryLimit: { bytes: 64 * 2 ** 20, cgroup: 'v1' } },
      partial: { code: 'TIMEOUT', reason: 'map run: READ ... has not completed' },
    }, 't');
    const m = buildModel([limited]);
    expect(m.warnings[0]).toMatch(/^Memory-bounded: each trial's process ran in a memory cgroup of 64\.0 MiB/);
    expect(m.warnings.some((w) => /map \[none\] × workloadc is PARTIAL \(TIMEOUT\)/.test(w))).toBe(true);
    expect(contextLine(m.cells)).toMatch(/= 0\.00\d+× the 64\.0 MiB memory limit/);
    expect(memoryTable(m).rows[0]![3]).toBe('64.0 MiB (cgroup)');
  });

  it("an LSM's per-level figures become a table", async () => {
    const r = await runBenchmark({
      command: 'matrix', argv: [], engine: 'lsm:memtableSize=16384,targetFileSize=16384,l0Trigger=2,sizeRatio=2', dir: path.join(tmpDir(), 'd'),
      freshDir: true, durability: 'none', workload: loadWorkload(['a'], { recordcount: '3000', operationcount: '3000' }), seed: 3,
      phases: ['load', 'run'], trials: 1, threads: 1, targetOpsPerSec: null, warmupOps: 0, intervalMs: 50, status: 'off', harnessCost: null, matrix: null,
    });
    const t = levelsTable(buildModel([r]));
    const levels = t.rows.map((row) => row[3]);
    expect(levels[0]).toBe('L0');
    expect(levels.length).toBeGreaterThan(1);
    const x = r.phases[1]!.trials[0]!.engineStats.after.extra;
    const l1 = t.rows.find((row) => row[3] === 'L1')!;
    expect(l1[4]).toBe(String(x['L1.files']));
    // a hash engine has no levels
    expect(levelsTable(buildModel([await bench('hashlog', 500)])).rows).toEqual([]);
  });
});

describe('kvlab matrix -p recordcount=A,B', () => {
  it('runs each engine × workload at each size, one results file per size', async () => {
    const out = path.join(tmpDir(), 'm');
    const r = await cli(['matrix', '--engines', 'map', '--workloads', 'c', '-p', 'recordcount=300,100', '-p', 'operationcount=500', '--trials', '1',
      '--no-fork', '--no-report', '--no-harness-cost', '-q', '--out', out]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['map__workloadc__rc100.json', 'map__workloadc__rc300.json']);
    expect(readResults(path.join(out, 'map__workloadc__rc100.json')).phases[0]!.trials[0]!.operations).toBe(100);
    expect(readResults(path.join(out, 'map__workloadc__rc300.json')).phases[0]!.trials[0]!.operations).toBe(300);
    expect(r.err).toMatch(/map × workloadc @ 100 records: /);
  });

  it('bad lists are one-line usage errors; load and run refuse a list', async () => {
    expect(recordcountList(undefined)).toEqual([null]);
    expect(recordcountList('5')).toEqual([null]);
    expect(recordcountList('30, 10,20')).toEqual([10, 20, 30]);
    expect(() => recordcountList('10,x')).toThrow(/must be a positive integer, got 'x'/);
    expect(() => recordcountList('10,10')).toThrow(/appears twice/);
    expect(() => recordcountList('10,0')).toThrow(/positive integer, got '0'/);
    const r = await cli(['load', '-P', 'workloads/workloadc', '-p', 'recordcount=10,20', '--engine', 'map']);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('kvlab: load: recordcount=10,20: a list of record counts is a scale series, which kvlab matrix runs (one load and run per size)');
  });
});
