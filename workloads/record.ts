/**
 * The record codec. YCSB mode: a record is `fieldcount` fields encoded as one msgpackr *record*
 * (msgpackr's `structures` extension) whose structure is the field-name list, so it is exactly
 * the bytes `new Packr({ structures: [fieldnames] }).pack({field0: '...', ...})` produces:
 * 0x40 (structure slot 0) followed by the field values as msgpack strings in field order.
 * kvlab writes those bytes directly (no intermediate strings) and merges an update by
 * splicing the one field; any record msgpackr can decode with that structure is accepted.
 * Raw mode: values are opaque random blobs of `rawvaluelength` bytes (db_bench style).
 *
 * Buffer ownership: every returned value is a fresh buffer the caller owns.
 */
import { Packr } from 'msgpackr';
import { invalidArgument } from '../engines/errors.js';
import type { WorkloadConfig } from './config.js';
import type { NumberGenerator } from './generators/types.js';
import type { Operation } from './operation.js';
import { Random } from './random.js';
import { createFieldLengthGenerator, deterministicValue, fillPrintable } from './values.js';

/** The PRNG sub-stream record values draw from. */
export const VALUE_RNG_STREAM = 1;
/** msgpackr's first shared-structure record id (on-disk: never change without a version bump). */
const RECORD_ID = 0x40;

/** Builds, merges and verifies values for one workload configuration. Not thread-safe. */
export class RecordCodec {
  readonly config: WorkloadConfig;
  private readonly rng: Random;
  private readonly fieldlength: NumberGenerator;
  private readonly packr: Packr;
  private readonly lengths: Int32Array;
  private readonly spans = new Int32Array(4); // scratch: [start, end] of a field's encoding

  /** @param seed any safe integer (values use PRNG sub-stream 1, independent of the operations) */
  constructor(config: WorkloadConfig, seed: number) {
    this.config = config;
    this.rng = new Random(seed, VALUE_RNG_STREAM);
    this.fieldlength = createFieldLengthGenerator(config, this.rng);
    this.packr = new Packr({ structures: [config.fieldnames.slice()], saveStructures: () => false, maxSharedStructures: 1 });
    this.lengths = new Int32Array(config.fieldcount);
  }

  /** A full record (ycsb) or blob (raw) for an INSERT of `op.key`. */
  insertValue(op: Operation): Uint8Array {
    if (this.config.valuemode === 'raw') return this.rawValue(op);
    return this.encodeRecord(op, -1, undefined, 0, 0);
  }

  /**
   * The value an UPDATE or READMODIFYWRITE writes given the stored value: ycsb mode replaces
   * field `op.writeField` of `current` (read-merge-write, as YCSB's RocksDB binding does), or
   * writes all fields when `op.writeField` is -1 (writeallfields) or `current` is undefined
   * (YCSB's binding would report NOT_FOUND there; the harness decides). Raw mode: a fresh blob.
   * A `current` in another msgpackr layout (e.g. a plain map) is decoded, merged and re-encoded;
   * one that does not decode to a record at all is replaced by a full record. Never throws.
   */
  updateValue(op: Operation, current: Uint8Array | undefined): Uint8Array {
    if (this.config.valuemode === 'raw') return this.rawValue(op);
    const f = op.writeField;
    if (f < 0 || current === undefined) return this.encodeRecord(op, -1, undefined, 0, 0);
    if (this.locateField(current, f)) return this.encodeRecord(op, f, current, this.spans[0]!, this.spans[1]!);
    let rec: Record<string, string>;
    try {
      rec = this.decode(current);
    } catch {
      return this.encodeRecord(op, -1, undefined, 0, 0);
    }
    // re-encode in kvlab's layout, then splice the fresh field in as usual
    const normal = this.encode(rec);
    if (!this.locateField(normal, f)) return this.encodeRecord(op, -1, undefined, 0, 0);
    return this.encodeRecord(op, f, normal, this.spans[0]!, this.spans[1]!);
  }

  /**
   * With dataintegrity=true: whether `value` holds what `op.key`'s fields must hold (field
   * `op.readField`, or all fields when it is -1). Always true when dataintegrity is off.
   */
  verify(op: Operation, value: Uint8Array | undefined): boolean {
    const cfg = this.config;
    if (!cfg.dataintegrity) return true;
    if (value === undefined || value.length === 0) return false; // YCSB: no data is an error
    if (cfg.valuemode === 'raw') return Buffer.compare(Buffer.from(value), this.rawValue(op)) === 0;
    let rec: Record<string, unknown>;
    try {
      rec = this.decode(value);
    } catch {
      return false;
    }
    const key = op.key.toString('latin1');
    const check = (i: number): boolean => rec[cfg.fieldnames[i]!] === deterministicValue(key, cfg.fieldnames[i]!, cfg.fieldlength);
    if (op.readField >= 0) return check(op.readField);
    for (let i = 0; i < cfg.fieldcount; i++) if (!check(i)) return false;
    return true;
  }

  /** Decodes a ycsb-mode record to `{ fieldname: value }`. Errors: INVALID_ARGUMENT if it is not one. */
  decode(value: Uint8Array): Record<string, string> {
    let rec: unknown;
    try {
      rec = this.packr.unpack(value);
    } catch (e) {
      throw invalidArgument(`not a msgpackr record: ${(e as Error).message}`);
    }
    if (rec instanceof Map) rec = Object.fromEntries(rec); // a plain msgpack map
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec) || rec instanceof Uint8Array)
      throw invalidArgument('not a msgpackr record');
    return rec as Record<string, string>;
  }

  /** Encodes `{ fieldname: value }` with msgpackr (the reference encoder; slower than insertValue). */
  encode(fields: Record<string, unknown>): Uint8Array {
    const ordered: Record<string, string> = {};
    for (const n of this.config.fieldnames) {
      const v = fields[n];
      ordered[n] = typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : '';
    }
    return this.packr.pack(ordered);
  }

  /**
   * Writes a record: all fields fresh when keep is -1; otherwise `current` with field `keep`
   * (bytes [from, to) of current) replaced by a fresh value.
   */
  private encodeRecord(op: Operation, keep: number, current: Uint8Array | undefined, from: number, to: number): Uint8Array {
    const cfg = this.config;
    const integrity = cfg.dataintegrity;
    const key = integrity ? op.key.toString('latin1') : '';
    if (keep >= 0 && current !== undefined) {
      const len = this.fieldlength.next();
      const val = integrity ? deterministicValue(key, cfg.fieldnames[keep]!, len) : undefined;
      const vlen = val === undefined ? len : val.length;
      const out = Buffer.allocUnsafe(current.length - (to - from) + headerSize(vlen) + vlen);
      out.set(current.subarray(0, from), 0);
      let pos = writeStringHeader(out, from, vlen);
      if (val === undefined) fillPrintable(this.rng, out, pos, vlen);
      else out.write(val, pos, 'latin1');
      pos += vlen;
      out.set(current.subarray(to), pos);
      return out;
    }
    const lengths = this.lengths;
    const values: string[] | undefined = integrity ? [] : undefined;
    let size = 1;
    for (let i = 0; i < cfg.fieldcount; i++) {
      let len = this.fieldlength.next();
      if (values) {
        const v = deterministicValue(key, cfg.fieldnames[i]!, len);
        values.push(v);
        len = v.length;
      }
      lengths[i] = len;
      size += headerSize(len) + len;
    }
    const out = Buffer.allocUnsafe(size);
    out[0] = RECORD_ID;
    let pos = 1;
    for (let i = 0; i < cfg.fieldcount; i++) {
      const len = lengths[i]!;
      pos = writeStringHeader(out, pos, len);
      if (values) out.write(values[i]!, pos, 'latin1');
      else fillPrintable(this.rng, out, pos, len);
      pos += len;
    }
    return out;
  }

  /** Finds field `f`'s encoded bytes in a record written as kvlab writes them; false otherwise. */
  private locateField(rec: Uint8Array, f: number): boolean {
    if (rec.length === 0 || rec[0] !== RECORD_ID) return false;
    let pos = 1;
    for (let i = 0; i < this.config.fieldcount; i++) {
      if (pos >= rec.length) return false;
      const b = rec[pos]!;
      let hdr: number;
      let len: number;
      if ((b & 0xe0) === 0xa0) {
        hdr = 1;
        len = b & 0x1f;
      } else if (b === 0xd9) {
        hdr = 2;
        len = rec[pos + 1]!;
      } else if (b === 0xda) {
        hdr = 3;
        len = (rec[pos + 1]! << 8) | rec[pos + 2]!;
      } else if (b === 0xdb) {
        hdr = 5;
        len = ((rec[pos + 1]! << 24) | (rec[pos + 2]! << 16) | (rec[pos + 3]! << 8) | rec[pos + 4]!) >>> 0;
      } else return false;
      const end = pos + hdr + len;
      if (end > rec.length) return false;
      if (i === f) {
        this.spans[0] = pos;
        this.spans[1] = end;
      }
      pos = end;
    }
    return pos === rec.length;
  }

  private rawValue(op: Operation): Buffer {
    const len = this.config.rawvaluelength;
    const out = Buffer.allocUnsafe(len);
    // with dataintegrity the blob is a function of the key number alone
    const rng = this.config.dataintegrity ? new Random(op.keynum, 2) : this.rng;
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const x = rng.nextU32();
      out[i] = x;
      out[i + 1] = x >>> 8;
      out[i + 2] = x >>> 16;
      out[i + 3] = x >>> 24;
    }
    if (i < len) {
      const last = rng.nextU32();
      for (let s = 0; i < len; i++, s += 8) out[i] = (last >>> s) & 0xff;
    }
    return out;
  }
}

/** Bytes of the msgpack str header for a string of `len` bytes (msgpackr's choice of form). */
function headerSize(len: number): number {
  return len < 32 ? 1 : len < 256 ? 2 : len < 65536 ? 3 : 5;
}

function writeStringHeader(out: Buffer, pos: number, len: number): number {
  if (len < 32) {
    out[pos] = 0xa0 | len;
    return pos + 1;
  }
  if (len < 256) {
    out[pos] = 0xd9;
    out[pos + 1] = len;
    return pos + 2;
  }
  if (len < 65536) {
    out[pos] = 0xda;
    out.writeUInt16BE(len, pos + 1);
    return pos + 3;
  }
  out[pos] = 0xdb;
  out.writeUInt32BE(len, pos + 1);
  return pos + 5;
}
