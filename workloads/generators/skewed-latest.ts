/**
 * YCSB's SkewedLatestGenerator: `max - zipfian.nextLong(max)` where max is the newest
 * acknowledged insert, so the newest keys are the most popular. The zipfian is built over
 * `lastValue()` items at construction and grows (incremental zeta) as inserts are acknowledged.
 * As in YCSB, key `max - 0 = max` is the most popular and key 0 is never chosen once max > 0.
 */
import type { Random } from '../random.js';
import type { AcknowledgedCounterGenerator, CounterGenerator } from './counters.js';
import type { NumberGenerator } from './types.js';
import { ZipfianGenerator } from './zipfian.js';

export class SkewedLatestGenerator implements NumberGenerator {
  /** The underlying zipfian (exposed for tests). */
  readonly zipfian: ZipfianGenerator;
  constructor(
    rng: Random,
    private readonly basis: CounterGenerator | AcknowledgedCounterGenerator,
  ) {
    // YCSB: new ZipfianGenerator(basis.lastValue()) = items 0 .. lastValue-1
    this.zipfian = new ZipfianGenerator(rng, 0, basis.lastValue() - 1);
  }
  next(): number {
    const max = this.basis.lastValue();
    return max - this.zipfian.nextLong(max);
  }
}
