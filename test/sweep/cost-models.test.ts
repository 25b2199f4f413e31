/** The cost models' formulas at hand-computed points, and how a check reaches its verdict. */
import { describe, expect, it } from 'vitest';
import { bloomFalsePositiveRate, btreeShape, lsmLevels, lsmWriteAmp, monkeyLevels, zeroResultCost } from '../../reports/cost-models/index.js';
import { check } from '../../reports/cost-models/check.js';
import { hashlogSpaceBound } from '../../reports/cost-models/hashlog.js';

describe('bloom filter model', () => {
  it('is (1 − e^(−k/b))^k with the engine\'s own k', () => {
    // b = 10: LevelDB's k = round(10 · 0.69) = 7 → (1 − e^(−0.7))^7
    expect(bloomFalsePositiveRate(10)).toBeCloseTo((1 - Math.exp(-0.7)) ** 7, 12);
    expect(bloomFalsePositiveRate(10)).toBeCloseTo(0.00819, 5);
    // b = 4: k = round(2.76) = 3
    expect(bloomFalsePositiveRate(4)).toBeCloseTo((1 - Math.exp(-0.75)) ** 3, 12);
    expect(bloomFalsePositiveRate(0)).toBe(1);
    expect(zeroResultCost(5, 10)).toBeCloseTo(5 * 0.008193, 5);
  });
});

describe('LSM models', () => {
  it('counts the levels kvlab\'s sizing needs, and Monkey\'s ⌈log_T(N·E/M)⌉ beside it', () => {
    // level 1 holds M, level 2 10 M, level 3 100 M: 111 M in three levels
    expect(lsmLevels(1, 1, 10)).toBe(1);
    expect(lsmLevels(11, 1, 10)).toBe(2);
    expect(lsmLevels(12, 1, 10)).toBe(3);
    expect(lsmLevels(111, 1, 10)).toBe(3);
    expect(lsmLevels(112, 1, 10)).toBe(4);
    expect(monkeyLevels(100, 1, 10)).toBe(2);
    expect(monkeyLevels(101, 1, 10)).toBe(3);
  });

  it('charges leveling (T+1)/2 writes per level and tiering one, plus the WAL and the flush', () => {
    expect(lsmWriteAmp('leveled', 3, 10)).toBe(2 + 3 * 5.5);
    expect(lsmWriteAmp('tiered', 3, 10)).toBe(5);
  });
});

describe('B+tree model', () => {
  it('gives the height and pages of a tree of inline records', () => {
    // 4 KiB pages: body 4072; entry 7 + 23 + 1000 = 1030 B; fill ln 2: 2.74 entries per leaf, fanout 97
    const s = btreeShape(100_000, 23, 1000, 4096, Math.LN2);
    expect(s.inline).toBe(true);
    expect(s.perLeaf).toBeCloseTo((4072 * Math.LN2) / 1030, 9);
    expect(s.fanout).toBeCloseTo((4072 * Math.LN2) / 29, 9);
    // 36,500 leaves under fanout 97: 97^2 = 9409 < 36,500 ≤ 97^3 → 3 branch levels + the leaves
    expect(s.height).toBe(4);
  });

  it('puts a value larger than half a page body into overflow pages', () => {
    const s = btreeShape(1000, 23, 3000, 4096, Math.LN2);
    expect(s.inline).toBe(false);
    expect(s.pages).toBeGreaterThan(1000); // one overflow page per record at least
  });
});

describe('hash log model', () => {
  it('bounds space by f / (1 − mergeRatio) plus hints and one active segment', () => {
    const f = (20 + 1000) / 1000;
    expect(hashlogSpaceBound(1000, 23, 0.5, 1e6, 1e8)).toBeCloseTo(f / 0.5 + 47 / 1000 + 0.01, 9);
    expect(hashlogSpaceBound(1000, 23, 1, 1e6, 1e8)).toBe(Infinity);
  });
});

describe('a check\'s verdict', () => {
  const base = { metric: 'm', model: 'x', source: 's', formula: 'f', factor: 2 };
  it('an estimate agrees within [1/factor, factor] of the prediction', () => {
    expect(check({ ...base, kind: 'estimate', predicted: 10, measured: 19 }).verdict).toBe('agrees');
    expect(check({ ...base, kind: 'estimate', predicted: 10, measured: 21 }).verdict).toBe('disagrees');
    expect(check({ ...base, kind: 'estimate', predicted: 10, measured: 4 }).verdict).toBe('disagrees');
    expect(check({ ...base, kind: 'estimate', predicted: 10, measured: 21 }).residual).toBeCloseTo(2.1, 12);
  });
  it('a bound disagrees only when the measurement exceeds it by more than the factor', () => {
    expect(check({ ...base, kind: 'bound', predicted: 10, measured: 0.1 }).verdict).toBe('agrees');
    expect(check({ ...base, kind: 'bound', predicted: 10, measured: 21 }).verdict).toBe('disagrees');
  });
  it('a rare-event count with fewer than 30 expected events is not judged', () => {
    expect(check({ ...base, kind: 'estimate', predicted: 0.001, measured: 0.004, expectedEvents: 12 }).verdict).toBe('n/a');
    expect(check({ ...base, kind: 'estimate', predicted: 0.001, measured: 0.004, expectedEvents: 120 }).verdict).toBe('disagrees');
  });
  it('an unknown measurement is n/a, never agreement', () => {
    expect(check({ ...base, kind: 'estimate', predicted: 10, measured: null }).verdict).toBe('n/a');
  });
});
