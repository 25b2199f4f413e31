/**
 * The torture results JSON (`kind: 'kvlab-torture'`): per engine, what the process-crash,
 * power-loss and corruption tortures ran and found. Documented field by field in
 * torture/RESULTS.md. Units: milliseconds for times, counts otherwise. A section that cannot
 * apply to an engine (not persistent, does its own I/O) has `applicable: false` and a
 * `reason`, never zeros pretending to be measurements. Types and validation come from one
 * TypeBox schema (as harness/results-schema.ts for run results); files are validated on write and read.
 */
import * as os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KvError } from '../engines/errors.js';
import { readJsonFile, writeJsonFile } from '../harness/json-file.js';
import { schemaValidator } from '../harness/results-validate.js';
import type { ViolationKind } from './verify.js';

/** Bump on any change a reader could misread. Adding optional fields does not bump it. */
export const TORTURE_SCHEMA_VERSION = 1;

/** Nearest-rank percentiles of `xs` (milliseconds, 3 decimals). */
export function percentiles(xs: readonly number[]): Percentiles {
  if (xs.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null };
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! * 1000) / 1000;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

const Count = Type.Integer({ minimum: 0 });
const Ms = Type.Number({ minimum: 0 });
const Durability = Type.Union([Type.Literal('none'), Type.Literal('group'), Type.Literal('always')]);
const NullableMs = Type.Union([Ms, Type.Null()]);

/** How one corrupted store behaved when opened and read in full. */
export const CORRUPTION_OUTCOMES = [
  /** A KvError with code CORRUPTION (at open or on a read). */
  'detected',
  /** Everything read back intact: the damage hit bytes the engine does not need. */
  'intact',
  /** Some keys missing, every value read is current, no error. */
  'bounded-loss',
  /** Some keys show an older version they really had (or a deleted key reappears), none wrong, no error. */
  'stale-value',
  /** A value no write produced, or a key never written: the failure that must never happen. */
  'wrong-value',
  /** A KvError with another code (IO, NOT_FOUND, ...): typed but not CORRUPTION. */
  'other-kverror',
  /** An exception that is not a KvError escaped the engine. */
  'uncaught',
  /** The process died (signal or abnormal exit), e.g. a native crash. */
  'process-died',
  /** No answer within the time limit. */
  'hang',
] as const;
export type CorruptionOutcome = (typeof CORRUPTION_OUTCOMES)[number];

/** The violation kinds of torture/verify.ts, plus corruption outcomes and fault-torture kinds. */
const ViolationKindSchema = Type.String({ minLength: 1, maxLength: 40 });

/** A violation with what it takes to reproduce it (`kind`: a {@link ViolationKind} or a {@link CorruptionOutcome}). */
export const ViolationRecordSchema = Type.Object({
  engine: Type.String(),
  seed: Type.Integer(),
  /** Crash cycle (process crashes), crash number (power loss) or case number (corruption). */
  cycle: Count,
  kind: ViolationKindSchema,
  key: Type.Optional(Count),
  killPoint: Type.Optional(Type.String()),
  detail: Type.String(),
});
export type ViolationRecord = Omit<Static<typeof ViolationRecordSchema>, 'kind'> & { kind: ViolationKind | CorruptionOutcome };

/** Nearest-rank percentiles of a sample in ms (null when empty). */
export const PercentilesSchema = Type.Object({ count: Count, p50: NullableMs, p90: NullableMs, p99: NullableMs, max: NullableMs });
export type Percentiles = Static<typeof PercentilesSchema>;

/** What both the crash and the power-loss torture count (the same checks after a recovery). */
const RECOVERY_FINDINGS = {
  opsAcknowledged: Count,
  /** Durable-acknowledged writes whose survival was verified after a crash. */
  durableVerified: Count,
  /** Durable-acknowledged writes (or recovered states) lost: must be 0. */
  lost: Count,
  wrongValues: Count,
  tornBatches: Count,
  /** Other violations (open failures, engine errors, scan disagreements, contract, hangs). */
  otherViolations: Count,
};

/** Process-crash torture of one engine at one durability. */
export const CrashSectionSchema = Type.Object({
  applicable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  durability: Durability,
  seed: Type.Integer(),
  /** Kill point the cycles targeted, or null for random SIGKILLs from the parent. */
  killPoint: Type.Union([Type.String(), Type.Null()]),
  cycles: Count,
  killedByParent: Count,
  /** Cycles where the child died at the kill point (SIGKILL it sent itself). */
  killedAtPoint: Count,
  /** Cycles killed while the store was still opening (recovering). */
  killedDuringRecovery: Count,
  /** Cycles that ran all their operations and closed cleanly. */
  cleanExits: Count,
  ...RECOVERY_FINDINGS,
  recoveryMs: PercentilesSchema,
  elapsedMs: Ms,
  /** The first violations, in full (capped at {@link MAX_VIOLATIONS}). */
  violations: Type.Array(ViolationRecordSchema),
  /** Independent cumulative stores the cycles were spread over; absent: 1. */
  shards: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Cycles whose child could not start even after retries: not the engine's doing, not counted. */
  harnessErrors: Type.Optional(Count),
  harnessNotes: Type.Optional(Type.Array(Type.String())),
});
export type CrashSection = Omit<Static<typeof CrashSectionSchema>, 'violations'> & { violations: ViolationRecord[] };

/** Power-loss (CrashFs) torture of one engine. */
export const PowerLossSectionSchema = Type.Object({
  applicable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  durability: Durability,
  seed: Type.Integer(),
  crashes: Count,
  ...RECOVERY_FINDINGS,
  violations: Type.Array(ViolationRecordSchema),
});
export type PowerLossSection = Omit<Static<typeof PowerLossSectionSchema>, 'violations'> & { violations: ViolationRecord[] };

const OutcomeCounts = Type.Object(Object.fromEntries(CORRUPTION_OUTCOMES.map((o) => [o, Count])) as Record<CorruptionOutcome, typeof Count>);
const PartialOutcomeCounts = Type.Partial(OutcomeCounts, { additionalProperties: false });

/** Corruption torture of one engine. */
export const CorruptionSectionSchema = Type.Object({
  applicable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  /** The file types found after a load (file names with digits replaced by `#`). */
  fileTypes: Type.Array(Type.String()),
  injected: Count,
  outcomes: OutcomeCounts,
  /** Per file type and mutation kind (`flip`, `zero`, `truncate`): outcome counts. */
  byFileType: Type.Record(Type.String(), Type.Record(Type.String(), PartialOutcomeCounts)),
  /** Cases that failed or were silent (capped list). */
  violations: Type.Array(ViolationRecordSchema),
});
export type CorruptionSection = Omit<Static<typeof CorruptionSectionSchema>, 'violations'> & { violations: ViolationRecord[] };

/** I/O-fault torture (FaultFs) of one engine. */
export const FaultSectionSchema = Type.Object({
  applicable: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  trials: Count,
  /** Trials where the planned failure happened. */
  faultsInjected: Count,
  /** Failures that surfaced as KvErrors. */
  typedErrors: Count,
  /** Non-KvError exceptions, lost acknowledged writes, wrong values, failed reopens. */
  violations: Type.Array(ViolationRecordSchema),
  violationCount: Count,
});
export type FaultSection = Omit<Static<typeof FaultSectionSchema>, 'violations'> & { violations: ViolationRecord[] };

/** One engine's reliability record. */
export const EngineTortureResultSchema = Type.Object({
  engine: Type.String({ minLength: 1 }),
  crash: Type.Array(CrashSectionSchema),
  powerLoss: Type.Union([PowerLossSectionSchema, Type.Null()]),
  corruption: Type.Union([CorruptionSectionSchema, Type.Null()]),
  /** I/O-fault torture, when run. */
  faults: Type.Optional(Type.Union([FaultSectionSchema, Type.Null()])),
});
export interface EngineTortureResult {
  engine: string;
  crash: CrashSection[];
  powerLoss: PowerLossSection | null;
  corruption: CorruptionSection | null;
  faults?: FaultSection | null;
}

/** A complete torture results file. */
export const TortureResultsSchema = Type.Object({
  kind: Type.Literal('kvlab-torture'),
  schemaVersion: Type.Literal(TORTURE_SCHEMA_VERSION),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  argv: Type.Array(Type.String()),
  environment: Type.Object({ node: Type.String(), platform: Type.String(), cpuModel: Type.String(), cores: Count, kernel: Type.String() }),
  engines: Type.Array(EngineTortureResultSchema),
});
export type TortureResults = Omit<Static<typeof TortureResultsSchema>, 'engines'> & { engines: EngineTortureResult[] };

const checkTorture = schemaValidator<TortureResults>(TortureResultsSchema, 'torture results');

/**
 * Validates a torture results document (the same discipline as run results): INVALID_ARGUMENT
 * naming the file and the JSON path of the first problem; NOT_SUPPORTED for another schemaVersion.
 */
export function validateTortureResults(doc: unknown, file = '<torture results>'): TortureResults {
  const d = doc as { kind?: unknown; schemaVersion?: unknown } | null;
  if (d !== null && typeof d === 'object' && d.kind === 'kvlab-torture' && typeof d.schemaVersion === 'number' && d.schemaVersion !== TORTURE_SCHEMA_VERSION)
    throw new KvError('NOT_SUPPORTED', `${file}: torture schemaVersion ${d.schemaVersion} is not supported (this kvlab reads ${TORTURE_SCHEMA_VERSION})`, { file });
  return checkTorture(doc, file);
}

/** Reads and validates a torture results file (NOT_FOUND, INVALID_ARGUMENT as for run results). */
export function readTortureResults(file: string): TortureResults {
  return validateTortureResults(readJsonFile(file, 'torture results'), file);
}

/** A results skeleton with the environment filled in. */
export function newResults(argv: string[]): TortureResults {
  const cpus = os.cpus();
  return {
    kind: 'kvlab-torture',
    schemaVersion: TORTURE_SCHEMA_VERSION,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    argv,
    environment: { node: process.version, platform: process.platform, cpuModel: cpus[0]?.model ?? 'unknown', cores: cpus.length, kernel: os.release() },
    engines: [],
  };
}

/** Validates, then writes `results` as pretty JSON (directories created, atomically), stamping `finishedAt`. */
export function writeResults(file: string, results: TortureResults): void {
  results.finishedAt = new Date().toISOString();
  validateTortureResults(results, file);
  writeJsonFile(file, results, 2);
}

/** Maximum violations kept in full per section. */
export const MAX_VIOLATIONS = 50;
