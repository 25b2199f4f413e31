/**
 * Run-to-run noise of a figure measured over trials, from the harness's `TrialStat`.
 * A report flags a figure as noisy when its 95% confidence interval is wide relative to it.
 */
import type { TrialStat } from '../harness/results.js';

/** A CI half-width above this fraction of the mean marks a figure as noisy (10%). */
export const NOISY_CI_FRACTION = 0.1;

/** Relative half-width of the 95% CI (e.g. 0.12 = ±12%), or null with fewer than 2 trials. */
export function relativeCiHalfWidth(s: TrialStat): number | null {
  if (!s.ci95 || s.mean === 0) return null;
  return (s.ci95[1] - s.ci95[0]) / 2 / Math.abs(s.mean);
}

/** True when the CI is wider than ±{@link NOISY_CI_FRACTION} of the mean. */
export function isNoisy(s: TrialStat): boolean {
  const r = relativeCiHalfWidth(s);
  return r !== null && r > NOISY_CI_FRACTION;
}

/** `median [low – high]`-style text pieces: formatted CI or `n=1` when there is none. */
export function ciText(s: TrialStat, fmt: (n: number) => string): string {
  return s.ci95 ? `${fmt(s.ci95[0])} – ${fmt(s.ci95[1])}` : `n=${s.n}, no CI`;
}
