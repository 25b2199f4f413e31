/**
 * What the harness needs from a workload: an operation source (generated stream or trace) and
 * a value codec. Structural mirrors of workloads/index.ts (OperationStream, TraceReader,
 * RecordCodec), so the drivers depend on the shape, not on one implementation.
 */

/** Operation types, YCSB names. */
export type OpType = 'READ' | 'UPDATE' | 'INSERT' | 'SCAN' | 'READMODIFYWRITE';

/** A reusable operation slot filled by the source (no allocation per op). */
export interface OpSlot {
  type: OpType;
  keynum: number;
  key: Buffer;
  scanLength: number;
  /** Field to read, or -1 for all fields. */
  readField: number;
  /** Field an UPDATE/READMODIFYWRITE writes, or -1 for all fields (no read needed). */
  writeField: number;
  /** A replayed trace's value size for an INSERT (its codec reads it); -1: the codec decides (YCSB). */
  valueLength: number;
  /** A replayed trace's intended start, ms after the loop starts (the open loop's schedule with `recordedTiming`); NaN: none. */
  atMs: number;
}

/** Generated stream or replayed trace. */
export interface OpSource {
  /** Fills `op` with the next load-phase INSERT; false when the load is done. */
  nextLoad(op: OpSlot): boolean;
  /** Fills `op` with the next run-phase operation; a trace source may return false at its end. */
  nextRun(op: OpSlot): boolean | void;
  /** A run-phase INSERT of `keynum` completed. */
  acknowledge(keynum: number): void;
}

/** Builds values for writes and checks values of reads. */
export interface ValueCodec {
  insertValue(op: OpSlot): Uint8Array;
  updateValue(op: OpSlot, current: Uint8Array | undefined): Uint8Array;
  verify(op: OpSlot, value: Uint8Array): boolean;
}

/** Stable index of each op type in per-type arrays. */
export const OP_INDEX: Readonly<Record<OpType, number>> = { READ: 0, UPDATE: 1, INSERT: 2, SCAN: 3, READMODIFYWRITE: 4 };
export const OP_NAMES: readonly OpType[] = ['READ', 'UPDATE', 'INSERT', 'SCAN', 'READMODIFYWRITE'];

/** A fresh operation slot. */
export function newSlot(): OpSlot {
  return { type: 'READ', keynum: 0, key: Buffer.alloc(0), scanLength: 0, readField: -1, writeField: -1, valueLength: -1, atMs: NaN };
}
