/**
 * YCSB's ExponentialGenerator: `-ln(U) / gamma` with gamma = -ln(1 - percentile/100) / range,
 * so `percentile`% of draws fall below `range`. CoreWorkload uses range = recordcount * frac and
 * subtracts the (int-truncated) draw from the newest acknowledged key number.
 */
import type { Random } from '../random.js';
import type { NumberGenerator } from './types.js';

const INT_MAX = 2147483647;

export class ExponentialGenerator implements NumberGenerator {
  readonly gamma: number;
  constructor(
    private readonly rng: Random,
    percentile: number,
    range: number,
  ) {
    this.gamma = -Math.log(1.0 - percentile / 100.0) / range;
  }
  /** The next draw as Java's `Double.intValue()` would give it (truncated, saturated at 2^31-1). */
  next(): number {
    const v = -Math.log(this.rng.nextDouble()) / this.gamma;
    return v >= INT_MAX ? INT_MAX : Math.trunc(v);
  }
}
