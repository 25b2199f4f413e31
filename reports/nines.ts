/**
 * The log "nines" percentile axis of HdrHistogram's plotter: percentile p is placed at
 * x = 1 / (1 - p/100), so 0% → 1, 50% → 2, 90% → 10, 99% → 100, 99.9% → 1000 on a log axis, and
 * every extra nine gets the same width. Pure functions, used to build plotly figures.
 */

/** x position of percentile `p` (0 ≤ p < 100) on the nines axis. Throws RangeError outside it. */
export function ninesX(p: number): number {
  if (!(p >= 0 && p < 100)) throw new RangeError(`percentile ${p} is outside [0, 100)`);
  return 1 / (1 - p / 100);
}

/** Inverse of {@link ninesX}: the percentile at position x ≥ 1. */
export function percentileAtNinesX(x: number): number {
  return 100 * (1 - 1 / x);
}

/** Tick label of a percentile: `50%`, `99.9%` (no float noise such as 99.90000000000001). */
export function percentileLabel(p: number): string {
  return `${Number(p.toPrecision(12))}%`;
}

/**
 * Ticks for a nines axis that reaches `maxNines` nines (1 → 90%, 3 → 99.9%): 0%, 50%, 90%,
 * 99%, ... as plotly `tickvals`/`ticktext`.
 */
export function ninesTicks(maxNines: number): { tickvals: number[]; ticktext: string[] } {
  const tickvals = [1, 2];
  const ticktext = ['0%', '50%'];
  for (let k = 1; k <= Math.max(1, Math.ceil(maxNines)); k++) {
    tickvals.push(10 ** k);
    ticktext.push(percentileLabel(100 * (1 - 10 ** -k)));
  }
  return { tickvals, ticktext };
}

/**
 * Percentiles to sample for a spectrum of `count` values: evenly spaced in nines (`perNine`
 * points per nine), from 0% up to the last percentile the sample can resolve (1 - 1/count),
 * without duplicates. Empty for count 0.
 */
export function spectrumPercentiles(count: number, perNine = 10): number[] {
  if (count <= 0) return [];
  const maxNines = Math.log10(Math.max(count, 1));
  const out: number[] = [];
  const steps = Math.floor(maxNines * perNine + 1e-9);
  for (let i = 0; i <= steps; i++) out.push(100 * (1 - 10 ** (-i / perNine)));
  return out;
}
