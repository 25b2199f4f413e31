/**
 * Statistics across trials: median, mean, sample standard deviation and a 95% confidence
 * interval of the mean (Student's t, two-sided). With fewer than two values the interval is null:
 * one trial says nothing about noise.
 */
import type { TrialStat } from './results.js';

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t quantile for a 95% two-sided interval with `df` degrees of freedom (1.96 beyond 120). */
export function tQuantile95(df: number): number {
  if (df < 1) throw new RangeError('df must be >= 1');
  if (df <= 30) return T975[df - 1]!;
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.0;
  if (df <= 120) return 1.98;
  return 1.96;
}

/** The median of `values` (mean of the middle two for an even count). Empty → NaN. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Summarises one figure across trials. `values` must be non-empty and finite. */
export function trialStat(values: readonly number[]): TrialStat {
  if (values.length === 0) throw new RangeError('trialStat needs at least one value');
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? 0 : values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const stdDev = Math.sqrt(variance);
  const half = n < 2 ? 0 : tQuantile95(n - 1) * (stdDev / Math.sqrt(n));
  return { n, values: [...values], median: median(values), mean, stdDev, ci95: n < 2 ? null : [mean - half, mean + half] };
}
