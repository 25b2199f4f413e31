/**
 * The versioned results JSON: the one input of every kvlab report (reports never re-run anything).
 *
 * One file describes one engine (with its options and durability) driven through one workload:
 * the phases that ran (load, run), each repeated `trials` times, with per-operation-type HDR
 * latency histograms, time series, engine statistics, OS I/O counters, amplification figures,
 * the environment manifest and the harness's own measured cost. A pair that cannot run (workload
 * E on an engine without ordered scan) is a file with `notApplicable` set and no phases: never 0.
 *
 * Units: latency in NANOSECONDS (integers), durations in milliseconds, sizes in bytes, rates in
 * operations per second. A figure that cannot be known is `null` (never 0); `notes` say why.
 *
 * Compatibility: {@link SCHEMA_VERSION} is bumped on any change a reader could misread
 * (renamed/removed/re-typed fields or changed units). Adding an optional field does not bump it.
 * Every file is validated on write and on read ({@link validateResults}); see harness/RESULTS.md.
 * The schema and the types come from one definition: harness/results-schema.ts.
 */
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { EngineRecord, Percentiles, ResultsFile } from './results-schema.js';
import { validateResults } from './results-validate.js';

export {
  OP_TYPES, RESULTS_KIND, SCHEMA_VERSION, LOOP_KINDS, RESULTS_JSON_SCHEMA,
  type Amplification, type BindingFloorRecord, type EngineRecord, type EnvironmentManifest, type HarnessCost, type HarnessSettings,
  type HistogramRecord, type IntervalPoint, type LoopKind, type MachineLoad, type NotApplicable, type OpTypeResult,
  type Percentiles, type PhaseResult, type PhaseSummary, type PhaseTrial, type ClientTrial, type ProcIo, type ResultOpType,
  type ResultsFile, type RunMeta, type TrialStat, type WorkloadRecord,
} from './results-schema.js';

/** Percentile keys and the percentile each stands for. */
export const PERCENTILE_KEYS: ReadonlyArray<[keyof Percentiles, number]> = [
  ['p50', 50], ['p75', 75], ['p90', 90], ['p95', 95], ['p99', 99], ['p99_9', 99.9], ['p99_99', 99.99],
];

/**
 * The durability as reports show it: `none`, or `none, process-crash-unsafe` for an engine with
 * a user-space write buffer, or `none, crash safety not recorded` for older results.
 */
export function durabilityLabel(e: Pick<EngineRecord, 'durability' | 'crashSafety'>): string {
  if (e.crashSafety === 'process-crash-unsafe') return `${e.durability}, process-crash-unsafe`;
  if (e.crashSafety === undefined) return `${e.durability}, crash safety not recorded`;
  return e.durability;
}

/** Validates then writes `results` to `file` (atomically, creating parent dirs). Throws INVALID_ARGUMENT on a bad document. */
export function writeResults(file: string, results: ResultsFile): void {
  validateResults(results, file);
  writeJsonFile(file, results, 1);
}

/**
 * Reads and validates a results file. Errors: NOT_FOUND (no file), INVALID_ARGUMENT (not JSON or
 * not a valid results document; the message names the JSON path), NOT_SUPPORTED (other schemaVersion).
 */
export function readResults(file: string): ResultsFile {
  return validateResults(readJsonFile(file, 'results'), file);
}

export { validateResults };
