/**
 * Byte encodings shared by the LSM files (WAL, sstable, manifest): LevelDB-style varints and
 * little-endian fixed-width integers, plus a growable output buffer. Numbers are JS numbers
 * (exact up to 2^53); 64-bit fields are written as two 32-bit halves.
 */

/** Bytes a varint of `v` takes (v >= 0, v < 2^53). */
export function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes `v` as a varint (7 bits per byte, low first, high bit = more) at `pos`; returns the new position. */
export function putVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Reads a varint at `pos` (not past `end`). Returns the value and stores the next position in
 * `cursor.pos`. Returns -1 when the varint is truncated or longer than 8 bytes (caller reports
 * CORRUPTION).
 */
export function getVarint(buf: Uint8Array, pos: number, end: number, cursor: { pos: number }): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8 && pos < end; i++) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      cursor.pos = pos;
      return result;
    }
    mul *= 128;
  }
  return -1;
}

/** Writes a 64-bit little-endian unsigned integer (v < 2^53). */
export function putFixed64(buf: Buffer, pos: number, v: number): void {
  buf.writeUInt32LE(v % 0x100000000, pos);
  buf.writeUInt32LE(Math.floor(v / 0x100000000), pos + 4);
}

/** Reads a 64-bit little-endian unsigned integer written by {@link putFixed64}. */
export function getFixed64(buf: Buffer, pos: number): number {
  return buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000;
}

/** An append-only byte buffer that grows by doubling. `bytes()` views the written part. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(v: number): void {
    this.ensure(10);
    this.pos = putVarint(this.buf, this.pos, v);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  u64(v: number): void {
    this.ensure(8);
    putFixed64(this.buf, this.pos, v);
    this.pos += 8;
  }

  bytes(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(n === b.length ? b : b.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** A length-prefixed (varint) byte string. */
  lengthPrefixed(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}

/**
 * A bounds-checked reader over a byte buffer for metadata (manifest). An overrun or a bad
 * varint never reads out of bounds: it calls `fail(offset, what)`, which must throw (the
 * manifest throws a CORRUPTION KvError).
 */
export class ByteReader {
  pos: number;
  private readonly cur = { pos: 0 };

  constructor(
    readonly buf: Buffer,
    private readonly fail: (offset: number, what: string) => never,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    const v = getVarint(this.buf, this.pos, this.end, this.cur);
    if (v < 0) this.fail(this.pos, 'bad varint');
    this.pos = this.cur.pos;
    return v;
  }

  u8(): number {
    if (this.pos + 1 > this.end) this.fail(this.pos, 'truncated');
    return this.buf[this.pos++]!;
  }

  u32(): number {
    if (this.pos + 4 > this.end) this.fail(this.pos, 'truncated');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    if (this.pos + 8 > this.end) this.fail(this.pos, 'truncated');
    const v = getFixed64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /** A length-prefixed byte string, copied out. */
  lengthPrefixed(): Buffer {
    const n = this.varint();
    if (this.pos + n > this.end) this.fail(this.pos, 'truncated string');
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
}
