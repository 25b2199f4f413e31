/**
 * Statistics for comparisons: Welch's unequal-variance t-test on per-trial figures (two-sided),
 * built on the regularised incomplete beta function. Pure functions, no dependencies.
 */

/** ln Γ(x) for x > 0 (Lanczos approximation, |error| < 1e-14 relative). */
export function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t statistic `t` with `df` (> 0, may be fractional) degrees of freedom. */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Mean and sample variance (n - 1 denominator; 0 for n = 1). */
export function meanVar(xs: readonly number[]): { n: number; mean: number; variance: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = n > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, variance };
}

/** Result of {@link welchTTest}. */
export interface WelchResult {
  /** (mean(b) - mean(a)) / standard error. ±Infinity when both samples have zero variance and differ. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (n_a + n_b - 2 when both variances are 0). */
  df: number;
  /** Two-sided p-value of "the means are equal". */
  p: number;
  meanA: number;
  meanB: number;
}

/**
 * Welch's two-sample t-test (unequal variances), two-sided. Both samples need at least 2 values
 * (throws RangeError otherwise). Zero variance on both sides gives p = 1 for equal means, else 0.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) throw new RangeError('Welch t-test needs at least 2 values per sample');
  const A = meanVar(a);
  const B = meanVar(b);
  const va = A.variance / A.n;
  const vb = B.variance / B.n;
  const se2 = va + vb;
  if (se2 === 0) {
    const same = A.mean === B.mean;
    return { t: same ? 0 : Math.sign(B.mean - A.mean) * Infinity, df: A.n + B.n - 2, p: same ? 1 : 0, meanA: A.mean, meanB: B.mean };
  }
  const t = (B.mean - A.mean) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (A.n - 1) + (vb * vb) / (B.n - 1));
  return { t, df, p: tTwoSidedP(t, df), meanA: A.mean, meanB: B.mean };
}
