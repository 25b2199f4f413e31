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
    let q: number; // value = q * 1e10 + r, q < 2^31, r < 1e10
    let r: number;
    if (!this.hashed) {
      q = Math.floor(keynum / TEN_10);
      r = keynum - q * TEN_10;
    } else {
      const h = fnvhash64Into(keynum, this.hash);
      if (isLongMin(h)) return this.finish(this.longMin());
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
    // 20 zero-padded digits as four 5-digit groups of int32 arithmetic
    const rh = Math.floor(r / 100000);
    put5(d, 15, r - rh * 100000);
    put5(d, 10, rh);
    const qh = (q / 100000) | 0;
    put5(d, 5, q - qh * 100000);
    put5(d, 0, qh);
    let start = 0;
    while (start < 19 && d[start] === ZERO) start++;
    return this.finish(start);
  }

  /** Writes the digits d[start..20) after the prefix and padding; returns the view. */
  private finish(start: number): Buffer {
    const d = this.digits;
    const b = this.backing;
    let pos = PREFIX.length;
    for (let fill = this.zeropadding - (20 - start); fill > 0; fill--) b[pos++] = ZERO;
    for (let i = start; i < 20; i++) b[pos++] = d[i]!;
    return this.views[pos]!;
  }

  /** Long.MIN_VALUE's 20 characters ("-9223372036854775808") into d; returns their start. */
  private longMin(): number {
    for (let i = 0; i < 20; i++) this.digits[i] = LONG_MIN_DIGITS.charCodeAt(i);
    return 0;
  }

  /** The key name as a string (allocates; for tools, tests and traces). */
  name(keynum: number): string {
    return this.write(keynum).toString('latin1');
  }
}

/** Writes x (0 <= x < 100000, an int) as exactly 5 ASCII digits at d[at..at+5). */
function put5(d: Uint8Array, at: number, x: number): void {
  let t = (x / 10) | 0;
  d[at + 4] = ZERO + x - t * 10;
  x = t;
  t = (x / 10) | 0;
  d[at + 3] = ZERO + x - t * 10;
  x = t;
  t = (x / 10) | 0;
  d[at + 2] = ZERO + x - t * 10;
  x = t;
  t = (x / 10) | 0;
  d[at + 1] = ZERO + x - t * 10;
  d[at] = ZERO + t;
}
