/**
 * What a cost model needs to know about one sweep point, read from its results file only: the
 * engine's resolved settings, the record shape, and per phase the median over trials of each
 * counter's delta (after − before) and each level (after). A figure the file cannot give is
 * null, never 0.
 */
import { median } from '../../harness/stats.js';
import type { PhaseResult, ResultsFile } from '../../harness/results.js';

/** YCSB key names are "user" + up to 19 digits: kvlab's own estimate, as harness/workload.ts uses (23). */
export const KEY_BYTES_ESTIMATE = 23;

/** One phase of a point, reduced to medians over its trials. */
export interface PhaseFacts {
  operations: number;
  /** Engine counter deltas over the phase (EngineStats fields and `extra` keys), medians over trials. */
  delta(name: string): number | null;
  /** Engine levels after the phase (EngineStats fields and `extra` keys), medians over trials. */
  after(name: string): number | null;
  /** Reads and the reads that found nothing. */
  reads: number;
  notFound: number;
  /** Amplification figures (harness/amplification.ts), medians; null when unknown. */
  amp(name: 'writeEngine' | 'readEngine' | 'space' | 'indexBytesPerKey' | 'deviceBytesPerRead'): number | null;
}

/** A point's facts: settings, record shape, phases. */
export interface PointFacts {
  engine: string;
  settings: Readonly<Record<string, string | number | boolean>>;
  /** Records loaded (the load phase's operations), or recordcount when there is no load phase. */
  records: number;
  /** Mean key + value bytes per loaded record (load user bytes / load operations), or null. */
  recordBytes: number | null;
  keyBytes: number;
  load: PhaseFacts | null;
  run: PhaseFacts | null;
}

const medianOrNull = (xs: Array<number | null>): number | null => {
  const known = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return known.length === 0 || known.length < xs.length ? null : median(known);
};

function phaseFacts(p: PhaseResult | undefined): PhaseFacts | null {
  if (p === undefined) return null;
  const stat = (s: Record<string, unknown> & { extra: Record<string, number>; unknown: string[] }, name: string): number | null => {
    if (s.unknown.includes(name)) return null;
    const v = name in s.extra ? s.extra[name] : s[name];
    return typeof v === 'number' ? v : null;
  };
  const trials = p.trials;
  return {
    operations: median(trials.map((t) => t.operations)),
    delta: (name) => medianOrNull(trials.map((t) => {
      const a = stat(t.engineStats.after as never, name);
      const b = stat(t.engineStats.before as never, name);
      return a === null || b === null ? null : a - b;
    })),
    after: (name) => medianOrNull(trials.map((t) => stat(t.engineStats.after as never, name))),
    reads: median(trials.map((t) => t.ops.READ?.count ?? 0)),
    notFound: median(trials.map((t) => t.ops.READ?.notFound ?? 0)),
    amp: (name) => medianOrNull(trials.map((t) => t.amplification[name] ?? null)),
  };
}

/** Reads the facts of one results file. */
export function pointFacts(r: ResultsFile): PointFacts {
  const load = r.phases.find((p) => p.phase === 'load');
  const lf = phaseFacts(load);
  const userWritten = load ? median(load.trials.map((t) => t.userBytes.written)) : 0;
  const records = lf !== null && lf.operations > 0 ? lf.operations : Number(r.workload.properties.recordcount ?? 0);
  return {
    engine: r.engine.name,
    settings: r.engine.settings,
    records,
    recordBytes: lf !== null && lf.operations > 0 && userWritten > 0 ? userWritten / lf.operations : null,
    keyBytes: KEY_BYTES_ESTIMATE,
    load: lf,
    run: phaseFacts(r.phases.find((p) => p.phase === 'run')),
  };
}

/** Σ L{i}.runs after the phase: the sorted runs a lookup may probe (lsm), or null when the engine reports no levels. */
export function sortedRuns(ph: PhaseFacts): number | null {
  const levels = ph.after('levels');
  if (levels === null) return null;
  let n = 0;
  for (let i = 0; i < levels; i++) n += ph.after(`L${i}.runs`) ?? 0;
  return n;
}
