/**
 * Baseline comparison: per engine [durability] × workload × metric, the change from baseline to
 * candidate and a verdict decided from the repeated trials, never from one point.
 *
 * Test: Welch's two-sample t-test (two-sided, unequal variances) on the per-trial values the
 * harness recorded (`TrialStat.values`: throughput per trial, p50/p99 per trial). A difference
 * is a regression or an improvement only when p < `alpha` (default 0.05) AND the relative change
 * of the means is at least `minEffect` (default 5%); otherwise it is within noise. Either side
 * with fewer than 2 trials gives `insufficient-trials` (the change is still shown).
 */
import type { PhaseResult, ResultsFile, TrialStat } from '../harness/results.js';
import { OP_TYPES } from '../harness/results.js';
import { buildModel, clientsStatement, type Cell } from './model.js';
import { welchTTest } from './stats.js';

/** The verdict for one metric. */
export type Verdict = 'regression' | 'improvement' | 'within-noise' | 'insufficient-trials' | 'not-applicable' | 'missing-baseline' | 'missing-candidate';

/** Options of {@link compareResults}. */
export interface CompareOptions {
  /** Significance level of the two-sided test (default 0.05). */
  alpha?: number;
  /** Minimum relative change of the means that can count, as a fraction (default 0.05 = 5%). */
  minEffect?: number;
}

/** One engine × workload × metric. */
export interface MetricComparison {
  engine: string;
  durability: string;
  workload: string;
  /** E.g. `run throughput`, `run p99 READ`. */
  metric: string;
  unit: 'ops/s' | 'ns';
  /** Which direction is better. */
  better: 'higher' | 'lower';
  baseline: TrialStat | null;
  candidate: TrialStat | null;
  /** (candidate mean - baseline mean) / baseline mean, or null. */
  change: number | null;
  /** Welch t-test p-value, or null when not computed. */
  p: number | null;
  t: number | null;
  df: number | null;
  verdict: Verdict;
  /** One-line justification (`p=0.003 < 0.05 and -12.0% ≥ 5%`). */
  why: string;
}

/** A whole comparison. */
export interface Comparison {
  alpha: number;
  minEffect: number;
  /** Human statement of the test, for reports. */
  method: string;
  rows: MetricComparison[];
  regressions: number;
  improvements: number;
  /** Metrics compared on both sides (a figure in baseline and candidate): 0 means the two share nothing. */
  compared: number;
  /** Differences in setup between baseline and candidate (recordcount, seed, environment). */
  warnings: string[];
}

interface MetricDef {
  metric: string;
  unit: 'ops/s' | 'ns';
  better: 'higher' | 'lower';
  get: (c: Cell) => TrialStat | null;
}

const phaseOf = (c: Cell, p: 'load' | 'run'): PhaseResult | null => c[p];

function metricDefs(cells: Cell[]): MetricDef[] {
  const defs: MetricDef[] = [
    { metric: 'run throughput', unit: 'ops/s', better: 'higher', get: (c) => phaseOf(c, 'run')?.summary.throughput ?? null },
    { metric: 'load throughput', unit: 'ops/s', better: 'higher', get: (c) => phaseOf(c, 'load')?.summary.throughput ?? null },
    { metric: 'run p50 (all ops)', unit: 'ns', better: 'lower', get: (c) => phaseOf(c, 'run')?.summary.overall.p50 ?? null },
    { metric: 'run p99 (all ops)', unit: 'ns', better: 'lower', get: (c) => phaseOf(c, 'run')?.summary.overall.p99 ?? null },
  ];
  for (const op of OP_TYPES) {
    if (cells.some((c) => c.run?.summary.ops[op]))
      defs.push({ metric: `run p99 ${op}`, unit: 'ns', better: 'lower', get: (c) => phaseOf(c, 'run')?.summary.ops[op]?.p99 ?? null });
  }
  return defs;
}

/** Statement of the test used, with its parameters. */
export function methodText(alpha: number, minEffect: number): string {
  return `Welch's two-sided t-test on per-trial values (unequal variances); a change is a regression or improvement only if p < ${alpha} and |change of means| ≥ ${(minEffect * 100).toFixed(1)}%; fewer than 2 trials on either side: insufficient trials.`;
}

function decide(b: TrialStat, c: TrialStat, better: 'higher' | 'lower', alpha: number, minEffect: number): Omit<MetricComparison, 'engine' | 'durability' | 'workload' | 'metric' | 'unit' | 'better' | 'baseline' | 'candidate'> {
  const change = b.mean !== 0 ? (c.mean - b.mean) / Math.abs(b.mean) : null;
  const pct = change === null ? 'n/a' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
  if (b.values.length < 2 || c.values.length < 2)
    return { change, p: null, t: null, df: null, verdict: 'insufficient-trials', why: `${b.values.length} vs ${c.values.length} trial(s): at least 2 on each side are needed for a test` };
  const w = welchTTest(b.values, c.values);
  const big = change !== null && Math.abs(change) >= minEffect;
  const sig = w.p < alpha;
  if (!sig || !big) {
    const reasons = [sig ? null : `p=${w.p.toPrecision(2)} ≥ ${alpha}`, big ? null : `|${pct}| < ${(minEffect * 100).toFixed(1)}%`].filter(Boolean);
    return { change, p: w.p, t: w.t, df: w.df, verdict: 'within-noise', why: reasons.join(' and ') };
  }
  const worse = better === 'higher' ? c.mean < b.mean : c.mean > b.mean;
  return { change, p: w.p, t: w.t, df: w.df, verdict: worse ? 'regression' : 'improvement', why: `p=${w.p.toPrecision(2)} < ${alpha} and |${pct}| ≥ ${(minEffect * 100).toFixed(1)}%` };
}

function setupWarnings(base: Cell[], cand: Cell[]): string[] {
  const out: string[] = [];
  for (const c of cand) {
    const b = base.find((x) => x.key === c.key);
    if (!b) continue;
    if (b.recordcount !== c.recordcount) out.push(`${c.series} × ${c.workload}: recordcount ${b.recordcount} (baseline) vs ${c.recordcount} (candidate)`);
    if (b.seed !== c.seed) out.push(`${c.series} × ${c.workload}: seed ${b.seed} (baseline) vs ${c.seed} (candidate)`);
    if (clientsStatement(b) !== clientsStatement(c))
      out.push(`${c.series} × ${c.workload}: ${clientsStatement(b) ?? 'one process'} (baseline) vs ${clientsStatement(c) ?? 'one process'} (candidate)`);
  }
  const envKey = (cells: Cell[]) => [...new Set(cells.flatMap((c) => c.files.map((f) => `${f.environment.cpuModel} / ${f.environment.cores} cores / ${f.environment.kernel} / Node ${f.environment.node}`)))];
  const be = envKey(base);
  const ce = envKey(cand);
  if (be.join() !== ce.join()) out.push(`environments differ: baseline ${be.join('; ')} vs candidate ${ce.join('; ')}`);
  return out;
}

/**
 * Compares candidate results against baseline results (validated files; several cells each).
 * Cells match on engine label, durability and workload name; a cell present on one side only is
 * reported as missing, a not-applicable pair as not applicable.
 */
export function compareResults(baseline: readonly ResultsFile[], candidate: readonly ResultsFile[], opts: CompareOptions = {}): Comparison {
  const alpha = opts.alpha ?? 0.05;
  const minEffect = opts.minEffect ?? 0.05;
  const B = buildModel(baseline).cells;
  const C = buildModel(candidate).cells;
  const keys = [...new Set([...B, ...C].map((c) => c.key))];
  const defs = metricDefs([...B, ...C]);
  const rows: MetricComparison[] = [];
  for (const key of keys) {
    const b = B.find((c) => c.key === key);
    const c = C.find((x) => x.key === key);
    const any = (c ?? b)!;
    const id = { engine: any.engine, durability: any.durability, workload: any.workload };
    if ((b && b.notApplicable && !b.run && !b.load) || (c && c.notApplicable && !c.run && !c.load)) {
      rows.push({ ...id, metric: '(all)', unit: 'ops/s', better: 'higher', baseline: null, candidate: null, change: null, p: null, t: null, df: null,
        verdict: 'not-applicable', why: (c?.notApplicable ?? b?.notApplicable)! });
      continue;
    }
    for (const d of defs) {
      const bs = b ? d.get(b) : null;
      const cs = c ? d.get(c) : null;
      if (!bs && !cs) continue;
      const base = { ...id, metric: d.metric, unit: d.unit, better: d.better, baseline: bs, candidate: cs, p: null, t: null, df: null };
      if (!bs) rows.push({ ...base, change: null, verdict: 'missing-baseline', why: 'no baseline figure' });
      else if (!cs) rows.push({ ...base, change: null, verdict: 'missing-candidate', why: 'no candidate figure' });
      else rows.push({ ...base, baseline: bs, candidate: cs, ...decide(bs, cs, d.better, alpha, minEffect) });
    }
  }
  return {
    alpha, minEffect, method: methodText(alpha, minEffect), rows,
    regressions: rows.filter((r) => r.verdict === 'regression').length,
    improvements: rows.filter((r) => r.verdict === 'improvement').length,
    compared: rows.filter((r) => r.baseline !== null && r.candidate !== null).length,
    warnings: setupWarnings(B, C),
  };
}
