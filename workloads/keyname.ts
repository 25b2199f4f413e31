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
const TWO_32 = 4294967296;
const ZERO = 0x30;

/** Builds key names for one (zeropadding, insertorder) setting. */
export class KeyNamer {
  private readonly backing: Buffer;
  private readonly views: Buffer[];
  private readonly hash: Hash64 = { hi: 0, lo: 0 };
  private readonly digits = new Uint8Array(24);

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
    const d = this.digits;
    let n: number; // number of digits written into d, most significant first
    if (!this.hashed) {
      n = writeDecimal(keynum, d, 0, 0);
    } else {
      const h = fnvhash64Into(keynum, this.hash);
      if (isLongMin(h)) {
        for (let i = 0; i < LONG_MIN_DIGITS.length; i++) d[i] = LONG_MIN_DIGITS.charCodeAt(i);
        n = LONG_MIN_DIGITS.length;
      } else if (h.hi < 0x200000) {
        n = writeDecimal(h.hi * TWO_32 + h.lo, d, 0, 0); // < 2^53: exact as a double
      } else {
        // v = q * 1e10 + r by long division over 16-bit limbs (every step exact below 2^53)
        let r = 0;
        let q = 0;
        const limbs0 = h.hi >>> 16;
        const limbs1 = h.hi & 0xffff;
        const limbs2 = h.lo >>> 16;
        const limbs3 = h.lo & 0xffff;
        let cur = limbs0;
        let qd = Math.floor(cur / TEN_10);
        r = cur - qd * TEN_10;
        q = qd;
        cur = r * 65536 + limbs1;
        qd = Math.floor(cur / TEN_10);
        r = cur - qd * TEN_10;
        q = q * 65536 + qd;
        cur = r * 65536 + limbs2;
        qd = Math.floor(cur / TEN_10);
        r = cur - qd * TEN_10;
        q = q * 65536 + qd;
        cur = r * 65536 + limbs3;
        qd = Math.floor(cur / TEN_10);
        r = cur - qd * TEN_10;
        q = q * 65536 + qd;
        n = q > 0 ? writeDecimal(q, d, 0, 0) : 0;
        n = writeDecimal(r, d, n, n > 0 ? 10 : 0);
      }
    }
    const b = this.backing;
    let pos = PREFIX.length;
    for (let fill = this.zeropadding - n; fill > 0; fill--) b[pos++] = ZERO;
    for (let i = 0; i < n; i++) b[pos++] = d[i]!;
    return this.views[pos]!;
  }

  /** The key name as a string (allocates; for tools, tests and traces). */
  name(keynum: number): string {
    return this.write(keynum).toString('latin1');
  }
}

/**
 * Writes the decimal digits of the non-negative integer `x` (< 2^53) into `d` at `at`,
 * left-padded with zeros to `minDigits`; returns the new end position.
 */
function writeDecimal(x: number, d: Uint8Array, at: number, minDigits: number): number {
  let len = 1;
  for (let t = x; t >= 10; t = Math.floor(t / 10)) len++;
  if (len < minDigits) len = minDigits;
  let pos = at + len;
  const end = pos;
  while (pos > at) {
    const q = Math.floor(x / 10);
    d[--pos] = ZERO + (x - q * 10);
    x = q;
  }
  return end;
}
