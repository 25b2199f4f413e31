/**
 * The operation loops. A synchronous engine is driven in a plain `while` loop: no promise, no
 * closure and no allocation per operation beyond what the workload's codec does. An async
 * engine is driven by `threads` workers each keeping one operation in flight.
 *
 * Semantics per operation (YCSB's, with the RocksDB binding's read-merge-write update):
 * - READ: get; an absent key counts as `notFound` (not a failure); with dataintegrity the value
 *   is verified (mismatch = failure `VERIFY`).
 * - UPDATE: read-merge-write of the current record (ycsb values) or a blind put (raw values /
 *   writeallfields), timed as one operation.
 * - INSERT: put of a fresh record (value built before the clock starts, as YCSB builds values
 *   outside the DB call); acknowledged to the source when it returns or fails (run phase; YCSB acknowledges in `finally`).
 * - SCAN: scan(start, scanLength); READMODIFYWRITE: get, merge, put, timed as one.
 *
 * Timing (closed loop): ops are generated in batches outside the timed part, then executed back
 * to back with one clock read per op; service time = end of this op − end of the previous one.
 * Timing (open loop): service time = clock around the engine work; op i is
 * intended to start at start + i/target; the loop waits for that moment, and the intended
 * latency is measured from it (coordinated omission corrected: a stall delays every later op
 * and every one of them records the wait, as wrk2 and YCSB's `intended` measurement do).
 */
import type { AsyncEngine, Engine } from '../engines/engine.js';
import { Measurement, type IntervalHook, type RawLatencySink } from './measurement.js';
import type { IntervalPoint } from './results.js';
import type { OpSlot, OpSource, ValueCodec } from './source.js';
import { OP_INDEX, newSlot } from './source.js';
import { ABSENT, BAD, FOUND, execAsync, execSync, next, prepare } from './execute.js';
import { SyncWatchdog } from './watchdog.js';
import { isKvError, KvError } from '../engines/errors.js';

/**
 * The engine's first failure when `e` says the engine refuses every call from now on (FAILED:
 * a write or sync failed, or its server went away), else undefined. A loop that sees it stops:
 * every later op would fail the same way, and the run ends with what was measured, marked partial.
 */
function engineFailure(e: unknown): EngineFailure | undefined {
  if (!isKvError(e) || e.code !== 'FAILED') return undefined;
  const first = e.cause;
  return isKvError(first) ? { code: first.code, message: first.message } : { code: 'FAILED', message: e.message };
}

/**
 * Stops a loop that makes no progress: when the engine fails (see {@link engineFailure}), or when
 * no operation has succeeded for `boundMs` (the op timeout) while every one fails (a server that
 * went away fails each read at once, and reads never fail an engine).
 */
class ProgressWatch {
  private lastOk: number;
  constructor(private readonly boundMs: number, now: number) {
    this.lastOk = now;
  }
  ok(now: number): void {
    this.lastOk = now;
  }
  /** The reason to stop after the failed op that threw `e` at `now`, or undefined to go on. */
  failure(e: unknown, now: number): EngineFailure | undefined {
    const f = engineFailure(e);
    if (f !== undefined || this.boundMs <= 0 || now - this.lastOk <= this.boundMs) return f;
    const code = isKvError(e) ? e.code : 'IO';
    return { code, message: `no operation has succeeded for ${((now - this.lastOk) / 1000).toFixed(1)} s (--op-timeout ${this.boundMs / 1000} s), every one failing; the last: ${(e as Error)?.message ?? String(e)}` };
  }
}

/** Why a loop stopped on a failed engine: the first error's code and message. */
export interface EngineFailure {
  code: string;
  message: string;
}

/** What one loop runs. */
export interface LoopSpec {
  phase: 'load' | 'run';
  source: OpSource;
  codec: ValueCodec;
  /** Operations to execute at most. */
  limit: number;
  /** Stop after this many ms (0: no limit). */
  maxExecutionMs: number;
  /** Open-loop rate in ops/s, or null for a closed loop. */
  targetOpsPerSec: number | null;
  /**
   * Open loop at the source's own schedule: op i is due at start + op.atMs (a replayed trace's
   * recorded timing, workloads/traces/replay.ts) instead of start + i/target; the same loop,
   * the same intended-start latency. Needs targetOpsPerSec null.
   */
  recordedTiming?: boolean;
  intervalMs: number;
  /** Verify read values (dataintegrity). */
  verify: boolean;
  /** UPDATE reads the current record and merges one field (ycsb values); false: blind put (raw values). An op with writeField -1 (writeallfields) is always a blind put. */
  readBeforeUpdate: boolean;
  /** Operations in flight for async engines. */
  threads: number;
  /** Called after every interval closes (status line). */
  onTick?: (point: IntervalPoint, m: Measurement, elapsedMs: number) => void;
  /**
   * An operation still in flight after this many ms ends the loop (0: no bound). Async loops
   * stop and return what was measured (`stoppedBy: 'timeout'`, `timedOut`); a sync call cannot
   * be interrupted, so the sync loops arm a {@link SyncWatchdog} that ends the process.
   */
  opTimeoutMs?: number;
  /** Names the engine and phase in a timeout message. */
  what?: string;
  /** A watchdog armed ahead (a scale-out client arms it before its barrier: starting its worker thread takes ms); the loop disarms it. */
  watchdog?: SyncWatchdog;
  /** Called once with `performance.timeOrigin + performance.now()` (ms since the epoch) as the measured loop starts (scale-out clients align on it). */
  onStart?: (epochMs: number) => void;
  /** Called as each interval closes with its own histograms (measurement.ts IntervalHook). */
  onInterval?: IntervalHook;
  /** Every successful op's service time, unbinned (measurement.ts RawLatencySink). */
  rawLatencies?: RawLatencySink;
}

/** The operation that did not complete within the loop's bound. */
export interface TimedOutOp {
  /** YCSB operation type (READ, UPDATE, ...). */
  op: string;
  /** The key, printable (latin1, control bytes escaped), at most 80 characters. */
  key: string;
  /** 1-based number of the operation in the phase. */
  index: number;
  waitedMs: number;
  boundMs: number;
  /** What the loop was waiting for. */
  waitingFor: string;
}

/** How a loop ended. */
export interface LoopResult {
  measurement: Measurement;
  operations: number;
  durationMs: number;
  stoppedBy: 'operationcount' | 'recordcount' | 'maxexecutiontime' | 'trace-end' | 'timeout' | 'error';
  /** Set when stoppedBy is 'timeout'. */
  timedOut?: TimedOutOp;
  /** Set when stoppedBy is 'error': the engine failed and refuses every later call. */
  failed?: EngineFailure;
}

/** A key as a message shows it: latin1, non-printable bytes as \xNN, cut at 80 characters. */
export function printableKey(k: Uint8Array): string {
  let out = '';
  for (let i = 0; i < k.length && out.length < 80; i++) {
    const b = k[i]!;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return k.length > 80 && out.length >= 80 ? `${out}…` : out;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** The op's recorded intended start (recordedTiming); a source without a schedule is a bug, not a wait forever. */
function scheduled(op: OpSlot): number {
  if (!Number.isFinite(op.atMs)) throw new KvError('INVALID_ARGUMENT', `recorded timing needs a source that schedules every op; ${op.type} #${op.keynum} has none`);
  return op.atMs;
}

/** Blocks (sync loop) until performance.now() >= `t`, sleeping for long waits. */
function waitUntil(t: number): void {
  for (;;) {
    const gap = t - performance.now();
    if (gap <= 0) return;
    if (gap > 2) Atomics.wait(sleepCell, 0, 0, gap - 1);
  }
}

/** Drives a synchronous engine: a plain loop, no promise per operation. */
export function runSyncLoop(engine: Engine, s: LoopSpec): LoopResult {
  // a sync call cannot be interrupted: a watchdog thread bounds it (watchdog.ts)
  const wd = s.watchdog ?? SyncWatchdog.arm(s);
  try {
    return s.targetOpsPerSec === null && !s.recordedTiming ? closedSyncLoop(engine, s, wd?.cells) : openSyncLoop(engine, s, wd?.cells);
  } finally {
    wd?.disarm();
  }
}

/** Operations generated ahead of the timed loop (a batch also ends at its first INSERT). */
const BATCH = 256;
const INSERT = OP_INDEX.INSERT;

/** A slot owning a copy of its key (the source reuses one key buffer), without allocating per op. */
class BatchSlot {
  readonly op: OpSlot = newSlot();
  private buf = Buffer.alloc(64);
  private views: Buffer[] = [];

  /** Copies `src` (type, fields, key bytes) into this slot. */
  fill(src: OpSlot): void {
    const o = this.op;
    o.type = src.type;
    o.keynum = src.keynum;
    o.scanLength = src.scanLength;
    o.readField = src.readField;
    o.writeField = src.writeField;
    o.valueLength = src.valueLength;
    o.atMs = src.atMs;
    const len = src.key.length;
    if (len > this.buf.length) {
      this.buf = Buffer.alloc(len * 2);
      this.views = [];
    }
    this.buf.set(src.key);
    o.key = this.views[len] ?? (this.views[len] = this.buf.subarray(0, len));
  }
}

/**
 * Closed loop: ops are generated in batches, then executed back to back with ONE clock read
 * per op (the end of op i is the start of op i+1; the bookkeeping between them, ~10 ns, is in
 * the harness cost the null engine measures). A batch stops after its first INSERT, so every
 * op is generated after all earlier inserts were acknowledged, exactly as in YCSB's loop.
 */
function closedSyncLoop(engine: Engine, s: LoopSpec, wd: Float64Array | undefined): LoopResult {
  const m = new Measurement(false, s.onInterval, s.rawLatencies);
  const gen = newSlot();
  const slots = Array.from({ length: BATCH }, () => new BatchSlot());
  const pre: Array<Uint8Array | undefined> = new Array(BATCH).fill(undefined);
  const run = s.phase === 'run';
  const start = performance.now();
  s.onStart?.(performance.timeOrigin + start);
  const deadline = s.maxExecutionMs > 0 ? start + s.maxExecutionMs : Infinity;
  let nextTick = start + s.intervalMs;
  let nextCheck = Math.min(nextTick, deadline);
  let stoppedBy: LoopResult['stoppedBy'] = run ? 'operationcount' : 'recordcount';
  let failed: EngineFailure | undefined;
  const progress = new ProgressWatch(s.opTimeoutMs ?? 0, start);
  let i = 0;
  let end = start;
  let exhausted = false;
  outer: while (i < s.limit && !exhausted) {
    let n = 0;
    while (n < BATCH && i + n < s.limit) {
      if (!next(s, gen)) {
        exhausted = true;
        if (run) stoppedBy = 'trace-end';
        break;
      }
      const slot = slots[n]!;
      slot.fill(gen);
      pre[n] = prepare(slot.op, s);
      n++;
      if (run && gen.type === 'INSERT') break; // load inserts never depend on acknowledgements
    }
    let t0 = performance.now();
    for (let j = 0; j < n; j++) {
      const op = slots[j]!.op;
      const t = OP_INDEX[op.type];
      let status: number;
      if (wd !== undefined) {
        wd[0] = t0;
        wd[1] = t;
        wd[2] = i + 1;
      }
      try {
        status = execSync(engine, op, s, m, pre[j]);
      } catch (e) {
        status = -1;
        m.fail(t, e);
        failed ??= progress.failure(e, performance.now());
      }
      const t1 = performance.now();
      if (status === FOUND || status === ABSENT) {
        m.ok(t, (t1 - t0) * 1e6, 0, status === FOUND);
        progress.ok(t1);
      }
      else if (status === BAD) m.fail(t, undefined, 'VERIFY');
      if (run && t === INSERT) s.source.acknowledge(op.keynum); // as YCSB: acknowledged in finally, failed or not
      pre[j] = undefined;
      i++;
      t0 = end = t1;
      if (failed !== undefined) {
        stoppedBy = 'error';
        break outer;
      }
      if (t1 >= nextCheck) {
        if (t1 >= nextTick) {
          const p = m.tick(t1 - start);
          s.onTick?.(p, m, t1 - start);
          while (nextTick <= t1) nextTick += s.intervalMs;
        }
        if (t1 >= deadline) {
          stoppedBy = 'maxexecutiontime';
          break outer;
        }
        nextCheck = Math.min(nextTick, deadline);
        t0 = performance.now();
      }
    }
  }
  if (m.done > 0 && (m.intervals.length === 0 || m.intervals[m.intervals.length - 1]!.tMs < end - start)) m.tick(end - start);
  return { measurement: m, operations: i, durationMs: end - start, stoppedBy, ...(failed ? { failed } : {}) };
}

/** Open loop: op i is due at start + i/target (or start + op.atMs, recordedTiming); the loop waits for it and times from it too. */
function openSyncLoop(engine: Engine, s: LoopSpec, wd: Float64Array | undefined): LoopResult {
  const m = new Measurement(true, s.onInterval, s.rawLatencies);
  const op = newSlot();
  const recorded = s.recordedTiming === true;
  const period = recorded ? 0 : 1000 / s.targetOpsPerSec!;
  const run = s.phase === 'run';
  const start = performance.now();
  s.onStart?.(performance.timeOrigin + start);
  const deadline = s.maxExecutionMs > 0 ? start + s.maxExecutionMs : Infinity;
  let nextTick = start + s.intervalMs;
  let nextCheck = Math.min(nextTick, deadline);
  let stoppedBy: LoopResult['stoppedBy'] = run ? 'operationcount' : 'recordcount';
  let failed: EngineFailure | undefined;
  const progress = new ProgressWatch(s.opTimeoutMs ?? 0, start);
  let i = 0;
  let end = start;
  while (i < s.limit) {
    if (!next(s, op)) {
      stoppedBy = run ? 'trace-end' : 'recordcount';
      break;
    }
    const t = OP_INDEX[op.type];
    const pre = prepare(op, s);
    const intendedStart = start + (recorded ? scheduled(op) : i * period);
    waitUntil(intendedStart);
    const t0 = performance.now();
    let status: number;
    if (wd !== undefined) {
      wd[0] = t0;
      wd[1] = t;
      wd[2] = i + 1;
    }
    try {
      status = execSync(engine, op, s, m, pre);
    } catch (e) {
      status = -1;
      m.fail(t, e);
      failed ??= progress.failure(e, performance.now());
    }
    const t1 = performance.now();
    if (status === FOUND || status === ABSENT) {
      m.ok(t, (t1 - t0) * 1e6, (t1 - intendedStart) * 1e6, status === FOUND);
      progress.ok(t1);
    }
    else if (status === BAD) m.fail(t, undefined, 'VERIFY');
    if (run && op.type === 'INSERT') s.source.acknowledge(op.keynum); // as YCSB: acknowledged in finally, failed or not
    i++;
    end = t1;
    if (failed !== undefined) {
      stoppedBy = 'error';
      break;
    }
    if (t1 >= nextCheck) {
      if (t1 >= nextTick) {
        const p = m.tick(t1 - start);
        s.onTick?.(p, m, t1 - start);
        while (nextTick <= t1) nextTick += s.intervalMs;
      }
      if (t1 >= deadline) {
        stoppedBy = 'maxexecutiontime';
        break;
      }
      nextCheck = Math.min(nextTick, deadline);
    }
  }
  if (m.done > 0 && (m.intervals.length === 0 || m.intervals[m.intervals.length - 1]!.tMs < end - start)) m.tick(end - start);
  return { measurement: m, operations: i, durationMs: end - start, stoppedBy, ...(failed ? { failed } : {}) };
}

/** Drives an asynchronous engine with `threads` operations in flight. */
export async function runAsyncLoop(engine: AsyncEngine, s: LoopSpec): Promise<LoopResult> {
  const recorded = s.recordedTiming === true;
  const m = new Measurement(s.targetOpsPerSec !== null || recorded, s.onInterval, s.rawLatencies);
  const period = s.targetOpsPerSec === null ? 0 : 1000 / s.targetOpsPerSec;
  const run = s.phase === 'run';
  const start = performance.now();
  s.onStart?.(performance.timeOrigin + start);
  const deadline = s.maxExecutionMs > 0 ? start + s.maxExecutionMs : Infinity;
  let nextTick = start + s.intervalMs;
  let stoppedBy: LoopResult['stoppedBy'] = run ? 'operationcount' : 'recordcount';
  let failed: EngineFailure | undefined;
  const progress = new ProgressWatch(s.opTimeoutMs ?? 0, start);
  let issued = 0;
  let stop = false;
  let end = start;
  const threads = Math.max(1, s.threads);
  // per worker: the op in flight (start time, -1 when none) for the timeout watch
  const inFlight = new Float64Array(threads).fill(-1);
  const inFlightOp: Array<OpSlot | null> = new Array(threads).fill(null);
  const inFlightIndex = new Float64Array(threads);
  let timedOut: TimedOutOp | undefined;
  let onTimeout: () => void = () => {};
  const timedOutP = new Promise<void>((r) => (onTimeout = r));
  const bound = s.opTimeoutMs ?? 0;
  // ref'd on purpose while the loop runs: a promise that never settles holds no handle, and the
  // process would otherwise exit silently instead of reporting the timeout
  const watch = bound > 0 ? setInterval(() => {
    const now = performance.now();
    for (let w = 0; w < threads; w++) {
      const st = inFlight[w]!;
      if (st < 0 || now - st <= bound || timedOut) continue;
      const op = inFlightOp[w]!;
      timedOut = { op: op.type, key: printableKey(op.key), index: inFlightIndex[w]!, waitedMs: now - st, boundMs: bound, waitingFor: "the engine's promise to settle" };
      stoppedBy = 'timeout';
      stop = true;
      onTimeout();
    }
  }, Math.max(5, Math.min(1000, bound / 4))) : undefined;
  const worker = async (w: number): Promise<void> => {
    const gen = newSlot();
    // the source reuses one key buffer: each worker keeps its op's key in its own reused buffer
    // while the op is in flight (no allocation per op)
    const slot = new BatchSlot();
    const op = slot.op;
    inFlightOp[w] = op; // this worker's one slot: what the timeout watch names
    while (!stop && issued < s.limit) {
      if (!next(s, gen)) {
        stoppedBy = run ? 'trace-end' : 'recordcount';
        stop = true;
        break;
      }
      slot.fill(gen);
      const i = issued++;
      const t = OP_INDEX[op.type];
      const pre = prepare(op, s);
      let intendedStart = 0;
      if (period !== 0 || recorded) {
        intendedStart = start + (recorded ? scheduled(op) : i * period);
        for (let gap = intendedStart - performance.now(); gap > 0; gap = intendedStart - performance.now()) {
          if (gap > 1.5) await new Promise((r) => setTimeout(r, gap - 1));
        }
      }
      const t0 = performance.now();
      let status: number;
      inFlight[w] = t0;
      inFlightIndex[w] = i + 1;
      try {
        status = await execAsync(engine, op, s, m, pre);
      } catch (e) {
        status = -1;
        m.fail(t, e);
        const f = progress.failure(e, performance.now());
        if (f !== undefined && failed === undefined) {
          failed = f;
          stoppedBy = 'error';
          stop = true;
        }
      }
      inFlight[w] = -1;
      const t1 = performance.now();
      if (timedOut) break; // the loop has ended; an op that settles late is not counted
      if (status === FOUND || status === ABSENT) {
        m.ok(t, (t1 - t0) * 1e6, (t1 - intendedStart) * 1e6, status === FOUND);
        progress.ok(t1);
      }
      else if (status === BAD) m.fail(t, undefined, 'VERIFY');
      if (run && op.type === 'INSERT') s.source.acknowledge(op.keynum); // as YCSB: acknowledged in finally, failed or not
      if (t1 > end) end = t1;
      if (t1 >= nextTick) {
        const p = m.tick(t1 - start);
        s.onTick?.(p, m, t1 - start);
        while (nextTick <= t1) nextTick += s.intervalMs;
      }
      if (t1 >= deadline && !stop) {
        stoppedBy = 'maxexecutiontime';
        stop = true;
      }
    }
  };
  try {
    await Promise.race([Promise.all(Array.from({ length: threads }, (_, w) => worker(w))), timedOutP]);
  } finally {
    if (watch !== undefined) clearInterval(watch);
  }
  if (m.done > 0 && (m.intervals.length === 0 || m.intervals[m.intervals.length - 1]!.tMs < end - start)) m.tick(end - start);
  return { measurement: m, operations: m.done, durationMs: end - start, stoppedBy, ...(timedOut ? { timedOut } : {}), ...(failed ? { failed } : {}) };
}
