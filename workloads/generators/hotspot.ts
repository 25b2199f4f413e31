/**
 * YCSB's HotspotIntegerGenerator: a fraction `hotOpnFraction` of draws is uniform over the hot
 * set (the first `floor(interval * hotsetFraction)` numbers from lowerBound), the rest uniform
 * over the cold remainder. Out-of-range fractions become 0 and swapped bounds are swapped
 * back, as in YCSB.
 */
import type { Random } from '../random.js';
import type { NumberGenerator } from './types.js';

export class HotspotIntegerGenerator implements NumberGenerator {
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly hotInterval: number;
  readonly coldInterval: number;
  readonly hotOpnFraction: number;

  constructor(
    private readonly rng: Random,
    lowerBound: number,
    upperBound: number,
    hotsetFraction: number,
    hotOpnFraction: number,
  ) {
    if (hotsetFraction < 0 || hotsetFraction > 1) hotsetFraction = 0;
    if (hotOpnFraction < 0 || hotOpnFraction > 1) hotOpnFraction = 0;
    if (lowerBound > upperBound) [lowerBound, upperBound] = [upperBound, lowerBound];
    this.lowerBound = lowerBound;
    this.upperBound = upperBound;
    const interval = upperBound - lowerBound + 1;
    this.hotInterval = Math.trunc(interval * hotsetFraction);
    this.coldInterval = interval - this.hotInterval;
    this.hotOpnFraction = hotOpnFraction;
  }

  next(): number {
    // YCSB takes `abs(nextLong()) % hotInterval`; with an empty hot (cold) set Java would
    // divide by zero, kvlab draws from the other set instead.
    if (this.rng.nextDouble() < this.hotOpnFraction && this.hotInterval > 0) {
      return this.lowerBound + this.rng.nextBelow(this.hotInterval);
    }
    if (this.coldInterval > 0) return this.lowerBound + this.hotInterval + this.rng.nextBelow(this.coldInterval);
    return this.lowerBound + this.rng.nextBelow(this.hotInterval);
  }
}
