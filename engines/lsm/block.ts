/**
 * Sstable blocks (data and index): sorted entries with key prefix compression and restart
 * points, as LevelDB's block format. Entry (on-disk: never change without a version bump):
 *
 *   shared(varint) | nonShared(varint) | valueLen(varint) | keyDelta | kind(1) | seq(varint) | value
 *
 * `shared` bytes of the key are taken from the previous entry's key. Every `restartInterval`
 * entries a restart point stores the key whole (shared = 0); the block ends with the restart
 * offsets (u32 LE each) and their count (u32 LE), so a lookup binary-searches restart points and
 * scans at most one interval. kind: 1 = put, 0 = delete (tombstone, empty value).
 */
import { corruption } from '../errors.js';
import { ByteWriter, getVarint, putVarint } from './coding.js';

/** Builds one block. Keys must be added in strictly ascending order. */
export class BlockBuilder {
  private readonly out = new ByteWriter(8 * 1024);
  private readonly restarts: number[] = [0];
  private sinceRestart = 0;
  private last: Buffer = Buffer.alloc(0);
  private lastLen = 0;
  entries = 0;

  constructor(private readonly restartInterval: number) {}

  add(key: Uint8Array, kind: number, seq: number, value: Uint8Array, vStart = 0, vEnd = value.length): void {
    let shared = 0;
    if (this.sinceRestart < this.restartInterval) {
      const max = Math.min(this.lastLen, key.length);
      const last = this.last;
      while (shared < max && last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.out.pos);
      this.sinceRestart = 0;
    }
    const nonShared = key.length - shared;
    const vlen = vEnd - vStart;
    const o = this.out;
    o.ensure(30 + nonShared + vlen);
    let p = putVarint(o.buf, o.pos, shared);
    p = putVarint(o.buf, p, nonShared);
    p = putVarint(o.buf, p, vlen);
    o.buf.set(nonShared === key.length ? key : key.subarray(shared), p);
    p += nonShared;
    o.buf[p++] = kind;
    p = putVarint(o.buf, p, seq);
    if (vlen > 0) o.buf.set(vStart === 0 && vEnd === value.length ? value : value.subarray(vStart, vEnd), p);
    o.pos = p + vlen;
    if (this.last.length < key.length) this.last = Buffer.allocUnsafe(Math.max(64, key.length * 2));
    this.last.set(key, 0);
    this.lastLen = key.length;
    this.sinceRestart++;
    this.entries++;
  }

  /** Size the block would have if finished now. */
  estimatedSize(): number {
    return this.out.pos + 4 * this.restarts.length + 4;
  }

  get empty(): boolean {
    return this.entries === 0;
  }

  /** Appends the restart array; returns the block contents (a view valid until {@link reset}). */
  finish(): Buffer {
    for (const r of this.restarts) this.out.u32(r);
    this.out.u32(this.restarts.length);
    return this.out.view();
  }

  reset(): void {
    this.out.reset();
    this.restarts.length = 1;
    this.restarts[0] = 0;
    this.sinceRestart = 0;
    this.lastLen = 0;
    this.entries = 0;
  }
}

/**
 * A parsed block (contents without the trailer). Reading never throws anything but a CORRUPTION
 * KvError naming `file` and the block's file offset.
 */
export class Block {
  readonly restartsAt: number;
  readonly numRestarts: number;

  constructor(
    readonly data: Buffer,
    readonly file: string,
    readonly fileOffset: number,
  ) {
    if (data.length < 4) throw this.bad('block too short');
    this.numRestarts = data.readUInt32LE(data.length - 4);
    this.restartsAt = data.length - 4 - 4 * this.numRestarts;
    if (this.numRestarts === 0 || this.restartsAt < 0) throw this.bad('bad restart count');
  }

  bad(why: string): Error {
    return corruption(`sstable block: ${why}`, this.file, this.fileOffset);
  }

  restartOffset(i: number): number {
    return this.data.readUInt32LE(this.restartsAt + 4 * i);
  }

  /** Bytes of memory held. */
  get size(): number {
    return this.data.length;
  }
}

/**
 * A cursor over one block's entries, in order. After {@link seek}/{@link next}, `valid` says
 * whether it is on an entry; then `key` (a fresh Buffer per entry unless `reuseKey`), `kind`,
 * `seq` and `data[valueStart..valueEnd]` describe it.
 */
export class BlockCursor {
  valid = false;
  key: Buffer = Buffer.alloc(0);
  keyLen = 0;
  kind = 0;
  seq = 0;
  valueStart = 0;
  valueEnd = 0;
  private nextAt = 0;
  private readonly cur = { pos: 0 };
  private scratch: Buffer = Buffer.allocUnsafe(64);

  /** With `reuseKey`, `key` is a scratch buffer overwritten by each step (use keyLen). */
  constructor(
    public block: Block,
    private readonly reuseKey = false,
  ) {}

  /** Re-targets the cursor at another block (unpositioned until seek). */
  reset(block: Block): void {
    this.block = block;
    this.valid = false;
    this.keyLen = 0;
    this.nextAt = 0;
  }

  get data(): Buffer {
    return this.block.data;
  }

  /** Positions at the first entry. */
  seekToFirst(): void {
    this.nextAt = 0;
    this.keyLen = 0;
    this.next();
  }

  /** Advances to the next entry (or invalid at the end). */
  next(): void {
    const b = this.block;
    const d = b.data;
    const end = b.restartsAt;
    let p = this.nextAt;
    if (p >= end) {
      this.valid = false;
      return;
    }
    const c = this.cur;
    const shared = getVarint(d, p, end, c);
    p = c.pos;
    const nonShared = getVarint(d, p, end, c);
    p = c.pos;
    const vlen = getVarint(d, p, end, c);
    p = c.pos;
    if (shared < 0 || nonShared < 0 || vlen < 0 || shared > this.keyLen || p + nonShared + 1 > end) throw b.bad('bad entry header');
    const klen = shared + nonShared;
    if (this.reuseKey) {
      if (this.scratch.length < klen) {
        const n = Buffer.allocUnsafe(klen * 2);
        this.scratch.copy(n, 0, 0, shared);
        this.scratch = n;
      }
      d.copy(this.scratch, shared, p, p + nonShared);
      this.key = this.scratch;
    } else {
      const k = Buffer.allocUnsafe(klen);
      if (shared > 0) this.key.copy(k, 0, 0, shared);
      d.copy(k, shared, p, p + nonShared);
      this.key = k;
    }
    this.keyLen = klen;
    p += nonShared;
    this.kind = d[p++]!;
    this.seq = getVarint(d, p, end, c);
    if (this.seq < 0) throw b.bad('bad sequence');
    p = c.pos;
    if (p + vlen > end) throw b.bad('value overruns block');
    this.valueStart = p;
    this.valueEnd = p + vlen;
    this.nextAt = p + vlen;
    this.valid = true;
  }

  /** Positions at the first entry with key >= target (invalid if none). */
  seek(target: Uint8Array): void {
    const b = this.block;
    const d = b.data;
    // Binary search: the last restart point whose key is < target.
    let lo = 0;
    let hi = b.numRestarts - 1;
    const c = this.cur;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const off = b.restartOffset(mid);
      const shared = getVarint(d, off, b.restartsAt, c);
      const nonShared = getVarint(d, c.pos, b.restartsAt, c);
      getVarint(d, c.pos, b.restartsAt, c);
      const ks = c.pos;
      if (shared !== 0 || nonShared < 0 || ks + nonShared > b.restartsAt) throw b.bad('bad restart entry');
      if (d.compare(target, 0, target.length, ks, ks + nonShared) < 0) lo = mid;
      else hi = mid - 1;
    }
    this.nextAt = b.restartOffset(lo);
    if (this.nextAt > b.restartsAt) throw b.bad('restart offset out of range');
    this.keyLen = 0;
    for (;;) {
      this.next();
      if (!this.valid) return;
      if (this.key.compare(target, 0, target.length, 0, this.keyLen) >= 0) return;
    }
  }

  /** True when positioned on an entry whose key equals `target`. */
  keyEquals(target: Uint8Array): boolean {
    return this.valid && this.keyLen === target.length && this.key.compare(target, 0, target.length, 0, this.keyLen) === 0;
  }
}

/** Encodes an index-block value: the data block's offset and size (varints). */
export function encodeHandle(scratch: Buffer, offset: number, size: number): Buffer {
  const p = putVarint(scratch, 0, offset);
  return scratch.subarray(0, putVarint(scratch, p, size));
}
