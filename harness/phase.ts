/**
 * One measured execution of a phase (load or run) on an open engine: engine statistics, OS I/O
 * counters, directory size and memory before and after; the optional warm-up (excluded from
 * every figure); the loop; and the assembled {@link PhaseTrial}.
 */
import type { AnyEngine, AsyncEngine, Engine, EngineStats } from '../engines/engine.js';
import { amplification } from './amplification.js';
import type { LoopResult, LoopSpec } from './driver.js';
import { runAsyncLoop, runSyncLoop } from './driver.js';
import { dirBytes, machineLoad, machineVerdict, memory, procIoDelta, readProcIo } from './probes.js';
import type { PhaseTrial } from './results.js';

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
}

/** True for a synchronous engine (narrows the union). */
export function isSyncEngine(e: AnyEngine): e is Engine {
  return e.info.kind === 'sync';
}

async function stats(e: AnyEngine): Promise<EngineStats> {
  return isSyncEngine(e) ? e.stats() : await e.stats();
}

/** Runs the loop on a sync engine without a promise per op, on an async one with N in flight. */
export async function runLoop(e: AnyEngine, spec: LoopSpec): Promise<LoopResult> {
  return isSyncEngine(e) ? runSyncLoop(e, spec) : await runAsyncLoop(e as AsyncEngine, spec);
}

/** Runs one trial of a phase and measures around it. */
export async function runPhaseTrial(e: AnyEngine, p: PhaseParams): Promise<PhaseTrial> {
  let warmup: PhaseTrial['warmup'] = null;
  if (p.warmupOps > 0 && p.loop.phase === 'run') {
    const w = await runLoop(e, { ...p.loop, limit: p.warmupOps, onTick: undefined, maxExecutionMs: 0 });
    warmup = { operations: w.operations, durationMs: w.durationMs };
  }
  const startedAt = new Date().toISOString();
  const machineBefore = machineLoad();
  const before = await stats(e);
  const ioBefore = readProcIo();
  const dirBefore = p.dir === null ? null : dirBytes(p.dir);
  const memBefore = memory();
  const r = await runLoop(e, p.loop);
  const after = await stats(e);
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
    },
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
