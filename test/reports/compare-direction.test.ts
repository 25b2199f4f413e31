/**
 * compare's direction for every latency metric: a higher p50 or p99 is a regression, a lower
 * one an improvement (throughput's direction is covered in report.test.ts). A comparator that
 * read latency as "higher is better" would pass CI gates on slower code.
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
