/**
 * One model held against one measurement: what was predicted, what was measured, the residual
 * (measured / predicted) and whether they agree within the model's stated factor. An
 * `estimate` agrees when measured/predicted is within [1/factor, factor]; a `bound` (a worst
 * case) agrees when the measurement does not exceed it by more than the factor.
 */

/** A model's verdict on one point. */
export type Verdict = 'agrees' | 'disagrees' | 'n/a';

/** One model against one measured figure of one sweep point. */
export interface ModelCheck {
  /** The metric's id (shared with the sweep's metric table: `bloomFpRate`, `writeAmp`, ...). */
  metric: string;
  /** The model's name as the report shows it. */
  model: string;
  /** Where the model comes from (paper, format doc), shown in the report and reports/README.md. */
  source: string;
  /** The formula with this point's numbers in it (plain text). */
  formula: string;
  predicted: number;
  measured: number | null;
  /** measured / predicted, or null when either is unknown or predicted is 0. */
  residual: number | null;
  kind: 'estimate' | 'bound';
  /** The stated agreement factor. */
  factor: number;
  /**
   * For a measurement that counts rare events (false positives): how many the model expects at
   * this point. Below {@link MIN_EVENTS} the sampling noise alone exceeds the factor, so the
   * verdict is n/a rather than a disagreement.
   */
  expectedEvents?: number;
  verdict: Verdict;
}

/** Expected events below which a count-based check is not judged (Poisson: √30/30 ≈ 18% noise). */
export const MIN_EVENTS = 30;

/** Builds a check, computing the residual and the verdict. */
export function check(c: Omit<ModelCheck, 'residual' | 'verdict'>): ModelCheck {
  const residual = c.measured !== null && c.predicted > 0 && Number.isFinite(c.predicted) ? c.measured / c.predicted : null;
  let verdict: Verdict = 'n/a';
  if (c.expectedEvents !== undefined && c.expectedEvents < MIN_EVENTS) {
    return { ...c, formula: `${c.formula} (only ${fmt(c.expectedEvents)} events expected: too few to judge)`, residual, verdict };
  }
  if (residual !== null) {
    const ok = c.kind === 'bound' ? residual <= c.factor : residual <= c.factor && residual >= 1 / c.factor;
    verdict = ok ? 'agrees' : 'disagrees';
  } else if (c.measured === 0 && c.predicted === 0) verdict = 'agrees';
  return { ...c, residual, verdict };
}

/** A number for a formula string: 3 significant digits, no exponent for ordinary sizes. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n !== 0 && (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e7)) return n.toExponential(2);
  return Number(n.toPrecision(3)).toString();
}
