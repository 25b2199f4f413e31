/**
 * The torture results JSON (`kind: 'kvlab-torture'`): per engine, what the process-crash,
 * power-loss and corruption tortures ran and found. Documented field by field in
 * torture/RESULTS.md. Units: milliseconds for times, counts otherwise. A section that cannot
 * apply to an engine (not persistent, does its own I/O) has `applicable: false` and a
 * `reason`, never zeros pretending to be measurements.
 */
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Durability } from '../engines/engine.js';
import type { FaultSection } from './faults.js';
import type { ViolationKind } from './verify.js';

/** Bump on any change a reader could misread. Adding optional fields does not bump it. */
export const TORTURE_SCHEMA_VERSION = 1;

/** Nearest-rank percentiles of a sample (null when empty). */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of `xs` (milliseconds, 3 decimals). */
export function percentiles(xs: readonly number[]): Percentiles {
  if (xs.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null };
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! * 1000) / 1000;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

/** A violation with what it takes to reproduce it. */
export interface ViolationRecord {
  engine: string;
  seed: number;
  /** Crash cycle (process crashes), crash number (power loss) or case number (corruption). */
  cycle: number;
  kind: ViolationKind | CorruptionOutcome;
  key?: number;
  killPoint?: string;
  detail: string;
}

/** Process-crash torture of one engine at one durability. */
export interface CrashSection {
  applicable: boolean;
  reason?: string;
  durability: Durability;
  seed: number;
  /** Kill point the cycles targeted, or null for random SIGKILLs from the parent. */
  killPoint: string | null;
  cycles: number;
  killedByParent: number;
  /** Cycles where the child died at the kill point (SIGKILL it sent itself). */
  killedAtPoint: number;
  /** Cycles killed while the store was still opening (recovering). */
  killedDuringRecovery: number;
  /** Cycles that ran all their operations and closed cleanly. */
  cleanExits: number;
  opsAcknowledged: number;
  /** Durable-acknowledged writes whose survival was verified after a crash. */
  durableVerified: number;
  /** Durable-acknowledged writes (or recovered states) lost: must be 0. */
  lost: number;
  wrongValues: number;
  tornBatches: number;
  /** Other violations (open failures, engine errors, scan disagreements, contract, hangs). */
  otherViolations: number;
  recoveryMs: Percentiles;
  elapsedMs: number;
  /** The first violations, in full (capped). */
  violations: ViolationRecord[];
  /** Independent cumulative stores the cycles were spread over (seeds seed, seed+1, ...); absent: 1. */
  shards?: number;
  /** Cycles whose child could not start even after retries (e.g. dist/ rebuilt under it): not the engine's doing, not counted. */
  harnessErrors?: number;
  harnessNotes?: string[];
}

/** Power-loss (CrashFs) torture of one engine. */
export interface PowerLossSection {
  applicable: boolean;
  reason?: string;
  durability: Durability;
  seed: number;
  crashes: number;
  opsAcknowledged: number;
  durableVerified: number;
  lost: number;
  wrongValues: number;
  tornBatches: number;
  otherViolations: number;
  violations: ViolationRecord[];
}

/** How one corrupted store behaved when opened and read in full. */
export type CorruptionOutcome =
  /** A KvError with code CORRUPTION (at open or on a read). */
  | 'detected'
  /** Everything read back intact: the damage hit bytes the engine does not need. */
  | 'intact'
  /** Some keys missing, every value read is current: a bounded loss. */
  | 'bounded-loss'
  /** Some keys show an older version they really had (or a deleted key reappears), none wrong. */
  | 'stale-value'
  /** A value no write produced, or a key never written: the failure that must never happen. */
  | 'wrong-value'
  /** A KvError with another code (IO, NOT_FOUND, ...): typed but not CORRUPTION. */
  | 'other-kverror'
  /** An exception that is not a KvError escaped the engine. */
  | 'uncaught'
  /** The process died (signal or abnormal exit), e.g. a native crash. */
  | 'process-died'
  /** No answer within the time limit. */
  | 'hang';

/** Corruption torture of one engine. */
export interface CorruptionSection {
  applicable: boolean;
  reason?: string;
  /** The file types found after a load (file names with digits replaced by `#`). */
  fileTypes: string[];
  injected: number;
  outcomes: Record<CorruptionOutcome, number>;
  /** Per file type and mutation kind (`flip`, `zero`, `truncate`): outcome counts. */
  byFileType: Record<string, Record<string, Partial<Record<CorruptionOutcome, number>>>>;
  /** Cases that were neither detected, intact nor a bounded loss (capped list). */
  violations: ViolationRecord[];
}

/** One engine's reliability record. */
export interface EngineTortureResult {
  engine: string;
  crash: CrashSection[];
  powerLoss: PowerLossSection | null;
  corruption: CorruptionSection | null;
  /** I/O-fault torture (FaultFs), when run. */
  faults?: FaultSection | null;
}

/** A complete torture results file. */
export interface TortureResults {
  kind: 'kvlab-torture';
  schemaVersion: typeof TORTURE_SCHEMA_VERSION;
  startedAt: string;
  finishedAt: string;
  argv: string[];
  environment: { node: string; platform: string; cpuModel: string; cores: number; kernel: string };
  engines: EngineTortureResult[];
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

/** Writes `results` as pretty JSON (directories created), stamping `finishedAt`. */
export function writeResults(file: string, results: TortureResults): void {
  results.finishedAt = new Date().toISOString();
  nodefs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  nodefs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/** Maximum violations kept in full per section. */
export const MAX_VIOLATIONS = 50;
