/**
 * Latency service-level objectives (`kvlab search --slo`): parsing clauses such as `p99<1ms`,
 * `read.p99.9<5ms`, `update.p50<=200us` and judging one measured step against them.
 *
 * Grammar of one clause: `[OP.]p<PERCENTILE><|<=<NUMBER><UNIT>`, where OP is an operation type
 * as the harness names it (READ, UPDATE, INSERT, SCAN, READMODIFYWRITE; any case) or `overall`
 * (all op types merged; the default when OP is left out), PERCENTILE is a number in (0, 100]
 * (`p99.9`, `p50`, `p100` = the maximum), and UNIT is ns, us, µs, μs, ms or s. Several clauses
 * may be comma-separated in one argument; each names its own op type (`update.p50<200us,p99<2ms`
 * is UPDATE's p50 and the overall p99). Any other text is an INVALID_ARGUMENT KvError naming the
 * clause: never a silent default.
 *
 * What is judged is always the latency from the intended start (coordinated omission corrected:
 * the open loop's `intendedLatency`), and a percentile is read from the stored HDR histogram
 * with hdr-histogram-js's `getValueAtPercentile`, the same computation that fills every results
 * file's `percentiles` (harness/histogram.ts).
 */
import { KvError } from '../engines/errors.js';
import { decodeHistogram } from './histogram.js';
import { OP_TYPES, type HistogramRecord, type PhaseTrial, type ResultOpType } from './results.js';

/** What a clause measures: one op type, or all of them merged. */
export type SloTarget = ResultOpType | 'overall';
/** Every value a clause's op may take. */
export const SLO_TARGETS: readonly SloTarget[] = [...OP_TYPES, 'overall'];

/** One parsed clause. `limitNs` is the bound in ns; `inclusive` for `<=`. */
export interface SloClause {
  /** The clause in canonical form (`READ.p99.9<5ms`), for messages and reports. */
  text: string;
  op: SloTarget;
  percentile: number;
  limitNs: number;
  inclusive: boolean;
}

/** A clause judged against one step: the measured value (ns; null when no op of its type completed) and whether it held. */
export interface ClauseVerdict {
  text: string;
  measuredNs: number | null;
  pass: boolean;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9 };
const CLAUSE = /^(?:([A-Za-z]+)\.)?p(\d+(?:\.\d+)?)\s*(<=|<)\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-zA-Zµμ]+)$/;

function bad(text: string, why: string): never {
  throw new KvError('INVALID_ARGUMENT', `--slo '${text}': ${why}; a clause looks like p99<1ms, read.p99.9<5ms or update.p50<=200us (op: ${SLO_TARGETS.join('|').toLowerCase()}; units: ns, us, µs, ms, s)`);
}

/** The canonical text of a bound in ns: the largest unit that gives a number >= 1. */
function boundText(ns: number): string {
  for (const [u, f] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) if (ns >= f) return `${Number((ns / f).toPrecision(6))}${u}`;
  return `${Number(ns.toPrecision(6))}ns`;
}

/** Parses one clause (no commas). Throws INVALID_ARGUMENT as the module doc says. */
export function parseClause(raw: string): SloClause {
  const text = raw.trim();
  if (text === '') bad(raw, 'empty clause');
  const m = CLAUSE.exec(text);
  if (m === null) bad(text, 'not a clause');
  const [, opRaw, pRaw, cmp, nRaw, unitRaw] = m;
  let op: SloTarget = 'overall';
  if (opRaw !== undefined) {
    const u = opRaw.toUpperCase();
    if (u === 'OVERALL' || u === 'ALL') op = 'overall';
    else if ((OP_TYPES as readonly string[]).includes(u)) op = u as ResultOpType;
    else bad(text, `unknown op type '${opRaw}'`);
  }
  const percentile = Number(pRaw);
  if (!(percentile > 0 && percentile <= 100)) bad(text, `percentile p${pRaw} is outside (0, 100]`);
  const unit = UNIT_NS[unitRaw!] ?? UNIT_NS[unitRaw!.toLowerCase()];
  if (unit === undefined) bad(text, `unknown unit '${unitRaw}'`);
  const limitNs = Number(nRaw) * unit;
  if (!(limitNs > 0) || !Number.isFinite(limitNs)) bad(text, 'the bound must be a positive, finite latency');
  const inclusive = cmp === '<=';
  return { text: `${op === 'overall' ? '' : `${op}.`}p${percentile}${cmp}${boundText(limitNs)}`, op, percentile, limitNs, inclusive };
}

/**
 * Parses every `--slo` argument (each may hold comma-separated clauses) into clauses, in order.
 * At least one clause is required; a clause given twice is an error. Throws INVALID_ARGUMENT.
 */
export function parseSlo(args: readonly string[]): SloClause[] {
  const out: SloClause[] = [];
  for (const a of args) for (const part of a.split(',')) out.push(parseClause(part));
  if (out.length === 0) throw new KvError('INVALID_ARGUMENT', '--slo is required, e.g. --slo \'p99<1ms\'');
  const seen = new Set<string>();
  for (const c of out) {
    const key = `${c.op}.p${c.percentile}`;
    if (seen.has(key)) bad(c.text, `${c.op === 'overall' ? '' : `${c.op}.`}p${c.percentile} is bounded twice`);
    seen.add(key);
  }
  return out;
}

/** The intended-start histogram a clause reads in `trial`, or null (no such op, or a closed-loop trial). */
function histogramOf(c: SloClause, trial: PhaseTrial): HistogramRecord | null {
  const h = c.op === 'overall' ? trial.overall.intendedLatency : trial.ops[c.op]?.intendedLatency ?? null;
  return h === null || h.count === 0 ? null : h;
}

/** The percentile `p` (0..100] of a stored histogram in ns: the one percentile definition of the results files. */
export function percentileOf(h: HistogramRecord, p: number): number {
  return decodeHistogram(h).getValueAtPercentile(p);
}

/** The value clause `c` measures in `trial` (intended-start latency, ns), or null when no op of its type completed. */
export function measureClause(c: SloClause, trial: PhaseTrial): number | null {
  const h = histogramOf(c, trial);
  return h === null ? null : percentileOf(h, c.percentile);
}

/** Whether `measuredNs` satisfies `c` (a missing measurement never does). */
export function holds(c: SloClause, measuredNs: number | null): boolean {
  if (measuredNs === null) return false;
  return c.inclusive ? measuredNs <= c.limitNs : measuredNs < c.limitNs;
}

/** Judges every clause against `trial`. */
export function judgeTrial(clauses: readonly SloClause[], trial: PhaseTrial): ClauseVerdict[] {
  return clauses.map((c) => {
    const measuredNs = measureClause(c, trial);
    return { text: c.text, measuredNs, pass: holds(c, measuredNs) };
  });
}
