/**
 * The results schema, defined once: TypeBox schemas from which both the TypeScript types
 * (`Static<...>`, re-exported by harness/results.ts) and the validator (compiled once with
 * TypeBox's TypeCompiler) come, so the two cannot drift. `RESULTS_JSON_SCHEMA` is the same schema
 * as standard JSON Schema, for readers outside kvlab.
 *
 * Why TypeBox: its schemas *are* JSON Schema (no conversion step), its compiled checks are a
 * straight-line function (validating a matrix's files costs well under a millisecond each), and
 * it has no dependencies (about 1.5 MB installed, most of it typings; zod 4 is larger and emits
 * JSON Schema only through a converter; ajv needs a separate type layer).
 *
 * Unknown extra fields are allowed (forward-compatible). Rules JSON Schema cannot state (a
 * histogram's count equals its op count, `n` values per statistic, a CI when n >= 2, phases vs
 * `notApplicable`) are checked after the schema in harness/results-validate.ts.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Version of the results schema. A reader rejects any other version with NOT_SUPPORTED. */
export const SCHEMA_VERSION = 1;
/** The `kind` tag every results file carries (distinguishes it from other kvlab JSON). */
export const RESULTS_KIND = 'kvlab-results';

/** The operation types a phase can record (YCSB's names). */
export const OP_TYPES = ['READ', 'UPDATE', 'INSERT', 'SCAN', 'READMODIFYWRITE'] as const;
export type ResultOpType = (typeof OP_TYPES)[number];

const Count = Type.Integer({ minimum: 0 });
const NonNeg = Type.Number({ minimum: 0 });
const Finite = Type.Number();
const Iso = Type.String({ format: 'iso-date' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <const T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v))) as unknown as TSchema & { static: T[number] };
const PerOp = <T extends TSchema>(t: T) => Type.Partial(Type.Object(Object.fromEntries(OP_TYPES.map((o) => [o, t])) as Record<ResultOpType, T>), { additionalProperties: false });

/** Who ran what, when. `matrix` is set for a matrix cell: the matrix id and this cell's position. */
export const RunMetaSchema = Type.Object({
  id: Type.String(),
  command: Enum(['load', 'run', 'matrix'] as const),
  /** The full argv after `kvlab`, for reproduction. */
  argv: Type.Array(Type.String()),
  startedAt: Iso,
  finishedAt: Iso,
  matrix: Nullable(Type.Object({ id: Type.String(), engineIndex: Count, workloadIndex: Count, engines: Type.Array(Type.String()), workloads: Type.Array(Type.String()) })),
});

/** The engine as it ran: identity, every setting in effect (defaults included), durability. */
export const EngineRecordSchema = Type.Object({
  name: Type.String(),
  /** Label with non-default options (`lsm:compaction=tiered`): what reports show. */
  label: Type.String(),
  design: Type.String(),
  version: Type.String(),
  kind: Enum(['sync', 'async'] as const),
  capabilities: Type.Object({ orderedScan: Type.Boolean(), atomicBatch: Type.Boolean(), persistent: Type.Boolean(), durability: Type.Array(Enum(['none', 'group', 'always'] as const)) }),
  limits: Type.Object({ maxKeyBytes: NonNeg, maxValueBytes: NonNeg }),
  durability: Enum(['none', 'group', 'always'] as const),
  /** Whether acknowledged writes survive a SIGKILL; absent in results written before it was recorded. */
  crashSafety: Type.Optional(Enum(['process-crash-safe', 'process-crash-unsafe'] as const)),
  groupCommit: Nullable(Type.Object({ ms: NonNeg, bytes: NonNeg })),
  settings: Type.Record(Type.String(), Type.Union([Type.String(), Finite, Type.Boolean()])),
  /** Data directory (absolute), or null for a non-persistent engine. */
  dir: Nullable(Type.String()),
});

/**
 * What a trace replay ran (`kvlab run --trace`): the format (and whether it was detected), the
 * timing, and the trace's requests mapped onto kvlab's operations (workloads/traces/twitter.ts
 * TWITTER_MAPPING): executed per kvlab type, skipped per reason (`delete`, `unknown:<op>`).
 */
export const TraceReplaySchema = Type.Object({
  format: Enum(['kvlab', 'twitter'] as const),
  /** true when the format was detected from the file (magic bytes / extension), false when --trace-format gave it. */
  formatDetected: Type.Boolean(),
  file: Type.String(),
  timing: Enum(['fast', 'recorded'] as const),
  /** Timestamps divided by this (recorded timing). */
  speed: Finite,
  /** `none`: the run started from the store as found; `first-write`: a load phase put every key once; `generated`: a kvlab trace's load from its workload. */
  preload: Enum(['none', 'first-write', 'generated'] as const),
  /** Trace requests (Twitter lines, skipped unknown operations not included) or kvlab operations read. */
  requests: Type.Integer(),
  byTraceOp: Type.Record(Type.String(), Type.Integer()),
  executed: Type.Record(Type.String(), Type.Integer()),
  skipped: Type.Record(Type.String(), Type.Integer()),
  preloaded: Type.Integer(),
  /** The last op's intended start, ms after the loop start (recorded timing), else null. */
  lastAtMs: Nullable(Finite),
});

/** The workload: properties merged from -P files and -p overrides (strings, as YCSB keeps them), and the seed. */
export const WorkloadRecordSchema = Type.Object({
  name: Type.String(),
  propertyFiles: Type.Array(Type.String()),
  properties: Type.Record(Type.String(), Type.String()),
  seed: Type.Integer(),
  trace: Nullable(Type.String()),
  /** Set for a trace replay: what was replayed and how (absent in files written before it existed). */
  traceReplay: Type.Optional(TraceReplaySchema),
  /** Properties YCSB accepts that kvlab reads but does not act on (listed so nothing is silently ignored). */
  ignoredProperties: Type.Optional(Type.Array(Type.String())),
});

/** How the harness measured. */
export const HarnessSettingsSchema = Type.Object({
  /** Operations in flight (async engines); 1 for sync engines (driven in a plain loop). */
  threads: Type.Integer({ minimum: 1 }),
  /** Open-loop target in ops/s, or null for a closed loop. */
  targetOpsPerSec: Nullable(NonNeg),
  warmupOps: Count,
  trials: Type.Integer({ minimum: 1 }),
  intervalMs: NonNeg,
  histogram: Type.Object({ unit: Type.Literal('ns'), lowestDiscernibleValue: NonNeg, highestTrackableValue: NonNeg, significantDigits: Count }),
  valueMode: Type.String(),
  /** True when every trial ran in a fresh child process (`--fork`). Absent in older results. */
  forked: Type.Optional(Type.Boolean()),
  /**
   * The memory cgroup every trial's process ran in (`--memory-limit`; harness/memory-limit.ts):
   * its limit covers the engine, the heap and the page cache the process causes. Null or absent:
   * no limit (the whole machine's RAM, `environment.totalMemoryBytes`).
   */
  memoryLimit: Type.Optional(Nullable(Type.Object({ bytes: NonNeg, cgroup: Enum(['v1', 'v2'] as const) }))),
  /** A --memory-limit asked for with --memory-limit-best-effort that could not be applied: why (the run had no limit). */
  memoryLimitNotApplied: Type.Optional(Type.String()),
  /** The bound on one operation (`--op-timeout`, ms; 0 = none). Absent in older results. */
  opTimeoutMs: Type.Optional(NonNeg),
  /**
   * How `threads` was chosen for an async engine: `given` (--threads / threadcount) or `ladder`
   * (the matrix tried each count of `ladder` and kept the best throughput). Absent for sync engines.
   */
  threadsChosen: Type.Optional(Type.Object({
    by: Enum(['given', 'ladder'] as const),
    ladder: Type.Array(Type.Object({ threads: Type.Integer({ minimum: 1 }), throughput: NonNeg })),
  })),
  /**
   * A scale-out run (`--clients N`, `--agents`; harness/clients/): `count` client processes ran
   * each trial together (one barrier start) and the figures are their exact merge (histograms
   * added bucket by bucket). `mode`: `processes` (children of the coordinator) or `agents`
   * (`kvlab agent` on each listed host, `clientsPerAgent` each). `ownStores`: every client had
   * its own store (`--clients-own-stores`, embedded engines); else all shared one. `threads` is
   * per client. Absent: one process.
   */
  clients: Type.Optional(Type.Object({
    count: Type.Integer({ minimum: 1 }),
    mode: Enum(['processes', 'agents'] as const),
    ownStores: Type.Boolean(),
    agents: Type.Optional(Type.Array(Type.String())),
    clientsPerAgent: Type.Optional(Type.Integer({ minimum: 1 })),
  })),
});

/** The machine and software a result came from. */
export const EnvironmentManifestSchema = Type.Object({
  hostname: Type.String(), platform: Type.String(), arch: Type.String(),
  /** `os.release()`. */
  kernel: Type.String(),
  cpuModel: Type.String(),
  cores: Count,
  totalMemoryBytes: NonNeg,
  freeMemoryBytes: NonNeg,
  node: Type.String(), v8: Type.String(), kvlabVersion: Type.String(),
  gitRevision: Nullable(Type.String()),
  /** Uncommitted changes to tracked files (null when unknown). */
  gitDirty: Nullable(Type.Boolean()),
  libraryVersions: Type.Record(Type.String(), Type.String()),
  filesystem: Type.Object({ dir: Type.String(), type: Nullable(Type.String()), mountPoint: Nullable(Type.String()), device: Nullable(Type.String()) }),
  /**
   * Estimated dataset (records × (key + value bytes)) against RAM and against the memory the run
   * had (`memoryBytes`: the --memory-limit, else RAM; `ratioToMemory` = estimatedBytes / memoryBytes;
   * absent in older results).
   */
  dataset: Type.Object({
    estimatedBytes: NonNeg, ramBytes: NonNeg, ratioToRam: NonNeg,
    memoryBytes: Type.Optional(NonNeg), ratioToMemory: Type.Optional(NonNeg), memoryIs: Type.Optional(Enum(['limit', 'ram'] as const)),
  }),
});

/** The loops the harness drives engines with; each has its own measured cost. */
export const LOOP_KINDS = ['sync', 'async', 'open-sync', 'open-async'] as const;
export type LoopKind = (typeof LOOP_KINDS)[number];

/** The harness's cost per operation of one loop, measured with the null engine on workload C. */
export const HarnessCostSchema = Type.Object({
  /** Nanoseconds per operation of the whole loop with latency recording on. */
  nsPerOp: NonNeg,
  opsPerSec: NonNeg,
  operations: Count,
  measuredAt: Iso,
  method: Type.String(),
  /** The loop measured (absent in older results: the sync loop). */
  loop: Type.Optional(Enum(LOOP_KINDS)),
  /** Operations in flight (async loops). */
  threads: Type.Optional(Type.Integer({ minimum: 1 })),
});

/** An async binding's bare-loop floor (engines/engine.ts BindingFloor), measured in the same run. */
export const BindingFloorSchema = Type.Object({
  threads: Type.Integer({ minimum: 1 }), operations: Count, putNsPerOp: NonNeg, getNsPerOp: NonNeg, method: Type.String(), measuredAt: Iso,
});

/** Why a pair was not run. */
export const NotApplicableSchema = Type.Object({ reason: Type.String(), capability: Nullable(Type.String()) });

/** A serialized HDR histogram plus its summary (all values in ns). */
export const PercentilesSchema = Type.Object({ p50: NonNeg, p75: NonNeg, p90: NonNeg, p95: NonNeg, p99: NonNeg, p99_9: NonNeg, p99_99: NonNeg });
export const HistogramRecordSchema = Type.Object({
  count: Count, min: NonNeg, max: NonNeg, mean: NonNeg, stdDev: NonNeg,
  percentiles: PercentilesSchema,
  /** HdrHistogram V2 compressed, base64. */
  hdrBase64: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
});

/** Latency and failures of one operation type in one trial. */
export const OpTypeResultSchema = Type.Object({
  count: Count,
  failures: Count,
  failureCodes: Type.Record(Type.String(), Count),
  /** Reads that found nothing: YCSB's NOT_FOUND. */
  notFound: Count,
  latency: HistogramRecordSchema,
  /** With --target: from the intended start time (coordinated omission corrected), else null. */
  intendedLatency: Nullable(HistogramRecordSchema),
});

/** One interval of the time series (all operation types together). */
export const IntervalPointSchema = Type.Object({
  tMs: NonNeg, operations: Count, throughput: NonNeg,
  p50: Nullable(NonNeg), p99: Nullable(NonNeg), intendedP99: Nullable(NonNeg), failures: Count,
});

/** /proc/self/io counters (bytes; syscr/syscw are call counts); a delta may be negative. */
const procIo = <T extends TSchema>(n: T) => Type.Object({ rchar: n, wchar: n, syscr: n, syscw: n, read_bytes: n, write_bytes: n, cancelled_write_bytes: n });
export const ProcIoSchema = procIo(NonNeg);

const STAT_FIELDS = [
  'userBytesWritten', 'userBytesRead', 'deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveBytes', 'liveKeys',
  'diskBytes', 'files', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'cacheHits',
  'cacheMisses', 'bloomNegatives', 'indexMemoryBytes',
] as const;
/** Engine statistics (engines/engine.ts EngineStats). */
export const EngineStatsSchema = Type.Object({
  ...(Object.fromEntries(STAT_FIELDS.map((k) => [k, NonNeg])) as Record<(typeof STAT_FIELDS)[number], typeof NonNeg>),
  extra: Type.Record(Type.String(), Finite),
  unknown: Type.Array(Type.String()),
});

/**
 * Amplification over one phase; a figure is null when an input is unknown or zero (`notes` say
 * why). Memory per key is given from the engine's own index figure and from the process (RSS,
 * and its anonymous part): the process figure includes the harness and Node (tens of MB), so
 * compare engines on it at a size where that is small.
 */
export const AmplificationSchema = Type.Object({
  writeEngine: Nullable(NonNeg), writeOs: Nullable(NonNeg), writeSyscall: Nullable(NonNeg),
  readEngine: Nullable(NonNeg), readSyscall: Nullable(NonNeg), deviceBytesPerRead: Nullable(NonNeg),
  space: Nullable(NonNeg), indexBytesPerKey: Nullable(NonNeg), rssBytesPerKey: Nullable(NonNeg),
  /** Anonymous RSS (heap, native allocations; no mapped file pages) per live key; absent in older results and off Linux. */
  rssAnonBytesPerKey: Type.Optional(Nullable(NonNeg)),
  heapDeltaBytes: Finite,
  notes: Type.Array(Type.String()),
});

/** Load average (1 min) and CPU ticks of the machine at one moment (/proc/loadavg, /proc/stat, /proc/self/stat). */
export const MachineLoadSchema = Type.Object({
  loadavg1: NonNeg,
  /** Cumulative CPU ticks: steal and total (all states), from /proc/stat; null off Linux. */
  stealTicks: Nullable(NonNeg),
  totalTicks: Nullable(NonNeg),
  /** Cumulative busy ticks of the whole machine (not idle, iowait or steal) and of this process. */
  busyTicks: Type.Optional(Nullable(NonNeg)),
  selfTicks: Type.Optional(Nullable(NonNeg)),
});

/**
 * One client of a scale-out trial (`harness.clients`): its share, its own figures and how its
 * clock related to the coordinator's. `clockOffsetMs` = client clock − coordinator clock, from
 * the ping with the smallest round trip (`rttMs`) at the barrier; `startSkewMs` = when its loop
 * began, on the coordinator's clock, minus the barrier instant.
 */
export const ClientTrialSchema = Type.Object({
  index: Count,
  /** The client's host name, and the agent (HOST:PORT) it ran under, or null for a local child. */
  host: Type.String(),
  agent: Nullable(Type.String()),
  pid: Count,
  seed: Type.Number(),
  /** Load: the key numbers this client inserted (insertstart, insertcount); run: its operation share, and its open-loop target or null. */
  insertstart: Type.Optional(Count),
  insertcount: Type.Optional(Count),
  operationShare: Type.Optional(Count),
  targetOpsPerSec: Nullable(NonNeg),
  operations: Count,
  durationMs: NonNeg,
  throughput: NonNeg,
  stoppedBy: Type.String(),
  failed: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  failures: Count,
  latency: HistogramRecordSchema,
  intendedLatency: Nullable(HistogramRecordSchema),
  intervals: Type.Array(Type.Object({ tMs: NonNeg, operations: Count, throughput: NonNeg, p99: Nullable(NonNeg) })),
  clockOffsetMs: Finite,
  rttMs: NonNeg,
  startSkewMs: Finite,
});

/** One measured execution of a phase. */
export const PhaseTrialSchema = Type.Object({
  trial: Count,
  startedAt: Iso,
  operations: Count,
  durationMs: NonNeg,
  throughput: NonNeg,
  stoppedBy: Enum(['operationcount', 'recordcount', 'maxexecutiontime', 'trace-end', 'error', 'timeout'] as const),
  /** The operation that did not complete within `harness.opTimeoutMs` (stoppedBy 'timeout'). */
  timedOut: Type.Optional(Type.Object({
    op: Type.String(), key: Type.String(), index: Count, waitedMs: NonNeg, boundMs: NonNeg, waitingFor: Type.String(),
  })),
  /** stoppedBy 'error': the engine failed (a write or sync failed, its server went away) and refused every later call; its first error. */
  failed: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  warmup: Nullable(Type.Object({ operations: Count, durationMs: NonNeg })),
  ops: PerOp(OpTypeResultSchema),
  overall: Type.Object({ latency: HistogramRecordSchema, intendedLatency: Nullable(HistogramRecordSchema) }),
  intervals: Type.Array(IntervalPointSchema),
  userBytes: Type.Object({ written: NonNeg, read: NonNeg }),
  engineStats: Type.Object({ before: EngineStatsSchema, after: EngineStatsSchema }),
  io: Type.Object({ before: Nullable(ProcIoSchema), after: Nullable(ProcIoSchema), delta: Nullable(procIo(Finite)) }),
  dirBytes: Type.Object({ before: Nullable(NonNeg), after: Nullable(NonNeg) }),
  /**
   * Process memory around the phase. `rssAnonAfter` / `rssFileAfter` (/proc/self/status: anonymous
   * memory vs mapped file pages) and `externalAfter` (V8 external + array buffers) are absent in
   * older results and off Linux.
   */
  memory: Type.Object({
    rssBefore: NonNeg, rssAfter: NonNeg, heapUsedBefore: NonNeg, heapUsedAfter: NonNeg,
    rssAnonAfter: Type.Optional(NonNeg), rssFileAfter: Type.Optional(NonNeg), externalAfter: Type.Optional(NonNeg),
    /**
     * The process's memory cgroup after the phase (`--memory-limit`): its limit, usage, peak usage
     * since the process started (page cache included), the page cache and anonymous parts, how
     * often the limit was hit (`failcnt`, v1) and OOM kills.
     */
    cgroup: Type.Optional(Type.Object({
      limitBytes: NonNeg, usageBytes: NonNeg, peakBytes: NonNeg, cacheBytes: NonNeg, anonBytes: NonNeg,
      limitHits: Nullable(NonNeg), oomKills: Nullable(NonNeg),
    })),
  }),
  /** Page faults of the process during the phase (/proc/self/stat): a major fault read a mapped page from storage. Absent in older results and off Linux. */
  faults: Type.Optional(Type.Object({ major: Finite, minor: Finite })),
  amplification: AmplificationSchema,
  errorSamples: Type.Array(Type.String()),
  /** The machine before and after the trial; `busy` when other processes or steal took CPU during it (harness/probes.ts machineVerdict). Absent in older results. */
  machine: Type.Optional(Type.Object({
    before: MachineLoadSchema, after: MachineLoadSchema, stealPct: Nullable(NonNeg),
    /** Other processes' CPU during the trial, % of one core (machine busy time minus this process's). */
    othersPct: Type.Optional(Nullable(NonNeg)),
    busy: Type.Boolean(),
  })),
  /** Pid of the child process the trial ran in (`--fork`); absent when it ran in the parent. */
  pid: Type.Optional(Count),
  /**
   * A scale-out trial (`harness.clients`): each client's own figures. The trial's own figures are
   * their merge: operations and bytes summed, latency histograms added bucket by bucket, intervals
   * aligned on the coordinator's clock; engine stats, memory, faults and amplification's engine
   * figures are client 0's (`io` is summed over all clients on this machine's clock).
   */
  clients: Type.Optional(Type.Array(ClientTrialSchema)),
  /** Interval histograms of this trial in HdrHistogram's interval log format, written beside the results (`--out X.json` → `X.t<trial>.<phase>.hlog`); the file name. */
  hlog: Type.Optional(Type.String()),
});

/** Statistics of one figure across trials: median, mean, sample stdDev, Student-t 95% CI of the mean (null when n < 2). */
export const TrialStatSchema = Type.Object({
  n: Count,
  values: Type.Array(Finite),
  median: Finite,
  mean: Finite,
  stdDev: NonNeg,
  ci95: Nullable(Type.Tuple([Finite, Finite])),
});

/** Cross-trial summary of a phase. */
export const PhaseSummarySchema = Type.Object({
  throughput: TrialStatSchema,
  durationMs: TrialStatSchema,
  ops: PerOp(Type.Object({ p50: TrialStatSchema, p99: TrialStatSchema, p99_9: TrialStatSchema, failures: TrialStatSchema })),
  overall: Type.Object({ p50: TrialStatSchema, p99: TrialStatSchema, intendedP99: Nullable(TrialStatSchema) }),
});

/** One phase (load or run) over all its trials. */
export const PhaseResultSchema = Type.Object({
  phase: Enum(['load', 'run'] as const),
  trials: Type.Array(PhaseTrialSchema, { minItems: 1 }),
  summary: PhaseSummarySchema,
});

/** A complete results file (harness/RESULTS.md). */
export const ResultsFileSchema = Type.Object({
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  kind: Type.Literal(RESULTS_KIND),
  run: RunMetaSchema,
  engine: EngineRecordSchema,
  workload: WorkloadRecordSchema,
  harness: HarnessSettingsSchema,
  environment: EnvironmentManifestSchema,
  /** The harness's own cost per operation of the loop this result used, or null (reason in `notes`). */
  harnessCost: Nullable(HarnessCostSchema),
  /** For an async binding with a floor (classic-level): its bare loop at this result's threads, measured in the same run. */
  bindingFloor: Type.Optional(BindingFloorSchema),
  notApplicable: Nullable(NotApplicableSchema),
  phases: Type.Array(PhaseResultSchema),
  notes: Type.Array(Type.String()),
  /**
   * The run did not finish: what it measured until then is kept here, and `partial` says why
   * (e.g. an operation that never completed: code TIMEOUT, or the process was OOM-killed). Figures of a partial
   * result are never presented as complete.
   */
  partial: Type.Optional(Type.Object({ code: Type.String(), reason: Type.String() })),
});

export type RunMeta = Static<typeof RunMetaSchema>;
export type EngineRecord = Static<typeof EngineRecordSchema>;
export type WorkloadRecord = Static<typeof WorkloadRecordSchema>;
export type TraceReplay = Static<typeof TraceReplaySchema>;
export type HarnessSettings = Static<typeof HarnessSettingsSchema>;
export type EnvironmentManifest = Static<typeof EnvironmentManifestSchema>;
export type HarnessCost = Static<typeof HarnessCostSchema>;
export type NotApplicable = Static<typeof NotApplicableSchema>;
export type BindingFloorRecord = Static<typeof BindingFloorSchema>;
export type Percentiles = Static<typeof PercentilesSchema>;
export type HistogramRecord = Static<typeof HistogramRecordSchema>;
export type OpTypeResult = Static<typeof OpTypeResultSchema>;
export type IntervalPoint = Static<typeof IntervalPointSchema>;
export type ProcIo = Static<typeof ProcIoSchema>;
export type Amplification = Static<typeof AmplificationSchema>;
export type MachineLoad = Static<typeof MachineLoadSchema>;
export type PhaseTrial = Static<typeof PhaseTrialSchema>;
export type ClientTrial = Static<typeof ClientTrialSchema>;
export type TrialStat = Static<typeof TrialStatSchema>;
export type PhaseSummary = Static<typeof PhaseSummarySchema>;
export type PhaseResult = Static<typeof PhaseResultSchema>;
export type ResultsFile = Static<typeof ResultsFileSchema>;

/** The results schema as plain JSON Schema (draft 2020-12 compatible), e.g. to publish beside results. */
export const RESULTS_JSON_SCHEMA: object = JSON.parse(JSON.stringify(ResultsFileSchema));
