/**
 * One operation's engine work, as the drivers time it (semantics in harness/driver.ts): the
 * value preparation done before the clock starts, and the sync / async execution.
 */
import type { AsyncEngine, Engine } from '../engines/engine.js';
import type { LoopSpec } from './driver.js';
import type { Measurement } from './measurement.js';
import type { OpSlot } from './source.js';

/** execSync / execAsync results: the op succeeded and found its key, found nothing, or failed verification. */
export const FOUND = 0;
export const ABSENT = 1;
export const BAD = 2;
/** The value an INSERT or blind UPDATE writes, built before the clock starts; undefined otherwise. */
export function prepare(op: OpSlot, s: LoopSpec): Uint8Array | undefined {
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
export function execSync(e: Engine, op: OpSlot, s: LoopSpec, m: Measurement, pre: Uint8Array | undefined): number {
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
export async function execAsync(e: AsyncEngine, op: OpSlot, s: LoopSpec, m: Measurement, pre: Uint8Array | undefined): Promise<number> {
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
export function next(s: LoopSpec, op: OpSlot): boolean {
  return s.phase === 'load' ? s.source.nextLoad(op) : s.source.nextRun(op) !== false;
}

