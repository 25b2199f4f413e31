/**
 * YCSB's `Utils.fnvhash64`: FNV-1a 64-bit over the 8 bytes of a key number, least significant
 * first, the result read as a signed 64-bit integer and passed through Java's `Math.abs` (so
 * Long.MIN_VALUE stays negative). Computed exactly in two 32-bit halves, without BigInt.
 */

/** The hash as two unsigned 32-bit halves of the signed 64-bit result of Math.abs. */
export interface Hash64 {
  /** High 32 bits (unsigned). After abs this is < 2^31 except for Long.MIN_VALUE. */
  hi: number;
  /** Low 32 bits (unsigned). */
  lo: number;
}

const TWO_32 = 4294967296;
/** FNV-1a 64-bit offset basis 0xCBF29CE484222325, high and low words. */
const BASIS_HI = 0xcbf29ce4;
const BASIS_LO = 0x84222325;
/** The FNV 64-bit prime 1099511628211 = 2^40 + 0x1B3. */
const PRIME_LOW = 0x1b3;

/**
 * Writes fnvhash64(val) into `out` (no allocation). `val` must be a non-negative safe integer
 * (YCSB key numbers); YCSB's arithmetic shift equals a logical one for those.
 */
export function fnvhash64Into(val: number, out: Hash64): Hash64 {
  let v = val >>> 0;
  let hi = BASIS_HI | 0;
  let lo = BASIS_LO | 0;
  for (let word = 0; word < 2; word++) {
    for (let i = 0; i < 4; i++) {
      lo ^= v & 0xff;
      v >>>= 8;
      // (hi:lo) * (2^40 + 0x1B3) mod 2^64 in int32 arithmetic:
      // lo * 0x1B3 = a + b * 2^16 with a, b < 2^25; c = b + (a >>> 16) carries into the high word
      const a = (lo & 0xffff) * PRIME_LOW;
      const c = (lo >>> 16) * PRIME_LOW + (a >>> 16);
      hi = (Math.imul(hi, PRIME_LOW) + (c >>> 16) + (lo << 8)) | 0;
      lo = (a & 0xffff) | (c << 16);
    }
    v = (val / TWO_32) >>> 0; // the high word (floor, for non-negative val)
  }
  let uhi = hi >>> 0;
  let ulo = lo >>> 0;
  if (hi < 0 && !(uhi === 0x80000000 && ulo === 0)) {
    // two's-complement negation (Math.abs of a negative long)
    ulo = (~ulo + 1) >>> 0;
    uhi = (~uhi + (ulo === 0 ? 1 : 0)) >>> 0;
  }
  out.hi = uhi;
  out.lo = ulo;
  return out;
}

/** True when the halves hold Long.MIN_VALUE, the one value Math.abs leaves negative. */
export function isLongMin(h: Hash64): boolean {
  return h.hi === 0x80000000 && h.lo === 0;
}

/**
 * Java's `h % m` for the signed 64-bit hash in `h` and a positive modulus m <= 2^53
 * (the sign follows the dividend, as in Java).
 */
export function hashRemainder(h: Hash64, m: number): number {
  if (m > 137438953472 /* 2^37: keeps r * 65536 below 2^53 */) {
    const v = BigInt.asIntN(64, (BigInt(h.hi) << 32n) | BigInt(h.lo));
    return Number(v % BigInt(m));
  }
  if (isLongMin(h)) {
    // -(2^63 mod m)
    const r = mod53(mod53(0x80000000 % m * 65536, m) * 65536, m);
    return r === 0 ? 0 : -r;
  }
  const r = h.hi < m ? h.hi : h.hi % m;
  return mod53(mod53(r * 65536 + (h.lo >>> 16), m) * 65536 + (h.lo & 0xffff), m);
}

/** x mod m for integers 0 <= x < 2^53, 0 < m, without fmod (floor(x/m) may be off by one; corrected). */
function mod53(x: number, m: number): number {
  let r = x - Math.floor(x / m) * m;
  if (r < 0) r += m;
  else if (r >= m) r -= m;
  return r;
}

/** fnvhash64(val) as a BigInt (convenience; slow, for tests and tools). */
export function fnvhash64BigInt(val: number): bigint {
  const h = fnvhash64Into(val, { hi: 0, lo: 0 });
  return BigInt.asIntN(64, (BigInt(h.hi) << 32n) | BigInt(h.lo));
}
