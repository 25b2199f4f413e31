/**
 * The figures a sweep plots against its parameter, one definition each, read from a point's
 * results file (medians over trials; null when the file cannot say, never 0). Ids are shared
 * with the cost models' checks (reports/cost-models) so a model's line lands on its metric's chart.
 */
import type { ResultsFile } from '../../harness/results.js';
import { pointFacts, sortedRuns, type PointFacts } from '../cost-models/index.js';

/** One sweep metric. */
export interface SweepMetric {
  id: string;
  label: string;
  /** Axis unit ('' for a ratio). */
  unit: string;
  /** Log y axis (rates that span decades). */
  log?: boolean;
  get(r: ResultsFile, p: PointFacts): number | null;
}

const runOf = (r: ResultsFile) => r.phases.find((p) => p.phase === 'run');
const loadOf = (r: ResultsFile) => r.phases.find((p) => p.phase === 'load');
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b <= 0 ? null : a / b);

/** Metrics that do not depend on the operation types a workload has. */
const FIXED: SweepMetric[] = [
  { id: 'runThroughput', label: 'run throughput', unit: 'ops/s', get: (r) => runOf(r)?.summary.throughput.median ?? null },
  { id: 'loadThroughput', label: 'load throughput', unit: 'ops/s', get: (r) => loadOf(r)?.summary.throughput.median ?? null },
  { id: 'writeAmp', label: 'write amplification (load: device / user bytes)', unit: '', get: (_r, p) => p.load?.amp('writeEngine') ?? null },
  { id: 'runWriteAmp', label: 'write amplification (run)', unit: '', get: (_r, p) => p.run?.amp('writeEngine') ?? null },
  { id: 'readAmp', label: 'read amplification (run: device / user bytes read)', unit: '', get: (_r, p) => p.run?.amp('readEngine') ?? null },
  { id: 'spaceAmp', label: 'space amplification (end of load: directory / live bytes)', unit: '', get: (_r, p) => p.load?.amp('space') ?? null },
  { id: 'runSpaceAmp', label: 'space amplification (end of run)', unit: '', get: (_r, p) => p.run?.amp('space') ?? null },
  {
    id: 'bloomFpRate', label: 'bloom false-positive rate (run: passed / probed filters of tables without the key)', unit: '', log: true,
    get: (_r, p) => {
      const fp = p.run?.delta('bloomFalsePositives') ?? null;
      const neg = p.run?.delta('bloomNegatives') ?? null;
      return fp === null || neg === null || fp + neg === 0 ? null : fp / (fp + neg);
    },
  },
  { id: 'zeroResultCost', label: 'blocks read per get that found nothing (zero-result lookup cost)', unit: 'blocks', log: true, get: (_r, p) => ratio(p.run?.delta('zeroResultBlockReads') ?? null, p.run?.delta('zeroResultGets') ?? null) },
  { id: 'blocksPerGet', label: 'data blocks read per get (every get the engine served)', unit: 'blocks', get: (_r, p) => ratio(p.run?.delta('getBlockReads') ?? null, p.run?.delta('gets') ?? null) },
  { id: 'runs', label: 'sorted runs at the end of the run', unit: 'runs', get: (_r, p) => (p.run ? sortedRuns(p.run) : null) },
  { id: 'btreeHeight', label: 'B+tree height (end of load)', unit: 'levels', get: (_r, p) => p.load?.after('btree.height') ?? null },
  { id: 'indexBytesPerKey', label: 'index memory per key (run)', unit: 'B', get: (_r, p) => p.run?.amp('indexBytesPerKey') ?? null },
];

/** Every metric for these results: the fixed ones, then p50 and p99 of each operation type the runs have. */
export function sweepMetrics(results: readonly ResultsFile[]): SweepMetric[] {
  const ops = [...new Set(results.flatMap((r) => Object.keys(runOf(r)?.summary.ops ?? {})))];
  const latency = ops.flatMap((op) => (['p50', 'p99'] as const).map((q): SweepMetric => ({
    id: `${op}.${q}`, label: `${op} ${q} (run, service time)`, unit: 'µs', log: true,
    get: (r) => {
      const v = runOf(r)?.summary.ops[op as keyof NonNullable<ReturnType<typeof runOf>>['summary']['ops']]?.[q].median;
      return v === undefined ? null : v / 1000;
    },
  })));
  return [...FIXED.slice(0, 2), ...latency, ...FIXED.slice(2)];
}

/** The metric's value at each point (null where unknown). */
export function metricValues(m: SweepMetric, results: readonly ResultsFile[]): Array<number | null> {
  return results.map((r) => m.get(r, pointFacts(r)));
}
