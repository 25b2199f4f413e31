/**
 * Packing many operations into one buffer for one JS -> native call (formats documented in
 * native/src/exports.rs). A {@link Packer} reuses its buffer: what it returns is valid until its
 * next call, which is enough because the core only reads it during the call.
 */
import type { BatchOp } from '../engine.js';

/** on-the-wire (JS <-> native, not on disk): packed op header bytes. */
export const OP_HEADER_BYTES = 8;
/** on-the-wire: packed key header bytes (u16 length). */
export const KEY_HEADER_BYTES = 2;
const EMPTY = new Uint8Array(0);

/** A reusable growable packing buffer. */
export class Packer {
  private buf = Buffer.allocUnsafe(64 * 1024);

  private room(n: number): Buffer {
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    return this.buf;
  }

  /** `type u8 | 0 u8 | keyLen u16 | valueLen u32 | key | value` per op. */
  ops(batch: readonly BatchOp[]): Buffer {
    let n = 0;
    for (const op of batch) n += OP_HEADER_BYTES + op.key.length + (op.type === 'put' ? op.value.length : 0);
    const b = this.room(n);
    let at = 0;
    for (const op of batch) {
      const v = op.type === 'put' ? op.value : EMPTY;
      b[at] = op.type === 'put' ? 0 : 1;
      b[at + 1] = 0;
      b.writeUInt16LE(op.key.length, at + 2);
      b.writeUInt32LE(v.length, at + 4);
      b.set(op.key, at + OP_HEADER_BYTES);
      b.set(v, at + OP_HEADER_BYTES + op.key.length);
      at += OP_HEADER_BYTES + op.key.length + v.length;
    }
    return b.subarray(0, at);
  }

  /** Puts given as parallel arrays (no op objects): same layout as {@link ops}. */
  puts(keys: readonly Uint8Array[], values: readonly Uint8Array[]): Buffer {
    let n = 0;
    for (let i = 0; i < keys.length; i++) n += OP_HEADER_BYTES + keys[i]!.length + values[i]!.length;
    const b = this.room(n);
    let at = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = values[i]!;
      b[at] = 0;
      b[at + 1] = 0;
      b.writeUInt16LE(k.length, at + 2);
      b.writeUInt32LE(v.length, at + 4);
      b.set(k, at + OP_HEADER_BYTES);
      b.set(v, at + OP_HEADER_BYTES + k.length);
      at += OP_HEADER_BYTES + k.length + v.length;
    }
    return b.subarray(0, at);
  }

  /** `keyLen u16 | key` per key. */
  keys(keys: readonly Uint8Array[]): Buffer {
    let n = 0;
    for (const k of keys) n += KEY_HEADER_BYTES + k.length;
    const b = this.room(n);
    let at = 0;
    for (const k of keys) {
      b.writeUInt16LE(k.length, at);
      b.set(k, at + KEY_HEADER_BYTES);
      at += KEY_HEADER_BYTES + k.length;
    }
    return b.subarray(0, at);
  }
}
