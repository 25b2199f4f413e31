/**
 * YCSB key names (`CoreWorkload.buildKeyName`): `"user"` + the key number, hashed with
 * {@link fnvhash64Into} when insertorder=hashed, left-padded with '0' to `zeropadding` digits
 * (the padding applies to hashed names too, as in YCSB). Exact for every key number.
 *
 * {@link KeyNamer.write} is cache-free and allocation-free: it writes the ASCII bytes into one
 * reused backing buffer and returns a view of the right length (one preallocated view per
 * length), so the returned Buffer is only valid until the next call.
 */
import { fnvhash64Into, isLongMin, type Hash64 } from './fnv.js';

const PREFIX = 'user';
const LONG_MIN_DIGITS = '-9223372036854775808';
const TEN_10 = 1e10;
const ZERO = 0x30;

/** Builds key names for one (zeropadding, insertorder) setting. */
export class KeyNamer {
  private readonly backing: Buffer;
  private readonly views: Buffer[];
  private readonly hash: Hash64 = { hi: 0, lo: 0 };

  /**
   * @param zeropadding minimum number of digits (YCSB `zeropadding`, >= 1 in practice)
   * @param hashed true for insertorder=hashed (FNV-hash the key number first)
   */
  constructor(
    readonly zeropadding: number,
    readonly hashed: boolean,
  ) {
    const max = PREFIX.length + Math.max(20, zeropadding);
    this.backing = Buffer.alloc(max);
    this.backing.write(PREFIX, 0, 'latin1');
    this.views = [];
    for (let len = 0; len <= max; len++) this.views.push(this.backing.subarray(0, len));
  }

  /**
   * The key name of `keynum` (a non-negative safe integer) as a view of a reused buffer:
   * valid until the next call on this KeyNamer; copy it to keep it.
   */
  write(keynum: number): Buffer {
    let q: number; // value = q * 1e10 + r, q < 2^31, r < 1e10
    let r: number;
    if (!this.hashed) {
      q = Math.floor(keynum / TEN_10);
      r = keynum - q * TEN_10;
    } else {
      const h = fnvhash64Into(keynum, this.hash);
      if (isLongMin(h)) return this.longMin();
      // long division of hi:lo by 1e10 over 16-bit limbs (every step exact below 2^53)
      const hi = h.hi;
      const lo = h.lo;
      let cur = hi >>> 16; // < 2^15 < 1e10: quotient digit 0
      cur = cur * 65536 + (hi & 0xffff);
      let qd = Math.floor(cur / TEN_10);
      r = cur - qd * TEN_10;
      q = qd;
      cur = r * 65536 + (lo >>> 16);
      qd = Math.floor(cur / TEN_10);
      r = cur - qd * TEN_10;
      q = q * 65536 + qd;
      cur = r * 65536 + (lo & 0xffff);
      qd = Math.floor(cur / TEN_10);
      r = cur - qd * TEN_10;
      q = q * 65536 + qd;
    }
    // base-1e5 chunks (int32 arithmetic from here on), least significant first
    const rh = Math.floor(r / 100000);
    const c0 = r - rh * 100000;
    const c1 = rh;
    const qh = (q / 100000) | 0;
    const c2 = q - qh * 100000;
    const c3 = qh;
    const top = c3 !== 0 ? 3 : c2 !== 0 ? 2 : c1 !== 0 ? 1 : 0;
    const topChunk = top === 3 ? c3 : top === 2 ? c2 : top === 1 ? c1 : c0;
    const digits = 5 * top + digitCount5(topChunk);
    const b = this.backing;
    const fill = this.zeropadding - digits;
    let pos = PREFIX.length;
    for (let i = 0; i < fill; i++) b[pos++] = ZERO;
    const end = pos + digits;
    let at = end;
    if (top > 0) {
      put5(b, (at -= 5), c0);
      if (top > 1) {
        put5(b, (at -= 5), c1);
        if (top > 2) put5(b, (at -= 5), c2);
      }
    }
    putMin(b, at, topChunk);
    return this.views[end]!;
  }

  /** Long.MIN_VALUE's name ("-9223372036854775808" after the padding). */
  private longMin(): Buffer {
    const b = this.backing;
    let pos = PREFIX.length;
    for (let fill = this.zeropadding - LONG_MIN_DIGITS.length; fill > 0; fill--) b[pos++] = ZERO;
    pos += b.write(LONG_MIN_DIGITS, pos, 'latin1');
    return this.views[pos]!;
  }

  /** The key name as a string (allocates; for tools, tests and traces). */
  name(keynum: number): string {
    return this.write(keynum).toString('latin1');
  }
}

/** "00".."99" as ASCII byte pairs. */
const PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = ZERO + Math.floor(i / 10);
    t[2 * i + 1] = ZERO + (i % 10);
  }
  return t;
})();

/** Decimal digits of 0 <= x < 100000 (1 for 0). */
function digitCount5(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : 5;
}

/** Writes 0 <= x < 100000 as exactly 5 ASCII digits at b[at..at+5). */
function put5(b: Uint8Array, at: number, x: number): void {
  let t = (x / 100) | 0;
  let p = (x - t * 100) << 1;
  b[at + 3] = PAIRS[p]!;
  b[at + 4] = PAIRS[p + 1]!;
  x = t;
  t = (x / 100) | 0;
  p = (x - t * 100) << 1;
  b[at + 1] = PAIRS[p]!;
  b[at + 2] = PAIRS[p + 1]!;
  b[at] = ZERO + t;
}

/** Writes 0 <= x < 100000 with its minimal digits, ending at b[end - 1]. */
function putMin(b: Uint8Array, end: number, x: number): void {
  let at = end;
  while (x >= 100) {
    const t = (x / 100) | 0;
    const p = (x - t * 100) << 1;
    b[--at] = PAIRS[p + 1]!;
    b[--at] = PAIRS[p]!;
    x = t;
  }
  if (x >= 10) {
    b[--at] = PAIRS[(x << 1) + 1]!;
    b[--at] = PAIRS[x << 1]!;
  } else b[--at] = ZERO + x;
}
