/** The operation slot shared by OperationStream and TraceReader. */

/** YCSB CoreWorkload operation types. */
export type OpType = 'READ' | 'UPDATE' | 'INSERT' | 'SCAN' | 'READMODIFYWRITE';

/** Operation types in a fixed order; a trace stores the index (on-disk: never change without a version bump). */
export const OP_TYPES: readonly OpType[] = ['READ', 'UPDATE', 'INSERT', 'SCAN', 'READMODIFYWRITE'];

/**
 * A reusable, mutable operation slot filled by a stream (no allocation per op).
 * `key` is a view of a buffer the stream reuses: valid until the next fill; copy it to keep it.
 */
export interface Operation {
  type: OpType;
  /** The YCSB key number (non-negative integer). */
  keynum: number;
  /** The key name bytes ("user..."), see {@link Operation} for ownership. */
  key: Buffer;
  /** Records to scan (SCAN only; 0 otherwise). */
  scanLength: number;
  /** READ/SCAN/READMODIFYWRITE: the one field index to read, or -1 for all fields (readallfields). */
  readField: number;
  /** UPDATE/READMODIFYWRITE: the one field index to write, or -1 for all fields (writeallfields); INSERT: -1. */
  writeField: number;
}

/** A fresh operation slot to pass to nextLoad/nextRun/TraceReader.next. */
export function newOperation(): Operation {
  return { type: 'READ', keynum: 0, key: Buffer.alloc(0), scanLength: 0, readField: -1, writeField: -1 };
}
