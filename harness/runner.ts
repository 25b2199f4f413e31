/**
 * The benchmark runner: one engine × one workload, its phases (load, run) repeated `trials`
 * times, assembled into a validated {@link ResultsFile}.
 *
 * Trials: with `freshDir` (matrix) every trial wipes the data directory and runs all phases
 * from scratch; without it (`kvlab run --trials N`) the run phase repeats on the same store.
 * A pair the engine cannot run (scans without orderedScan) gives a `notApplicable` result.
 */
import { crashSafetyOf } from '../engines/shell.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnyEngine, Durability } from '../engines/engine.js';
import { invalidArgument, KvError } from '../engines/errors.js';
import { cgroupUsage, currentMemoryCgroup, dropDirCache } from './memory-limit.js';
import { parseEngineSpec, resolveOptions } from '../engines/registry.js';
import { descriptorFor, openAny } from './engines.js';
import { HarnessCosts, loopKindOf } from './harness-cost.js';
import { clientProps } from './client-props.js';
import { bindingProperties } from '../workloads/properties.js';
import { environmentManifest } from './environment.js';
import { HISTOGRAM_SETTINGS } from './histogram.js';
import { isSyncEngine, runPhaseTrial, withTimeout } from './phase.js';
import type { EngineRecord, HarnessCost, NotApplicable, PhaseResult, PhaseTrial, ResultsFile, RunMeta } from './results.js';
import { RESULTS_KIND, SCHEMA_VERSION, validateResults } from './results.js';
import type { StatusMode } from './status.js';
import { clearStatus, statusLine } from './status.js';
import { summarize } from './summary.js';
import type { Workload } from './workload.js';
import { workloadStreams } from './workload.js';
import type { InsertLane } from '../workloads/stream.js';
import type { OpSource, ValueCodec } from './source.js';
import type { LoopSpec } from './driver.js';
import { createTrace, openReplay, RecordingSource, type Replay, type TraceReplaySettings } from './trace-source.js';

/** Everything one benchmark needs. */
export interface BenchmarkOptions {
  command: RunMeta['command'];
  argv: string[];
  /** Engine spec (`lsm:compaction=tiered`). */
  engine: string;
  /** Data directory. */
  dir: string;
  /** Wipe `dir` before each trial (matrix); otherwise work on the store as found. */
  freshDir: boolean;
  durability: Durability;
  groupCommitMs?: number;
  groupCommitBytes?: number;
  workload: Workload;
  seed: number;
  phases: Array<'load' | 'run'>;
  trials: number;
  /** Operations in flight for async engines (sync engines ignore it: 1). */
  threads: number;
  targetOpsPerSec: number | null;
  warmupOps: number;
  intervalMs: number;
  /** Status line mode (auto = only on a TTY). */
  status: StatusMode;
  /** Least ms between status lines (YCSB's status.interval); default every interval. */
  statusIntervalMs?: number;
  /**
   * The harness cost to record: the per-process {@link HarnessCosts} (the cost of the loop this
   * run uses is measured on first use), a figure measured elsewhere, or null (say why in `notes`).
   */
  harnessCost: HarnessCosts | HarnessCost | null;
  matrix: RunMeta['matrix'];
  notes?: string[];
  /** Replay the run phase from this trace (the workload must be the trace's own; see trace-source.ts). */
  trace?: string | null;
  /** How to replay `trace` (format, timing, speed, preload); absent: a kvlab trace, fast. */
  traceReplay?: TraceReplaySettings | null;
  /** Record the run phase's operations of the first trial to this trace file. */
  recordTrace?: string | null;
  /** Recorded as `harness.memoryLimitNotApplied`: a best-effort --memory-limit that could not be applied, and why. */
  memoryLimitNotApplied?: string;
  /** An operation (or an async open/close) still not completed after this many ms fails the run, partial results kept (default {@link DEFAULT_OP_TIMEOUT_MS}; 0: no bound). */
  opTimeoutMs?: number;
  /** A scale-out client's share of new run-phase keys (workloads/stream.ts InsertLane), or absent. */
  insertLane?: InsertLane | null;
  /** This process is one client of a scale-out run (harness/clients/client-child.ts): its barrier and streams. */
  client?: ClientHooks;
}

/** What a scale-out client adds to a benchmark: it joins a shared store, waits at a barrier, streams intervals. */
export interface ClientHooks {
  /** Open with `shared` (clients 1..N-1 of one store: no ownership lock; engines/engine.ts OpenOptions.shared). */
  shared: boolean;
  /** Awaited after the engine is open and warmed up, before the measured loop. */
  barrier: (phase: 'load' | 'run') => Promise<void>;
  onStart: LoopSpec['onStart'];
  onInterval: LoopSpec['onInterval'];
  /** Every successful op's service time, unbinned (`--raw-latencies`). */
  rawLatencies?: LoopSpec['rawLatencies'];
}

/** The default bound on one operation: generous (a compaction stall or an fsync on a busy disk is far shorter), never forever. */
export const DEFAULT_OP_TIMEOUT_MS = 60_000;

/** Why `engine` cannot run `workload`, or null when it can. */
export function notApplicable(caps: { orderedScan: boolean; persistent: boolean }, w: Workload, phases: Array<'load' | 'run'>, engine: string): NotApplicable | null {
  if (phases.includes('run') && w.config.proportions.scan > 0 && !caps.orderedScan)
    return { reason: `${w.name} has scans (scanproportion=${w.config.proportions.scan}); ${engine} has no ordered scan`, capability: 'orderedScan' };
  return null;
}

function runId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;
}

function engineRecord(e: AnyEngine, o: BenchmarkOptions, dir: string | null): EngineRecord {
  const i = e.info;
  return {
    name: i.name, label: i.label, design: i.design, version: i.version, kind: i.kind,
    capabilities: { ...i.capabilities, durability: [...i.capabilities.durability] },
    limits: { ...i.limits },
    durability: i.durability,
    crashSafety: i.crashSafety,
    groupCommit: i.durability === 'group' ? { ms: o.groupCommitMs ?? 2, bytes: o.groupCommitBytes ?? 1 << 20 } : null,
    settings: { ...i.settings },
    dir,
  };
}

async function closeEngine(e: AnyEngine, boundMs: number): Promise<void> {
  if (isSyncEngine(e)) e.close();
  else if (boundMs > 0) {
    const closed = await withTimeout(e.close().then(() => true), boundMs, false);
    if (!closed) throw new KvError('TIMEOUT', `${e.info.label}: close() has not completed after ${boundMs / 1000} s (--op-timeout): waiting for the engine's promise to settle`);
  } else await e.close();
}

/** An async open bounded like an operation. */
async function openBounded(open: Promise<AnyEngine>, label: string, boundMs: number): Promise<AnyEngine> {
  if (boundMs <= 0) return open;
  const e = await withTimeout(open, boundMs, null);
  if (e === null) throw new KvError('TIMEOUT', `${label}: opening the engine has not completed after ${boundMs / 1000} s (--op-timeout): waiting for the engine's promise to settle`);
  return e;
}

/** The one-line reason of a timed-out trial. */
export function timeoutReason(label: string, phase: string, t: NonNullable<PhaseTrial['timedOut']>): string {
  return `${label} ${phase}: ${t.op} of key '${t.key}' (operation ${t.index} of the phase) has not completed after ${(t.waitedMs / 1000).toFixed(1)} s (--op-timeout ${t.boundMs / 1000} s): waiting for ${t.waitingFor}; what was measured until then is kept, marked partial`;
}

/** Runs the benchmark and returns the validated results document (not yet written). */
export async function runBenchmark(o: BenchmarkOptions): Promise<ResultsFile> {
  if (!Number.isInteger(o.trials) || o.trials < 1) throw invalidArgument(`trials must be a positive integer, got ${o.trials}`);
  if (o.trials > 1 && o.phases.includes('load') && !o.freshDir)
    throw invalidArgument('repeating a load phase needs a fresh directory per trial: use `kvlab matrix` (or run the load once)');
  const startedAt = new Date().toISOString();
  const opTimeoutMs = o.opTimeoutMs ?? DEFAULT_OP_TIMEOUT_MS;
  if (!(opTimeoutMs >= 0) || !Number.isFinite(opTimeoutMs)) throw invalidArgument(`the op timeout must be a finite number of ms >= 0, got ${opTimeoutMs}`);
  const cgroup = currentMemoryCgroup();
  const cgroupLimit = cgroup === null ? null : cgroupUsage(cgroup.dir, cgroup.version).limitBytes;
  const spec = parseEngineSpec(o.engine);
  const d = descriptorFor(spec.name);
  const w = o.workload;
  const cfg = w.config;
  const dir = path.resolve(o.dir);
  const persistent = d.capabilities.persistent;
  // a network store's directory names its namespace on the server (a cache's too): a fresh trial gets a fresh one
  const ownsDir = persistent || d.role === 'network';
  const notes = [...(o.notes ?? [])];
  const threads = d.kind === 'sync' ? 1 : Math.max(1, o.threads);
  if (d.kind === 'sync' && o.threads > 1) notes.push(`engine is synchronous: driven in one loop, --threads ${o.threads} ignored`);
  if (!ownsDir && !o.phases.includes('load')) notes.push(`${spec.name} is not persistent: the run phase starts from an empty store`);
  if (!persistent && d.role === 'network') notes.push(`${spec.name} is a cache (not persistent): a server restart loses its data, and it may evict under memory pressure`);
  const base = {
    schemaVersion: SCHEMA_VERSION, kind: RESULTS_KIND,
    workload: {
      name: w.name, propertyFiles: w.files, properties: w.props, seed: o.seed, trace: o.trace ?? null,
      ignoredProperties: [...clientProps(w.props).ignored, ...bindingProperties(w.props)],
    },
    harness: {
      threads, targetOpsPerSec: o.targetOpsPerSec, warmupOps: o.warmupOps, trials: o.trials, intervalMs: o.intervalMs,
      histogram: HISTOGRAM_SETTINGS, valueMode: cfg.valuemode,
      memoryLimit: cgroup === null ? null : { bytes: cgroupLimit!, cgroup: cgroup.version },
      opTimeoutMs,
      ...(o.memoryLimitNotApplied ? { memoryLimitNotApplied: o.memoryLimitNotApplied } : {}),
    },
    environment: environmentManifest(dir, cfg.insertcount * w.recordBytes, cgroupLimit),
    harnessCost: o.harnessCost instanceof HarnessCosts ? await o.harnessCost.of(loopKindOf(d.kind, o.targetOpsPerSec !== null || (!!o.trace && o.traceReplay?.timing === 'recorded')), threads) : o.harnessCost,
  } as const;
  const meta = (): RunMeta => ({ id: runId(), command: o.command, argv: o.argv, startedAt, finishedAt: new Date().toISOString(), matrix: o.matrix });

  const na = notApplicable(d.capabilities, w, o.phases, spec.label);
  if (na !== null) {
    const rec = descriptorRecord(d, spec.label, o, resolveOptions(d, spec.options));
    return validateResults({ ...base, run: meta(), engine: rec, notApplicable: na, phases: [], notes }, 'results');
  }

  const trials: Record<'load' | 'run', PhaseTrial[]> = { load: [], run: [] };
  let engineRec: EngineRecord | null = null;
  let engine: AnyEngine | null = null;
  let partial: { code: string; reason: string } | undefined;
  let replay: Replay | undefined;
  try {
    for (let t = 0; t < o.trials && partial === undefined; t++) {
      if (engine === null || o.freshDir) {
        if (engine !== null) await closeEngine(engine, opTimeoutMs);
        engine = null;
        if (o.freshDir && ownsDir) fs.rmSync(dir, { recursive: true, force: true });
        if (ownsDir) fs.mkdirSync(dir, { recursive: true });
        // under a memory limit nothing an earlier process cached may serve this trial's reads
        if (cgroup !== null && persistent) dropDirCache(dir);
        engine = await openBounded(openAny(spec, { dir, durability: o.durability, groupCommitMs: o.groupCommitMs, groupCommitBytes: o.groupCommitBytes, ...(o.client?.shared ? { shared: true } : {}) }), spec.label, d.kind === 'async' ? opTimeoutMs : 0);
        engineRec ??= engineRecord(engine, o, persistent ? dir : null);
      }
      const streams = workloadStreams(w, o.seed, o.insertLane ?? null);
      let codec = streams.codec;
      let source: OpSource = streams.source;
      const closers: Array<{ close(): void }> = [];
      if (o.trace) {
        const r = openReplay(o.trace, o.traceReplay ?? KVLAB_REPLAY, streams, engine.info.limits.maxKeyBytes, o.seed);
        ({ source, codec } = r);
        closers.push((replay = r));
      }
      if (o.recordTrace && t === 0) closers.push((source = new RecordingSource(source, createTrace(o.recordTrace, w.props, o.seed))));
      try {
        for (const phase of o.phases) {
          const tr = await runOnePhase(engine, o, phase, t, source, codec, threads, persistent ? dir : null, opTimeoutMs);
          trials[phase].push(tr);
          if (tr.timedOut) {
            partial = { code: 'TIMEOUT', reason: timeoutReason(spec.label, phase, tr.timedOut) };
            break;
          }
          if (tr.failed) {
            partial = { code: tr.failed.code, reason: `${spec.label} ${phase}: the engine failed after ${tr.operations} operations and refuses every later call: ${tr.failed.message}; what was measured until then is kept, marked partial` };
            break;
          }
        }
      } finally {
        for (const c of closers.reverse()) c.close();
      }
    }
  } finally {
    if (engine !== null) {
      try {
        // a timed-out or failed engine may never close: bounded, and its failure does not hide the partial results
        await closeEngine(engine, partial ? Math.min(opTimeoutMs, 5000) : opTimeoutMs);
      } catch (e) {
        if (partial === undefined) throw e;
        notes.push(`close after the timeout: ${(e as Error).message}`);
      }
    }
  }
  const phases: PhaseResult[] = o.phases.filter((phase) => trials[phase].length > 0).map((phase) => ({ phase, trials: trials[phase], summary: summarize(trials[phase]) }));
  const workload = replay === undefined ? base.workload : { ...base.workload, traceReplay: replay.record() };
  return validateResults({ ...base, workload, run: meta(), engine: engineRec!, notApplicable: null, phases, notes, ...(partial ? { partial } : {}) }, 'results');
}

/** A kvlab trace replayed as before --trace-format existed. */
const KVLAB_REPLAY: TraceReplaySettings = { format: 'kvlab', formatDetected: true, timing: 'fast', speed: 1, preload: 'none', unknownOps: 'error' };

/** Runs one phase of trial `t` on the open engine. */
async function runOnePhase(
  engine: AnyEngine, o: BenchmarkOptions, phase: 'load' | 'run', t: number, source: OpSource, codec: ValueCodec, threads: number, dir: string | null,
  opTimeoutMs: number,
): Promise<PhaseTrial> {
  const w = o.workload;
  const cfg = w.config;
  const runLimit = o.trace ? Infinity : cfg.operationcount > 0 ? cfg.operationcount : cfg.maxexecutiontime > 0 ? Infinity : 0;
  // a Twitter trace's load (preload) is every distinct key: the source ends it
  const twitter = o.trace && o.traceReplay?.format === 'twitter';
  const limit = phase === 'load' ? (twitter ? Infinity : cfg.insertcount) : runLimit;
  const label = `${engine.info.label} ${w.name} ${phase}${o.trials > 1 ? ` trial ${t + 1}/${o.trials}` : ''}`;
  const maxMs = phase === 'run' ? cfg.maxexecutiontime * 1000 : 0;
  try {
    return await runPhaseTrial(engine, {
      trial: t,
      dir,
      warmupOps: phase === 'run' ? o.warmupOps : 0,
      liveKeysEstimate: cfg.insertcount,
      recordBytesEstimate: w.recordBytes,
      ...(o.client ? { barrier: () => o.client!.barrier(phase) } : {}),
      loop: {
        phase, source, codec, limit, maxExecutionMs: maxMs,
        targetOpsPerSec: o.targetOpsPerSec, intervalMs: o.intervalMs,
        recordedTiming: phase === 'run' && o.trace ? o.traceReplay?.timing === 'recorded' : false,
        verify: cfg.dataintegrity, readBeforeUpdate: cfg.valuemode === 'ycsb', threads,
        onTick: statusLine(label, limit, maxMs, o.status, o.statusIntervalMs),
        opTimeoutMs, what: `${engine.info.label} ${phase}`,
        ...(o.client ? { onStart: o.client.onStart, onInterval: o.client.onInterval, rawLatencies: o.client.rawLatencies } : {}),
      },
    });
  } finally {
    clearStatus(o.status);
  }
}

function descriptorRecord(d: ReturnType<typeof descriptorFor>, label: string, o: BenchmarkOptions, settings: Record<string, string | number | boolean>): EngineRecord {
  return {
    name: d.name, label, design: d.design, version: 'not opened (pair not applicable)', kind: d.kind,
    capabilities: { ...d.capabilities, durability: [...d.capabilities.durability] }, limits: { ...d.limits },
    durability: o.durability, crashSafety: crashSafetyOf(settings), groupCommit: null, settings, dir: null,
  };
}
