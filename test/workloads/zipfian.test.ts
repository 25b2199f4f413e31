import { describe, expect, it } from 'vitest';
import { Random } from '../../workloads/random.js';
import { ZipfianGenerator } from '../../workloads/generators/zipfian.js';
import { SCRAMBLED_ITEM_COUNT, SCRAMBLED_ZETAN, ScrambledZipfianGenerator } from '../../workloads/generators/scrambled-zipfian.js';
import { zeta, zetaGrow, zetaSum } from '../../workloads/generators/zeta.js';
import { chiSquare, chiSquareCritical, fnvBigInt, withinBinomial, ycsbZipfianProbs, zetaExact } from './stats.js';

// Tolerances: chi-square at upper-tail probability ~1e-6 (see stats.ts), binomial counts within
// 5 standard deviations. Seeds are fixed, so results are reproducible.

describe('zeta', () => {
  it('equals the term-by-term sum for small n exactly', () => {
    for (const n of [1, 2, 10, 1000, 10_000]) expect(zeta(n, 0.99)).toBe(zetaExact(n, 0.99));
  });
  it('Euler–Maclaurin agrees with the exact sum to 1e-12 relative for large n', () => {
    for (const n of [10_001, 123_457, 1_000_000, 3_000_000]) {
      const exact = zetaExact(n, 0.99);
      expect(Math.abs(zeta(n, 0.99) - exact) / exact).toBeLessThan(1e-12);
    }
    const e = zetaExact(200_000, 0.5);
    expect(Math.abs(zeta(200_000, 0.5) - e) / e).toBeLessThan(1e-12);
  });
  it('reproduces YCSB precomputed zeta(10^10, 0.99) = 26.46902820178302 closely', () => {
    expect(Math.abs(zeta(1e10, 0.99) - SCRAMBLED_ZETAN) / SCRAMBLED_ZETAN).toBeLessThan(1e-9);
  });
  it('grows incrementally like YCSB', () => {
    const z1000 = zetaSum(0, 1000, 0.99, 0);
    expect(zetaGrow(1000, 1010, 0.99, z1000)).toBe(zetaSum(1000, 1010, 0.99, z1000));
    const big = zetaGrow(1000, 500_000, 0.99, z1000);
    expect(Math.abs(big - zetaExact(500_000, 0.99)) / big).toBeLessThan(1e-12);
  });
});

describe('ZipfianGenerator matches the exact probabilities of YCSB’s algorithm', () => {
  for (const n of [10, 1000, 100_000, 1_000_000]) {
    it(`n=${n}: P(most popular) = 1/zeta(n, 0.99) and the head fits by chi-square`, () => {
      const N = 400_000;
      const g = new ZipfianGenerator(new Random(1000 + n), 0, n - 1);
      const zn = zetaExact(n, 0.99);
      expect(Math.abs(g.zetaN - zn) / zn).toBeLessThan(1e-12);
      const K = Math.min(n, 200);
      const counts = new Float64Array(K + 1);
      let outside = 0;
      for (let i = 0; i < N; i++) {
        const v = g.next();
        if (!(v >= 0 && v < n)) outside++;
        counts[v < K ? v : K]!++;
      }
      expect(outside).toBe(0);
      expect(withinBinomial(counts[0]!, N, 1 / zn)).toBe(true);
      const p = ycsbZipfianProbs(n, zn, K);
      const probs = new Float64Array(K + 1);
      let s = 0;
      for (let j = 0; j < K; j++) s += probs[j] = p[j]!;
      probs[K] = Math.max(0, 1 - s);
      const { stat, df } = chiSquare(counts, probs, N);
      expect(stat).toBeLessThan(chiSquareCritical(df));
    });
  }

  it('min..max ranges are shifted by min (scan-length zipfian 1..100)', () => {
    const g = new ZipfianGenerator(new Random(5), 1, 100);
    const N = 200_000;
    const counts = new Float64Array(100);
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const v = g.next();
      if (!(v >= 1 && v <= 100)) outside++;
      counts[v - 1]!++;
    }
    expect(outside).toBe(0);
    const { stat, df } = chiSquare(counts, ycsbZipfianProbs(100, zetaExact(100, 0.99), 100), N);
    expect(stat).toBeLessThan(chiSquareCritical(df));
  });

  it('a detected departure: the ideal Zipf law is rejected where YCSB’s algorithm differs', () => {
    // guards the test itself: chi-square must be able to fail
    const g = new ZipfianGenerator(new Random(9), 0, 999);
    const N = 400_000;
    const counts = new Float64Array(1000);
    for (let i = 0; i < N; i++) counts[g.next()]!++;
    const zn = zetaExact(1000, 0.99);
    const ideal = Float64Array.from({ length: 1000 }, (_, j) => 1 / Math.pow(j + 1, 0.99) / zn);
    const wrong = Float64Array.from(ideal, (x, j) => (j === 0 ? x * 0.97 : x));
    const s = wrong.reduce((a, b) => a + b, 0);
    const { stat, df } = chiSquare(counts, wrong.map((x) => x / s), N);
    expect(stat).toBeGreaterThan(chiSquareCritical(df));
  });
});

describe('ScrambledZipfianGenerator', () => {
  it('spreads YCSB’s 10^10-item zipfian over the range via fnvhash64, with the exact head probabilities', () => {
    const m = 1000;
    const g = new ScrambledZipfianGenerator(new Random(77), 0, m - 1);
    // exact inner probabilities for items 0..K-1, the remaining mass spread uniformly (the
    // tail's items each weigh < 1e-7 and hash independently of one another)
    const K = 200_000;
    const inner = ycsbZipfianProbs(SCRAMBLED_ITEM_COUNT + 1, SCRAMBLED_ZETAN, K);
    const probs = new Float64Array(m);
    let head = 0;
    for (let i = 0; i < K; i++) {
      probs[g.scramble(i)]! += inner[i]!;
      head += inner[i]!;
    }
    for (let x = 0; x < m; x++) probs[x]! += (1 - head) / m;
    const N = 400_000;
    const counts = new Float64Array(m);
    for (let i = 0; i < N; i++) counts[g.next()]!++;
    const top = g.scramble(0);
    expect(withinBinomial(counts[top]!, N, probs[top]!)).toBe(true);
    expect(probs[top]!).toBeGreaterThan(1 / SCRAMBLED_ZETAN);
    const { stat, df } = chiSquare(counts, probs, N);
    expect(stat).toBeLessThan(chiSquareCritical(df));
  });
  it('scramble(i) = min + fnvhash64(i) % itemcount, computed independently with BigInt', () => {
    const g = new ScrambledZipfianGenerator(new Random(1), 100, 100 + 999_999);
    for (const i of [0, 1, 2, 12345, 9_999_999_999, 10_000_000_000]) {
      expect(g.scramble(i)).toBe(100 + Number(fnvBigInt(BigInt(i)) % 1_000_000n));
    }
  });
});
