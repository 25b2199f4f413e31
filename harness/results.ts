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
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Capabilities, Durability, EngineStats, Limits } from '../engines/engine.js';
import { KvError } from '../engines/errors.js';
import { validateResults } from './results-validate.js';

/** Version of this schema. A reader rejects any other version with NOT_SUPPORTED. */
export const SCHEMA_VERSION = 1;
/** The `kind` tag every results file carries (distinguishes it from other kvlab JSON). */
export const RESULTS_KIND = 'kvlab-results';

/** The operation types a phase can record (YCSB's names). */
export const OP_TYPES = ['READ', 'UPDATE', 'INSERT', 'SCAN', 'READMODIFYWRITE'] as const;
export type ResultOpType = (typeof OP_TYPES)[number];

/** A complete results file. */
export interface ResultsFile {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: typeof RESULTS_KIND;
  run: RunMeta;
  engine: EngineRecord;
  workload: WorkloadRecord;
  harness: HarnessSettings;
  environment: EnvironmentManifest;
  /** The harness's own cost per operation (null engine), or null when not measured (reason in `notes`). */
  harnessCost: HarnessCost | null;
  /** Set when the engine × workload pair cannot run; then `phases` is empty. */
  notApplicable: NotApplicable | null;
  /** Phases in the order they ran (`load` then `run`; a `kvlab run` file has only `run`). */
  phases: PhaseResult[];
  /** Free-text caveats (missing counters, fallbacks taken), for the report to show. */
  notes: string[];
}

/** Who ran what, when. */
export interface RunMeta {
  /** Unique id of this run (timestamp + random suffix). */
  id: string;
  /** The CLI command: `load`, `run` or `matrix`. */
  command: 'load' | 'run' | 'matrix';
  /** The full argv after `kvlab`, for reproduction. */
  argv: string[];
  /** ISO-8601 UTC. */
  startedAt: string;
  finishedAt: string;
  /** Present for a matrix cell: the matrix id shared by its files and this cell's position. */
  matrix: { id: string; engineIndex: number; workloadIndex: number; engines: string[]; workloads: string[] } | null;
}

/** The engine as it ran: identity, every setting in effect, durability. */
export interface EngineRecord {
  /** Registry name (`lsm`). */
  name: string;
  /** Label with non-default options (`lsm:compaction=tiered,bloomBits=0`): what reports show. */
  label: string;
  design: string;
  version: string;
  kind: 'sync' | 'async';
  capabilities: Capabilities;
  limits: Limits;
  /** The durability mode used: always shown next to every figure (with {@link durabilityLabel}). */
  durability: Durability;
  /**
   * Whether acknowledged writes survive a SIGKILL (engines/engine.ts CrashSafety): absent in
   * results written before it was recorded. `process-crash-unsafe` (the explicit bufferWrites
   * option) is shown next to the durability wherever a report shows it.
   */
  crashSafety?: 'process-crash-safe' | 'process-crash-unsafe';
  /** Group commit window when durability is `group`, else null. */
  groupCommit: { ms: number; bytes: number } | null;
  /** Every engine setting in effect, defaults included. */
  settings: Record<string, string | number | boolean>;
  /** Data directory (absolute), or null for a non-persistent engine. */
  dir: string | null;
}

/**
 * The durability as reports show it: `none`, or `none, process-crash-unsafe` for an engine with
 * a user-space write buffer, or `none, crash safety not recorded` for older results.
 */
export function durabilityLabel(e: Pick<EngineRecord, 'durability' | 'crashSafety'>): string {
  if (e.crashSafety === 'process-crash-unsafe') return `${e.durability}, process-crash-unsafe`;
  if (e.crashSafety === undefined) return `${e.durability}, crash safety not recorded`;
  return e.durability;
}

/** The workload: properties as merged from -P files and -p overrides, and the seed. */
export interface WorkloadRecord {
  /** Short name, e.g. `workloada` (basename of the first -P file) or `custom`. */
  name: string;
  /** The -P files, as given. */
  propertyFiles: string[];
  /** Every property after merging files and overrides (strings, as YCSB keeps them). */
  properties: Record<string, string>;
  /** Seed of the operation stream and record codec; the same seed replays the same ops. */
  seed: number;
  /** Trace file replayed instead of generated ops, or null. */
  trace: string | null;
}

/** How the harness measured. */
export interface HarnessSettings {
  /** Operations in flight (async engines); 1 for sync engines (driven in a plain loop). */
  threads: number;
  /** Open-loop target in ops/s, or null for a closed loop (as fast as it goes). */
  targetOpsPerSec: number | null;
  /** Warm-up operations run before each measured run phase and excluded from the figures. */
  warmupOps: number;
  trials: number;
  /** Length of one time-series interval. */
  intervalMs: number;
  /** HDR histogram settings: values are integer nanoseconds. */
  histogram: { unit: 'ns'; lowestDiscernibleValue: number; highestTrackableValue: number; significantDigits: number };
  /** Whether the YCSB record codec ran (`ycsb`) or opaque values were written (`raw`). */
  valueMode: string;
}

/** The machine and software a result came from. */
export interface EnvironmentManifest {
  hostname: string;
  platform: string;
  arch: string;
  /** `os.release()`, e.g. `6.1.0-18-amd64`. */
  kernel: string;
  cpuModel: string;
  /** Logical CPUs. */
  cores: number;
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  node: string;
  v8: string;
  kvlabVersion: string;
  /** `git rev-parse HEAD` of the kvlab tree, or null when unknown. */
  gitRevision: string | null;
  /** Whether the tree had uncommitted changes (null when unknown). */
  gitDirty: boolean | null;
  /** Versions of the engine libraries (`lmdb`, `classic-level`, `better-sqlite3`, ...). */
  libraryVersions: Record<string, string>;
  /** The data directory's file system (from /proc/mounts), or null fields when unknown. */
  filesystem: { dir: string; type: string | null; mountPoint: string | null; device: string | null };
  /** Estimated dataset (recordcount × (key + value bytes)) against RAM. */
  dataset: { estimatedBytes: number; ramBytes: number; ratioToRam: number };
}

/** The harness's cost per operation, measured with the null engine on workload C. */
export interface HarnessCost {
  /** Nanoseconds per operation of the whole harness loop with latency recording on. */
  nsPerOp: number;
  opsPerSec: number;
  operations: number;
  /** ISO time of the measurement (usually at the start of the run that carries it). */
  measuredAt: string;
  /** How it was measured, e.g. `null engine, workloadc, 200000 ops, raw values`. */
  method: string;
}

/** Why a pair was not run. */
export interface NotApplicable {
  reason: string;
  /** The missing capability (`orderedScan`, `persistent`, ...), when that is the reason. */
  capability: string | null;
}

/** One phase (load or run) over all its trials. */
export interface PhaseResult {
  phase: 'load' | 'run';
  trials: PhaseTrial[];
  /** Median and 95% confidence interval of the key figures across trials. */
  summary: PhaseSummary;
}

/** One measured execution of a phase. */
export interface PhaseTrial {
  /** 0-based trial index. */
  trial: number;
  startedAt: string;
  /** Measured operations (all types, failures included; warm-up excluded). */
  operations: number;
  durationMs: number;
  /** operations / duration. */
  throughput: number;
  /** Why the phase ended. */
  stoppedBy: 'operationcount' | 'recordcount' | 'maxexecutiontime' | 'trace-end' | 'error';
  /** Warm-up executed before measuring (not in any figure), or null. */
  warmup: { operations: number; durationMs: number } | null;
  /** Per operation type that occurred. */
  ops: Partial<Record<ResultOpType, OpTypeResult>>;
  /** All operation types together. */
  overall: { latency: HistogramRecord; intendedLatency: HistogramRecord | null };
  /** One point per interval, in order. */
  intervals: IntervalPoint[];
  /** Bytes the harness passed to / received from the engine (keys + values), counted identically for every engine. */
  userBytes: { written: number; read: number };
  engineStats: { before: EngineStats; after: EngineStats };
  /** /proc/self/io of this process around the phase; null fields off Linux. Includes the harness's own I/O. */
  io: { before: ProcIo | null; after: ProcIo | null; delta: ProcIo | null };
  /** Bytes under the data directory (recursive), or null for a non-persistent engine. */
  dirBytes: { before: number | null; after: number | null };
  memory: { rssBefore: number; rssAfter: number; heapUsedBefore: number; heapUsedAfter: number };
  amplification: Amplification;
  /** First errors seen (at most a few), for diagnosis. */
  errorSamples: string[];
}

/** Latency and failures of one operation type in one trial. */
export interface OpTypeResult {
  /** Operations that succeeded. */
  count: number;
  /** Operations that threw (counted, not in the latency histogram). */
  failures: number;
  /** Failures by KvError code (`IO`, ...); other errors count as `ERROR`. */
  failureCodes: Record<string, number>;
  /** Reads that found nothing (READ/SCAN/READMODIFYWRITE of a key not present): YCSB's NOT_FOUND. */
  notFound: number;
  /** Service time: from the call to its return. */
  latency: HistogramRecord;
  /** With --target: from the intended start time (coordinated omission corrected), else null. */
  intendedLatency: HistogramRecord | null;
}

/** A serialized HDR histogram plus its summary (all values in ns). */
export interface HistogramRecord {
  count: number;
  /** Zero when count is 0. */
  min: number;
  max: number;
  mean: number;
  stdDev: number;
  /** Percentiles at p50, p75, p90, p95, p99, p99.9, p99.99 (keys `p50`, `p99_9`, ...). */
  percentiles: Percentiles;
  /** HdrHistogram V2 compressed, base64 (`hdr-histogram-js` decodeFromCompressedBase64 reads it). */
  hdrBase64: string;
}

export interface Percentiles {
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p99_9: number;
  p99_99: number;
}
/** Percentile keys and the percentile each stands for. */
export const PERCENTILE_KEYS: ReadonlyArray<[keyof Percentiles, number]> = [
  ['p50', 50], ['p75', 75], ['p90', 90], ['p95', 95], ['p99', 99], ['p99_9', 99.9], ['p99_99', 99.99],
];

/** One interval of the time series (all operation types together). */
export interface IntervalPoint {
  /** End of the interval, ms since the phase's measured start. */
  tMs: number;
  operations: number;
  /** Operations per second within the interval. */
  throughput: number;
  /** Service-time percentiles within the interval (ns), null when no op completed. */
  p50: number | null;
  p99: number | null;
  /** With --target: intended-start p99 within the interval, else null. */
  intendedP99: number | null;
  failures: number;
}

/** /proc/self/io counters (bytes; syscr/syscw are call counts). */
export interface ProcIo {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  read_bytes: number;
  write_bytes: number;
  cancelled_write_bytes: number;
}

/**
 * Amplification over one phase. Each figure is null when an input is unknown or zero; `notes`
 * explain. Ratios use the harness's user bytes (identical accounting for every engine).
 */
export interface Amplification {
  /** Engine-counted device bytes written / user bytes written. */
  writeEngine: number | null;
  /** /proc/self/io write_bytes (reached the block layer) / user bytes written. */
  writeOs: number | null;
  /** /proc/self/io wchar (write syscalls, page cache included) / user bytes written. */
  writeSyscall: number | null;
  /** Engine-counted device bytes read / user bytes read. */
  readEngine: number | null;
  /** /proc/self/io rchar / user bytes read (mmap reads, as in LMDB, do not show here). */
  readSyscall: number | null;
  /** Engine-counted reads (device bytes read delta) per READ operation, bytes. */
  deviceBytesPerRead: number | null;
  /** Data directory bytes / live user bytes (engine liveBytes, else harness estimate). */
  space: number | null;
  /** Engine-reported index memory bytes per live key. */
  indexBytesPerKey: number | null;
  /** RSS after the phase / live keys. */
  rssBytesPerKey: number | null;
  /** Heap used delta over the phase, bytes. */
  heapDeltaBytes: number;
  notes: string[];
}

/** Statistics of one figure across trials. */
export interface TrialStat {
  n: number;
  values: number[];
  median: number;
  mean: number;
  /** Sample standard deviation (0 when n = 1). */
  stdDev: number;
  /** 95% CI of the mean (Student t), null when n < 2. */
  ci95: [number, number] | null;
}

/** Cross-trial summary of a phase. */
export interface PhaseSummary {
  throughput: TrialStat;
  durationMs: TrialStat;
  /** Per operation type: service-time p50/p99 (ns) and failures across trials. */
  ops: Partial<Record<ResultOpType, { p50: TrialStat; p99: TrialStat; p99_9: TrialStat; failures: TrialStat }>>;
  overall: { p50: TrialStat; p99: TrialStat; intendedP99: TrialStat | null };
}

/** Validates then writes `results` to `file` (creating parent dirs). Throws INVALID_ARGUMENT on a bad document. */
export function writeResults(file: string, results: ResultsFile): void {
  validateResults(results, file);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 1) + '\n');
  fs.renameSync(tmp, file);
}

/**
 * Reads and validates a results file. Errors: NOT_FOUND (no file), INVALID_ARGUMENT (not JSON or
 * not a valid results document; the message names the JSON path), NOT_SUPPORTED (other schemaVersion).
 */
export function readResults(file: string): ResultsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new KvError('NOT_FOUND', `${file}: no such results file`, { file });
    throw new KvError('IO', `${file}: ${(e as Error).message}`, { file, cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KvError('INVALID_ARGUMENT', `${file}: not JSON (${(e as Error).message})`, { file });
  }
  return validateResults(doc, file);
}

export { validateResults };
