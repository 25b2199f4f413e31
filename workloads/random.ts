/**
 * The seeded PRNG behind every kvlab workload: xoshiro128** (Blackman & Vigna), 32-bit state
 * words seeded through splitmix32. Chosen because it needs only 32-bit integer arithmetic
 * (`Math.imul`, shifts), so it is fast in V8 and gives bit-identical streams on every machine.
 *
 * It is NOT Java's `ThreadLocalRandom`: kvlab reproduces YCSB's distributions, not its
 * random stream. The same `(seed, stream)` pair always yields the same sequence.
 */

/** One step of splitmix32: mixes a 32-bit state into a well-distributed 32-bit output. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
const INV_TWO_32 = 1 / TWO_32;

/** A deterministic xoshiro128** generator. Not cryptographic. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed any safe integer (its low and high 32 bits are both used)
   * @param stream an independent sub-stream number, so one seed can feed several generators
   *   (kvlab uses stream 0 for operations, 1 for record values)
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    let x = splitmix32(lo ^ splitmix32(hi ^ Math.imul(stream + 1, 0x27d4eb2d)));
    this.s0 = x = splitmix32(x);
    this.s1 = x = splitmix32(x);
    this.s2 = x = splitmix32(x);
    this.s3 = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is absorbing
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** A double uniform in [0, 1) with 53 random bits (two 32-bit draws), like Java's nextDouble. */
  nextDouble(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / TWO_53;
  }

  /**
   * An integer uniform in [0, n) for 1 <= n <= 2^53: exactly uniform from one 32-bit draw for
   * n <= 2^21 (Lemire's multiply-and-reject; u32 * n stays an exact double), otherwise
   * `floor(nextDouble() * n)` (bias at most n / 2^53).
   */
  nextBelow(n: number): number {
    if (n > 0x200000) return Math.floor(this.nextDouble() * n);
    let m = this.nextU32() * n;
    let hi = Math.floor(m * INV_TWO_32);
    let lo = m - hi * TWO_32;
    if (lo < n) {
      const t = (TWO_32 - n) % n; // 2^32 mod n: reject the first t low values
      while (lo < t) {
        m = this.nextU32() * n;
        hi = Math.floor(m * INV_TWO_32);
        lo = m - hi * TWO_32;
      }
    }
    return hi;
  }
}
