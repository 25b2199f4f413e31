/**
 * The search for the highest rate that meets an SLO (`kvlab search`), as an algorithm over an
 * injected step runner, so it can be tested against a deterministic latency model.
 *
 * 1. **Doubling**: run a step at `startRate`; while it passes, double the rate. If the very first
 *    step fails, **halve** instead until one passes (down to `minRate`).
 * 2. **Bisection** between the last passing rate and the first failing one, until
 *    (fail − pass) / pass <= `precision` or `maxSteps` steps have run.
 *
 * A step passes only when every SLO clause holds, no operation failed, and the achieved
 * throughput is at least `minAchievedFraction` (default {@link DEFAULT_MIN_ACHIEVED}) of the
 * target: an engine that cannot keep up with the offered rate must not pass, however good the
 * latency of the operations it did complete (Pebble's `bench write` fails a rate on the same
 * kind of throughput dip). The result is the highest passing rate and the bracket around it.
 *
 * The knee ({@link kneeOf}): the lowest tried rate at which the first clause's measured
 * percentile is at least {@link KNEE_FACTOR} × its value at the lowest tried rate ("where the
 * latency has doubled over its lightly loaded value"). Null when no tried rate reaches that.
 */
import type { ClauseVerdict } from './slo.js';
import { formatNs } from './status.js';

/** A step passes only when it achieved at least this fraction of its target rate. */
export const DEFAULT_MIN_ACHIEVED = 0.95;
/** The knee is where the first clause's percentile reaches this multiple of its lowest-rate value. */
export const KNEE_FACTOR = 2;

/** How the search steps. */
export interface SearchSettings {
  /** First target rate (ops/s). */
  startRate: number;
  /** Stop bisecting when (fail − pass) / pass <= precision (a fraction, e.g. 0.05). */
  precision: number;
  /** Most steps in all (doubling, halving and bisection). */
  maxSteps: number;
  /** Fraction of the target a step must achieve (default {@link DEFAULT_MIN_ACHIEVED}). */
  minAchievedFraction?: number;
  /** Halving stops below this rate (default 1 op/s). */
  minRate?: number;
}

/** What running one step at a target measured. */
export interface StepMeasure {
  /** Achieved throughput of the measured part (ops/s). */
  achieved: number;
  /** Every SLO clause's verdict. */
  clauses: ClauseVerdict[];
  /** Failed operations (errors) in the step. */
  failures: number;
  /** Set when the step could not finish (timeout, failed engine): the search stops after it. */
  aborted?: string;
}

/** One step of the search as judged. */
export interface SearchStep extends StepMeasure {
  index: number;
  stage: 'double' | 'halve' | 'bisect';
  target: number;
  /** achieved ≥ minAchievedFraction × target. */
  keptUp: boolean;
  pass: boolean;
  /** Why it failed (empty when it passed). */
  reasons: string[];
}

/** Why the search ended. */
export type StopReason = 'precision' | 'max-steps' | 'min-rate' | 'aborted';

/** The outcome: every step, the highest passing rate and the bracket [pass, fail]. */
export interface SearchOutcome {
  steps: SearchStep[];
  highestPassingRate: number | null;
  bracket: { pass: number | null; fail: number | null };
  /** True when the bracket is within the precision (false: max steps, min rate or an aborted step ended it first). */
  converged: boolean;
  stoppedBy: StopReason;
}

/** Runs one step at a target rate (ops/s); `index` counts from 0. */
export type StepRunner = (target: number, index: number, stage: SearchStep['stage']) => Promise<StepMeasure>;

/** Judges a measured step: pass = every clause held, no failures, throughput kept up. */
export function judgeStep(target: number, m: StepMeasure, minAchievedFraction = DEFAULT_MIN_ACHIEVED): { keptUp: boolean; pass: boolean; reasons: string[] } {
  const keptUp = m.achieved >= minAchievedFraction * target;
  const reasons: string[] = [];
  if (m.aborted !== undefined) reasons.push(`aborted: ${m.aborted}`);
  if (!keptUp) reasons.push(`achieved ${Math.round(m.achieved)} ops/s < ${minAchievedFraction * 100}% of the target ${Math.round(target)}`);
  if (m.failures > 0) reasons.push(`${m.failures} failed operations`);
  for (const c of m.clauses) if (!c.pass) reasons.push(c.measuredNs === null ? `${c.text}: no such operation completed` : `${c.text}: measured ${formatNs(c.measuredNs)}`);
  return { keptUp, pass: reasons.length === 0, reasons };
}

/** Whether the bracket [pass, fail] is narrow enough. */
function within(pass: number, fail: number, precision: number): boolean {
  return (fail - pass) / pass <= precision;
}

/**
 * Runs the search (module doc). `between` is awaited between two steps (the cool-down);
 * `onStep` sees each judged step as it completes (progress lines). Throws RangeError on
 * settings that cannot search (a non-positive rate or precision, fewer than one step).
 */
export async function searchRate(s: SearchSettings, run: StepRunner, hooks: { between?: () => Promise<void>; onStep?: (st: SearchStep) => void } = {}): Promise<SearchOutcome> {
  if (!(s.startRate > 0) || !Number.isFinite(s.startRate)) throw new RangeError(`startRate must be a positive rate, got ${s.startRate}`);
  if (!(s.precision > 0)) throw new RangeError(`precision must be > 0, got ${s.precision}`);
  if (!Number.isInteger(s.maxSteps) || s.maxSteps < 1) throw new RangeError(`maxSteps must be an integer >= 1, got ${s.maxSteps}`);
  const minAchieved = s.minAchievedFraction ?? DEFAULT_MIN_ACHIEVED;
  const minRate = s.minRate ?? 1;
  const steps: SearchStep[] = [];
  let pass: number | null = null;
  let fail: number | null = null;
  let aborted = false;
  const step = async (target: number, stage: SearchStep['stage']): Promise<boolean> => {
    if (steps.length > 0 && hooks.between) await hooks.between();
    const m = await run(target, steps.length, stage);
    const j = judgeStep(target, m, minAchieved);
    const st: SearchStep = { ...m, index: steps.length, stage, target, ...j };
    steps.push(st);
    hooks.onStep?.(st);
    if (m.aborted !== undefined) aborted = true;
    if (j.pass) pass = Math.max(pass ?? 0, target);
    else fail = Math.min(fail ?? Infinity, target);
    return j.pass;
  };
  const done = (stoppedBy: StopReason): SearchOutcome => ({
    steps, highestPassingRate: pass, bracket: { pass, fail },
    converged: pass !== null && fail !== null && within(pass, fail, s.precision), stoppedBy,
  });

  // doubling (or halving when the first rate already fails)
  let rate = s.startRate;
  const first = await step(rate, 'double');
  if (aborted) return done('aborted');
  if (first) {
    while (steps.length < s.maxSteps) {
      rate *= 2;
      if (!(await step(rate, 'double'))) break;
      if (aborted) return done('aborted');
    }
  } else {
    while (steps.length < s.maxSteps) {
      rate /= 2;
      if (rate < minRate) return done('min-rate');
      if (await step(rate, 'halve')) break;
      if (aborted) return done('aborted');
    }
  }
  if (aborted) return done('aborted');
  // bisection between the last pass and the first fail
  while (pass !== null && fail !== null && !within(pass, fail, s.precision)) {
    if (steps.length >= s.maxSteps) return done('max-steps');
    await step((pass + fail) / 2, 'bisect');
    if (aborted) return done('aborted');
  }
  return done(pass !== null && fail !== null ? 'precision' : 'max-steps');
}

/** The knee of a search (module doc): the rate, the value there and the lowest-rate baseline. */
export interface Knee {
  rate: number | null;
  valueNs: number | null;
  baselineNs: number | null;
  /** The clause whose percentile defines it (the first). */
  clause: string;
  factor: number;
}

/** The knee of `steps` for clause number `clauseIndex` (default the first), per the module doc. */
export function kneeOf(steps: readonly Pick<SearchStep, 'target' | 'clauses'>[], clauseIndex = 0, factor = KNEE_FACTOR): Knee {
  const pts = steps
    .map((s) => ({ rate: s.target, v: s.clauses[clauseIndex]?.measuredNs ?? null }))
    .filter((p): p is { rate: number; v: number } => p.v !== null)
    .sort((a, b) => a.rate - b.rate);
  const clause = steps.find((s) => s.clauses[clauseIndex])?.clauses[clauseIndex]!.text ?? '';
  if (pts.length === 0) return { rate: null, valueNs: null, baselineNs: null, clause, factor };
  const baseline = pts[0]!.v;
  const k = pts.find((p) => p.v >= factor * baseline);
  return { rate: k?.rate ?? null, valueNs: k?.v ?? null, baselineNs: baseline, clause, factor };
}
