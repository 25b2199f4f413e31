import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, tTwoSidedP, welchTTest } from '../../reports/stats.js';

describe('statistics', () => {
  it('logGamma matches factorials', () => {
    for (let n = 1; n < 20; n++) {
      let f = 1;
      for (let i = 2; i < n; i++) f *= i;
      expect(logGamma(n)).toBeCloseTo(Math.log(f), 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('incomplete beta: known closed forms', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1-x)^b
    for (const x of [0.01, 0.3, 0.5, 0.9]) {
      expect(incompleteBeta(x, 1, 1)).toBeCloseTo(x, 12);
      expect(incompleteBeta(x, 3, 1)).toBeCloseTo(x ** 3, 12);
      expect(incompleteBeta(x, 1, 4)).toBeCloseTo(1 - (1 - x) ** 4, 12);
    }
  });

  it('t distribution two-sided p-values match tables', () => {
    // Critical values: t_{0.975, df}
    expect(tTwoSidedP(12.706, 1)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(4.303, 2)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(2.576, 1e6)).toBeCloseTo(0.01, 3);
    expect(tTwoSidedP(0, 5)).toBeCloseTo(1, 12);
    // df = 1 is Cauchy: p = 1 - 2 atan(t)/π
    expect(tTwoSidedP(3, 1)).toBeCloseTo(1 - (2 * Math.atan(3)) / Math.PI, 10);
  });

  it('Welch t-test matches scipy.stats.ttest_ind(b, a, equal_var=False)', () => {
    const a = [19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0];
    const b = [28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3];
    const r = welchTTest(a, b);
    expect(r.t).toBeCloseTo(2.225512039969852, 9);
    expect(r.df).toBeCloseTo(24.524634944257343, 9);
    expect(r.p).toBeCloseTo(0.035484530830010394, 9);
    const s = welchTTest([101.0, 99.5, 100.2], [95.1, 96.0, 94.2, 95.5]);
    expect(s.t).toBeCloseTo(-8.725263149520515, 9);
    expect(s.df).toBeCloseTo(4.494619749715014, 9);
    expect(s.p).toBeCloseTo(0.0005528074643679844, 9);
  });

  it('Welch t-test edge cases', () => {
    expect(() => welchTTest([1], [1, 2])).toThrow(RangeError);
    expect(welchTTest([5, 5, 5], [5, 5]).p).toBe(1);
    const d = welchTTest([5, 5, 5], [6, 6]);
    expect(d.p).toBe(0);
    expect(d.t).toBe(Infinity);
  });
});
