/**
 * YCSB's ZipfianGenerator (Gray et al., "Quickly Generating Billion-Record Synthetic Databases",
 * SIGMOD 1994), reproduced: items min..max, item `min` the most popular, P(min) = 1/zetan,
 * P(min+1) = 0.5^theta / zetan, the rest from `floor(itemcount * (eta*u - eta + 1)^alpha)`.
 *
 * Faithful details kept on purpose: the item count may grow per call ({@link nextLong}), zeta
 * is then extended incrementally, and eta is recomputed with the ORIGINAL item count (as YCSB
 * does); a smaller item count never recomputes zeta (YCSB's allowitemcountdecrease=false).
 */
import type { Random } from '../random.js';
import type { NumberGenerator } from './types.js';
import { zeta, zetaGrow } from './zeta.js';

/** YCSB's ZIPFIAN_CONSTANT. */
export const ZIPFIAN_CONSTANT = 0.99;

/** Zipfian over [min, max] inclusive. */
export class ZipfianGenerator implements NumberGenerator {
  readonly items: number;
  readonly base: number;
  readonly theta: number;
  private readonly zeta2theta: number;
  private readonly alpha: number;
  /** alpha rounded to an integer when it is one up to float error (theta 0.99 -> 100), else 0. */
  private readonly alphaInt: number;
  private readonly half: number; // 1 + 0.5^theta
  private zetan: number;
  private eta: number;
  private countforzeta: number;

  /**
   * @param zetan a precomputed zeta(max - min + 1, theta); computed with the fast
   *   {@link zeta} when omitted
   */
  constructor(
    private readonly rng: Random,
    min: number,
    max: number,
    theta = ZIPFIAN_CONSTANT,
    zetan?: number,
  ) {
    this.items = max - min + 1;
    this.base = min;
    this.theta = theta;
    this.zeta2theta = zeta(2, theta);
    this.alpha = 1 / (1 - theta);
    const rounded = Math.round(this.alpha);
    this.alphaInt = Math.abs(this.alpha - rounded) < 1e-9 * rounded && rounded >= 1 && rounded <= 1024 ? rounded : 0;
    this.half = 1 + Math.pow(0.5, theta);
    this.zetan = zetan ?? zeta(this.items, theta);
    this.countforzeta = this.items;
    this.eta = this.computeEta();
  }

  private computeEta(): number {
    return (1 - Math.pow(2 / this.items, 1 - this.theta)) / (1 - this.zeta2theta / this.zetan);
  }

  /** The zeta value in use (for tests). */
  get zetaN(): number {
    return this.zetan;
  }

  /** The next item for a distribution of `itemcount` items (YCSB `nextLong(itemcount)`). */
  nextLong(itemcount: number): number {
    if (itemcount > this.countforzeta) {
      this.zetan = zetaGrow(this.countforzeta, itemcount, this.theta, this.zetan);
      this.countforzeta = itemcount;
      this.eta = this.computeEta();
    }
    const u = this.rng.nextDouble();
    const uz = u * this.zetan;
    if (uz < 1.0) return this.base;
    if (uz < this.half) return this.base + 1;
    const x = this.eta * u - this.eta + 1;
    const p = this.alphaInt > 0 ? powInt(x, this.alphaInt) : Math.pow(x, this.alpha);
    return this.base + Math.floor(itemcount * p);
  }

  /** The next item among this generator's own item count. */
  next(): number {
    return this.nextLong(this.items);
  }
}

/**
 * x^n for a small positive integer n by repeated squaring. Used instead of Math.pow(x, alpha)
 * when alpha = 1/(1-theta) is an integer up to float error (YCSB's theta 0.99 gives
 * alpha = 100.00000000000009): ~5x faster here, and the result differs from
 * Math.pow(x, alpha) by a relative 1e-13 * |ln x| at most, which moves floor(itemcount * x^alpha)
 * only when that product lies within that distance of an integer.
 */
export function powInt(x: number, n: number): number {
  let result = 1;
  let base = x;
  while (n > 0) {
    if (n & 1) result *= base;
    base *= base;
    n >>>= 1;
  }
  return result;
}
