/**
 * The WAL record payload: one write batch, as LevelDB's WriteBatch:
 * `sequence(8, LE) | count(4, LE) | count × (kind(1) | varint keyLen | key | [varint valueLen | value])`.
 * kind 1 = put, 0 = delete. Every op of a batch carries the batch's one sequence number, so a
 * batch is replayed all-or-nothing (a WAL record is either complete or dropped).
 */
import { corruption } from '../errors.js';
import type { BatchOp } from '../engine.js';
import { ByteWriter, getFixed64, getVarint, putFixed64, putVarint, varintLength } from './coding.js';

/** on-disk op kinds: never change without a version bump. */
export const KIND_DELETE = 0;
export const KIND_PUT = 1;
/** on-disk: sequence(8) + count(4). Never change without a version bump. */
export const BATCH_HEADER = 12;

const scratch = new ByteWriter(64 * 1024);

/** Encodes a batch (a view of a shared scratch buffer, valid until the next encode call). */
export function encodeBatch(seq: number, ops: readonly BatchOp[]): Buffer {
  scratch.reset();
  scratch.u64(seq);
  scratch.u32(ops.length);
  for (const op of ops) {
    scratch.u8(op.type === 'put' ? KIND_PUT : KIND_DELETE);
    scratch.lengthPrefixed(op.key);
    if (op.type === 'put') scratch.lengthPrefixed(op.value);
  }
  return scratch.view();
}

/** Encodes a single put or delete (value undefined) without building an op object. */
export function encodeSingle(seq: number, key: Uint8Array, value: Uint8Array | undefined): Buffer {
  const n = BATCH_HEADER + 1 + varintLength(key.length) + key.length + (value ? varintLength(value.length) + value.length : 0);
  scratch.reset();
  scratch.ensure(n);
  const b = scratch.buf;
  putFixed64(b, 0, seq);
  b.writeUInt32LE(1, 8);
  b[12] = value ? KIND_PUT : KIND_DELETE;
  let p = putVarint(b, 13, key.length);
  b.set(key, p);
  p += key.length;
  if (value) {
    p = putVarint(b, p, value.length);
    b.set(value, p);
    p += value.length;
  }
  scratch.pos = p;
  return scratch.view();
}

/** Decodes a batch record; calls `apply` per op with views into `rec`. CORRUPTION on malformed input. */
export function decodeBatch(
  rec: Buffer,
  file: string,
  apply: (seq: number, key: Buffer, value: Buffer | undefined) => void,
): { seq: number; count: number } {
  const fail = (why: string) => corruption(`WAL batch record malformed (${why})`, file);
  if (rec.length < BATCH_HEADER) throw fail('short header');
  const seq = getFixed64(rec, 0);
  const count = rec.readUInt32LE(8);
  const cur = { pos: 0 };
  let p = BATCH_HEADER;
  const take = (): Buffer => {
    const n = getVarint(rec, p, rec.length, cur);
    if (n < 0 || cur.pos + n > rec.length) throw fail('bad length');
    p = cur.pos + n;
    return rec.subarray(cur.pos, p);
  };
  for (let i = 0; i < count; i++) {
    if (p >= rec.length) throw fail('fewer ops than counted');
    const kind = rec[p++];
    const key = take();
    if (kind === KIND_PUT) apply(seq, key, take());
    else if (kind === KIND_DELETE) apply(seq, key, undefined);
    else throw fail(`bad op kind ${kind}`);
  }
  if (p !== rec.length) throw fail('trailing bytes');
  return { seq, count };
}
