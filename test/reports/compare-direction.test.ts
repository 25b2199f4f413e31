/**
 * compare's direction for every metric it compares: a higher p50 or p99 (overall or per op
 * type) is a regression, a lower one an improvement; a higher throughput (run or load) an
 * improvement. A comparator that read latency as "higher is better" would pass CI gates on
 * slower code. The last test fails when compare gains a metric this file does not check.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../harness/results.js';
import { validateResults } from '../../harness/results.js';
import { trialStat } from '../../harness/stats.js';
import { compareResults } from '../../reports/index.js';
import { matrixFixtures } from './fixtures.js';

let fx: Awaited<ReturnType<typeof matrixFixtures>>;
beforeAll(async () => {
  fx = await matrixFixtures();
});

/** A copy whose run-phase overall p50/p99 trial values are `values` (ns). */
function withLatency(r: ResultsFile, which: 'p50' | 'p99', values: number[]): ResultsFile {
  const c = structuredClone(r);
  for (const p of c.phases) if (p.phase === 'run') p.summary.overall[which] = trialStat(values);
  return validateResults(c, 'withLatency');
}

describe('compare: latency direction', () => {
  for (const which of ['p50', 'p99'] as const) {
    const metric = `run ${which} (all ops)`;
    it(`a higher ${which} is a regression, a lower one an improvement`, () => {
      const base = withLatency(fx.results[0]!, which, [1000, 1010, 990]);
      const slower = compareResults([base], [withLatency(fx.results[0]!, which, [2000, 2020, 1980])]);
      const rowS = slower.rows.find((r) => r.metric === metric)!;
      expect(rowS.better).toBe('lower');
      expect(rowS.verdict).toBe('regression');
      expect(slower.regressions).toBeGreaterThanOrEqual(1);
      const faster = compareResults([base], [withLatency(fx.results[0]!, which, [500, 505, 495])]);
      expect(faster.rows.find((r) => r.metric === metric)!.verdict).toBe('improvement');
    });
  }
});

type Stat = ReturnType<typeof trialStat>;
/** Where each compared metric's statistic lives in a results file (run or load phase summary). */
function statOf(r: ResultsFile, metric: string): { get: () => Stat; set: (s: Stat) => void } | null {
  const phase = (name: 'load' | 'run') => r.phases.find((p) => p.phase === name);
  const m = /^(run|load) throughput$/.exec(metric);
  if (m) {
    const p = phase(m[1] as 'load' | 'run')!;
    return { get: () => p.summary.throughput, set: (s) => (p.summary.throughput = s) };
  }
  const o = /^run (p50|p99) \(all ops\)$/.exec(metric);
  if (o) {
    const p = phase('run')!;
    const k = o[1] as 'p50' | 'p99';
    return { get: () => p.summary.overall[k], set: (s) => (p.summary.overall[k] = s) };
  }
  const op = /^run p99 ([A-Z]+)$/.exec(metric);
  if (op) {
    const x = phase('run')!.summary.ops[op[1] as 'READ']!;
    return { get: () => x.p99, set: (s) => (x.p99 = s) };
  }
  return null;
}

describe('compare: every metric has its direction', () => {
  it('doubling each metric is a regression where lower is better and an improvement where higher is', () => {
    const base0 = fx.results.find((r) => r.phases.length === 2 && r.notApplicable === null)!;
    const names = compareResults([base0], [base0]).rows.map((r) => r.metric).filter((m) => m !== '(all)');
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const metric of new Set(names)) {
      const base = structuredClone(base0);
      const where = statOf(base, metric);
      expect(where, `no direction test for compare metric '${metric}'`).not.toBeNull();
      where!.set(trialStat([1000, 1010, 990]));
      const cand = structuredClone(base);
      statOf(cand, metric)!.set(trialStat([2000, 2020, 1980]));
      const row = compareResults([validateResults(base, 'b')], [validateResults(cand, 'c')]).rows.find((r) => r.metric === metric)!;
      const expected = row.better === 'higher' ? 'improvement' : 'regression';
      expect(row.better, metric).toBe(/throughput/.test(metric) ? 'higher' : 'lower');
      expect(row.verdict, metric).toBe(expected);
    }
  });
});

