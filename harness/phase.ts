/**
 * One measured execution of a phase (load or run) on an open engine: engine statistics, OS I/O
 * counters, directory size and memory before and after; the optional warm-up (excluded from
 * every figure); the loop; and the assembled {@link PhaseTrial}.
 */
import type { AnyEngine, AsyncEngine, Engine, EngineStats } from '../engines/engine.js';
import { amplification } from './amplification.js';
import type { LoopResult, LoopSpec } from './driver.js';
import { runAsyncLoop, runSyncLoop } from './driver.js';
import { dirBytes, machineLoad, machineVerdict, memory, pageFaults, procIoDelta, readProcIo } from './probes.js';
import { ownCgroupUsage } from './memory-limit.js';
import type { PhaseTrial } from './results.js';
import { KvError } from '../engines/errors.js';
import { SyncWatchdog } from './watchdog.js';

/** A phase to run on an open engine. */
export interface PhaseParams {
  loop: LoopSpec;
  trial: number;
  /** Data directory to measure, or null for a non-persistent engine. */
  dir: string | null;
  /** Warm-up operations before measuring (run phase only); they use the same source. */
  warmupOps: number;
  /** Expected live records after the phase and bytes per record, for estimates. */
  liveKeysEstimate: number;
  recordBytesEstimate: number;
  /** Awaited after the warm-up and the 'before' probes, right before the measured loop: a scale-out client's start barrier (harness/clients/). */
  barrier?: () => Promise<void>;
}

/** True for a synchronous engine (narrows the union). */
export function isSyncEngine(e: AnyEngine): e is Engine {
  return e.info.kind === 'sync';
}

async function stats(e: AnyEngine): Promise<EngineStats> {
  return isSyncEngine(e) ? e.stats() : await e.stats();
}

/** How long a stats call may take after an operation timed out. */
const STATS_AFTER_TIMEOUT_MS = 2000;

/** `p`, or `fallback` if it has not settled within `ms` (the timer does not outlive it). */
export async function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the loop on a sync engine without a promise per op, on an async one with N in flight. */
export async function runLoop(e: AnyEngine, spec: LoopSpec): Promise<LoopResult> {
  return isSyncEngine(e) ? runSyncLoop(e, spec) : await runAsyncLoop(e as AsyncEngine, spec);
}

/** Runs one trial of a phase and measures around it. */
export async function runPhaseTrial(e: AnyEngine, p: PhaseParams): Promise<PhaseTrial> {
  let warmup: PhaseTrial['warmup'] = null;
  if (p.warmupOps > 0 && p.loop.phase === 'run') {
    const w = await runLoop(e, { ...p.loop, limit: p.warmupOps, onTick: undefined, onStart: undefined, onInterval: undefined, rawLatencies: undefined, maxExecutionMs: 0 });
    if (w.failed) throw new KvError(w.failed.code as never, `${p.loop.what ?? 'engine'} warm-up: the engine failed: ${w.failed.message}`);
    if (w.timedOut) throw new KvError('TIMEOUT', `${p.loop.what ?? 'engine'} warm-up: ${w.timedOut.op} (operation ${w.timedOut.index}) has not completed after ${(w.timedOut.waitedMs / 1000).toFixed(1)} s (--op-timeout): waiting for ${w.timedOut.waitingFor}`);
    warmup = { operations: w.operations, durationMs: w.durationMs };
  }
  const startedAt = new Date().toISOString();
  const machineBefore = machineLoad();
  const before = await stats(e);
  const ioBefore = readProcIo();
  const dirBefore = p.dir === null ? null : dirBytes(p.dir);
  const memBefore = memory();
  const faultsBefore = pageFaults();
  // a scale-out client waits here: every probe above is taken (and a sync loop's watchdog thread
  // started), so its loop starts at the barrier
  let loop = p.loop;
  if (p.barrier) {
    const watchdog = isSyncEngine(e) ? SyncWatchdog.arm(loop) : undefined;
    if (watchdog) loop = { ...loop, watchdog };
    await p.barrier();
  }
  const r = await runLoop(e, loop);
  const faultsAfter = pageFaults();
  const cgroup = ownCgroupUsage();
  // after a timed-out op an async engine may not answer a stats call either: bounded, else the 'before' figures
  // a failed engine refuses stats too: then the 'before' figures (the results say the phase ended on an error)
  const after = r.stoppedBy === 'error' ? await Promise.resolve(stats(e)).catch(() => before)
    : r.stoppedBy === 'timeout' && !isSyncEngine(e) ? await withTimeout(stats(e), STATS_AFTER_TIMEOUT_MS, before) : await stats(e);
  const ioAfter = readProcIo();
  const dirAfter = p.dir === null ? null : dirBytes(p.dir);
  const memAfter = memory();
  const machineAfter = machineLoad();
  const m = r.measurement;
  const io = procIoDelta(ioBefore, ioAfter);
  const ov = m.overall();
  return {
    trial: p.trial,
    startedAt,
    operations: r.operations,
    durationMs: r.durationMs,
    throughput: r.durationMs > 0 ? (r.operations * 1000) / r.durationMs : 0,
    stoppedBy: r.stoppedBy,
    ...(r.timedOut ? { timedOut: r.timedOut } : {}),
    ...(r.failed ? { failed: r.failed } : {}),
    warmup,
    ops: m.opResults(),
    overall: { latency: ov.latency.toRecord(), intendedLatency: ov.intended === null ? null : ov.intended.toRecord() },
    intervals: m.intervals,
    userBytes: { written: m.userBytesWritten, read: m.userBytesRead },
    engineStats: { before, after },
    io: { before: ioBefore, after: ioAfter, delta: io },
    dirBytes: { before: dirBefore, after: dirAfter },
    memory: {
      rssBefore: memBefore.rss, rssAfter: memAfter.rss, heapUsedBefore: memBefore.heapUsed, heapUsedAfter: memAfter.heapUsed,
      ...(memAfter.rssAnon !== undefined ? { rssAnonAfter: memAfter.rssAnon } : {}),
      ...(memAfter.rssFile !== undefined ? { rssFileAfter: memAfter.rssFile } : {}),
      externalAfter: memAfter.external,
      ...(cgroup !== null ? { cgroup } : {}),
    },
    ...(faultsBefore && faultsAfter ? { faults: { major: faultsAfter.major - faultsBefore.major, minor: faultsAfter.minor - faultsBefore.minor } } : {}),
    machine: { before: machineBefore, after: machineAfter, ...machineVerdict(machineBefore, machineAfter) },
    pid: process.pid,
    amplification: amplification({
      before, after, io,
      userBytesWritten: m.userBytesWritten,
      userBytesRead: m.userBytesRead,
      reads: m.okCount[0]! + m.okCount[4]!,
      dirBytesAfter: dirAfter,
      liveBytesEstimate: p.liveKeysEstimate * p.recordBytesEstimate,
      liveKeysEstimate: p.liveKeysEstimate,
      rssAfter: memAfter.rss,
      ...(memAfter.rssAnon !== undefined ? { rssAnonAfter: memAfter.rssAnon } : {}),
      heapDeltaBytes: memAfter.heapUsed - memBefore.heapUsed,
    }),
    errorSamples: m.errorSamples,
  };
}
