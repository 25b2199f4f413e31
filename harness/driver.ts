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
 *   outside the DB call); acknowledged to the source after it returns (run phase).
 * - SCAN: scan(start, scanLength); READMODIFYWRITE: get, merge, put, timed as one.
 *
 * Timing: service time = clock around the engine work. With a target rate (open loop) op i is
 * intended to start at start + i/target; the loop waits for that moment, and the intended
 * latency is measured from it (coordinated omission corrected: a stall delays every later op
 * and every one of them records the wait, as wrk2 and YCSB's `intended` measurement do).
 */
import type { AsyncEngine, Engine } from '../engines/engine.js';
import { Measurement } from './measurement.js';
import type { IntervalPoint } from './results.js';
import type { OpSlot, OpSource, ValueCodec } from './source.js';
import { OP_INDEX, newSlot } from './source.js';

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
  intervalMs: number;
  /** Verify read values (dataintegrity). */
  verify: boolean;
  /** UPDATE reads the current record and merges one field (ycsb values); false: blind put (raw values). An op with writeField -1 (writeallfields) is always a blind put. */
  readBeforeUpdate: boolean;
  /** Operations in flight for async engines. */
  threads: number;
  /** Called after every interval closes (status line). */
  onTick?: (point: IntervalPoint, m: Measurement, elapsedMs: number) => void;
}

/** How a loop ended. */
export interface LoopResult {
  measurement: Measurement;
  operations: number;
  durationMs: number;
  stoppedBy: 'operationcount' | 'recordcount' | 'maxexecutiontime' | 'trace-end';
}

const FOUND = 0;
const ABSENT = 1;
const BAD = 2;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks (sync loop) until performance.now() >= `t`, sleeping for long waits. */
function waitUntil(t: number): void {
  for (;;) {
    const gap = t - performance.now();
    if (gap <= 0) return;
    if (gap > 2) Atomics.wait(sleepCell, 0, 0, gap - 1);
  }
}

function prepare(op: OpSlot, s: LoopSpec): Uint8Array | undefined {
  if (op.type === 'INSERT') return s.codec.insertValue(op);
  if (op.type === 'UPDATE' && (!s.readBeforeUpdate || op.writeField < 0)) return s.codec.updateValue(op, undefined);
  return undefined;
}

function bytes(rows: Array<[Uint8Array, Uint8Array]>): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) n += rows[i]![0].length + rows[i]![1].length;
  return n;
}

/** One operation on a sync engine. Returns FOUND / ABSENT / BAD; throws the engine's error. */
function execSync(e: Engine, op: OpSlot, s: LoopSpec, m: Measurement, pre: Uint8Array | undefined): number {
  switch (op.type) {
    case 'READ': {
      const v = e.get(op.key);
      if (v === undefined) return ABSENT;
      m.userBytesRead += op.key.length + v.length;
      return s.verify && !s.codec.verify(op, v) ? BAD : FOUND;
    }
    case 'INSERT':
      e.put(op.key, pre!);
      m.userBytesWritten += op.key.length + pre!.length;
      return FOUND;
    case 'UPDATE':
    case 'READMODIFYWRITE': {
      let v = pre;
      let status = FOUND;
      if (v === undefined) {
        const cur = e.get(op.key);
        if (cur === undefined) status = ABSENT;
        else m.userBytesRead += op.key.length + cur.length;
        v = s.codec.updateValue(op, cur);
      }
      e.put(op.key, v);
      m.userBytesWritten += op.key.length + v.length;
      return status;
    }
    case 'SCAN': {
      const rows = e.scan(op.key, op.scanLength);
      m.userBytesRead += bytes(rows);
      return rows.length === 0 ? ABSENT : FOUND;
    }
  }
}

/** One operation on an async engine (same semantics as {@link execSync}). */
async function execAsync(e: AsyncEngine, op: OpSlot, s: LoopSpec, m: Measurement, pre: Uint8Array | undefined): Promise<number> {
  switch (op.type) {
    case 'READ': {
      const v = await e.get(op.key);
      if (v === undefined) return ABSENT;
      m.userBytesRead += op.key.length + v.length;
      return s.verify && !s.codec.verify(op, v) ? BAD : FOUND;
    }
    case 'INSERT':
      await e.put(op.key, pre!);
      m.userBytesWritten += op.key.length + pre!.length;
      return FOUND;
    case 'UPDATE':
    case 'READMODIFYWRITE': {
      let v = pre;
      let status = FOUND;
      if (v === undefined) {
        const cur = await e.get(op.key);
        if (cur === undefined) status = ABSENT;
        else m.userBytesRead += op.key.length + cur.length;
        v = s.codec.updateValue(op, cur);
      }
      await e.put(op.key, v);
      m.userBytesWritten += op.key.length + v.length;
      return status;
    }
    case 'SCAN': {
      const rows = await e.scan(op.key, op.scanLength);
      m.userBytesRead += bytes(rows);
      return rows.length === 0 ? ABSENT : FOUND;
    }
  }
}

/** Fills `op` with the next operation; false when the source is exhausted. */
function next(s: LoopSpec, op: OpSlot): boolean {
  return s.phase === 'load' ? s.source.nextLoad(op) : s.source.nextRun(op) !== false;
}

/** Drives a synchronous engine: a plain loop, no promise per operation. */
export function runSyncLoop(engine: Engine, s: LoopSpec): LoopResult {
  const m = new Measurement(s.targetOpsPerSec !== null);
  const op = newSlot();
  const period = s.targetOpsPerSec === null ? 0 : 1000 / s.targetOpsPerSec;
  const run = s.phase === 'run';
  const start = performance.now();
  const deadline = s.maxExecutionMs > 0 ? start + s.maxExecutionMs : Infinity;
  let nextTick = start + s.intervalMs;
  let nextCheck = Math.min(nextTick, deadline);
  let stoppedBy: LoopResult['stoppedBy'] = run ? 'operationcount' : 'recordcount';
  let i = 0;
  let end = start;
  while (i < s.limit) {
    if (!next(s, op)) {
      stoppedBy = run ? 'trace-end' : 'recordcount';
      break;
    }
    const t = OP_INDEX[op.type];
    const pre = prepare(op, s);
    let intendedStart = 0;
    if (period !== 0) {
      intendedStart = start + i * period;
      waitUntil(intendedStart);
    }
    const t0 = performance.now();
    let status: number;
    try {
      status = execSync(engine, op, s, m, pre);
    } catch (e) {
      status = -1;
      m.fail(t, e);
    }
    const t1 = performance.now();
    if (status === FOUND || status === ABSENT) m.ok(t, (t1 - t0) * 1e6, (t1 - intendedStart) * 1e6, status === FOUND);
    else if (status === BAD) m.fail(t, undefined, 'VERIFY');
    if (run && status >= 0 && op.type === 'INSERT') s.source.acknowledge(op.keynum);
    i++;
    end = t1;
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
  return { measurement: m, operations: i, durationMs: end - start, stoppedBy };
}

/** Drives an asynchronous engine with `threads` operations in flight. */
export async function runAsyncLoop(engine: AsyncEngine, s: LoopSpec): Promise<LoopResult> {
  const m = new Measurement(s.targetOpsPerSec !== null);
  const period = s.targetOpsPerSec === null ? 0 : 1000 / s.targetOpsPerSec;
  const run = s.phase === 'run';
  const start = performance.now();
  const deadline = s.maxExecutionMs > 0 ? start + s.maxExecutionMs : Infinity;
  let nextTick = start + s.intervalMs;
  let stoppedBy: LoopResult['stoppedBy'] = run ? 'operationcount' : 'recordcount';
  let issued = 0;
  let stop = false;
  let end = start;
  const worker = async (): Promise<void> => {
    const op = newSlot();
    while (!stop && issued < s.limit) {
      if (!next(s, op)) {
        stoppedBy = run ? 'trace-end' : 'recordcount';
        stop = true;
        break;
      }
      // the source reuses one key buffer: with several ops in flight each needs its own copy
      op.key = Buffer.from(op.key);
      const i = issued++;
      const t = OP_INDEX[op.type];
      const pre = prepare(op, s);
      let intendedStart = 0;
      if (period !== 0) {
        intendedStart = start + i * period;
        for (let gap = intendedStart - performance.now(); gap > 0; gap = intendedStart - performance.now()) {
          if (gap > 1.5) await new Promise((r) => setTimeout(r, gap - 1));
        }
      }
      const t0 = performance.now();
      let status: number;
      try {
        status = await execAsync(engine, op, s, m, pre);
      } catch (e) {
        status = -1;
        m.fail(t, e);
      }
      const t1 = performance.now();
      if (status === FOUND || status === ABSENT) m.ok(t, (t1 - t0) * 1e6, (t1 - intendedStart) * 1e6, status === FOUND);
      else if (status === BAD) m.fail(t, undefined, 'VERIFY');
      if (run && status >= 0 && op.type === 'INSERT') s.source.acknowledge(op.keynum);
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
  await Promise.all(Array.from({ length: Math.max(1, s.threads) }, worker));
  if (m.done > 0 && (m.intervals.length === 0 || m.intervals[m.intervals.length - 1]!.tMs < end - start)) m.tick(end - start);
  return { measurement: m, operations: m.done, durationMs: end - start, stoppedBy };
}
