/**
 * YCSB's ScrambledZipfianGenerator: a zipfian over ITEM_COUNT + 1 = 10^10 + 1 items with the
 * precomputed ZETAN, each drawn item hashed with fnvhash64 and reduced modulo the key range,
 * so popular keys are scattered. The range passed by CoreWorkload includes the expected new
 * keys (operationcount * insertproportion * 2).
 */
import { fnvhash64Into, hashRemainder, type Hash64 } from '../fnv.js';
import type { Random } from '../random.js';
import type { NumberGenerator } from './types.js';
import { ZIPFIAN_CONSTANT, ZipfianGenerator } from './zipfian.js';
import { zeta } from './zeta.js';

/** YCSB's precomputed zeta(10^10, 0.99). */
export const SCRAMBLED_ZETAN = 26.46902820178302;
/** YCSB's ITEM_COUNT for the inner zipfian (which spans 0..ITEM_COUNT inclusive). */
export const SCRAMBLED_ITEM_COUNT = 10_000_000_000;

/** Scrambled zipfian over [min, max] inclusive. */
export class ScrambledZipfianGenerator implements NumberGenerator {
  readonly itemcount: number;
  /** The inner zipfian (exposed for tests). */
  readonly inner: ZipfianGenerator;
  private readonly h: Hash64 = { hi: 0, lo: 0 };
  /** scramble(0) and scramble(1): the two items the zipfian returns ~7.6% of the time. */
  private readonly first: number;
  private readonly second: number;

  /**
   * @param theta the zipfian constant: YCSB's fixed {@link ZIPFIAN_CONSTANT} by default (with its
   *   precomputed zeta, exactly YCSB); another value (kvlab's `zipfianconstant` property, not in
   *   YCSB) computes zeta(ITEM_COUNT + 1, theta) with the fast {@link zeta}
   */
  constructor(
    rng: Random,
    readonly min: number,
    readonly max: number,
    theta: number = ZIPFIAN_CONSTANT,
  ) {
    this.itemcount = max - min + 1;
    const zetan = theta === ZIPFIAN_CONSTANT ? SCRAMBLED_ZETAN : zeta(SCRAMBLED_ITEM_COUNT + 1, theta);
    this.inner = new ZipfianGenerator(rng, 0, SCRAMBLED_ITEM_COUNT, theta, zetan);
    this.first = this.scramble(0);
    this.second = this.scramble(1);
  }

  /** Maps an inner zipfian item to its key number (min + fnvhash64(item) % itemcount). */
  scramble(item: number): number {
    return this.min + hashRemainder(fnvhash64Into(item, this.h), this.itemcount);
  }

  next(): number {
    const item = this.inner.next();
    return item === 0 ? this.first : item === 1 ? this.second : this.scramble(item);
  }
}
