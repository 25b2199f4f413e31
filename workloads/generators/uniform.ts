/** YCSB's UniformLongGenerator, SequentialGenerator and ConstantIntegerGenerator. */
import type { Random } from '../random.js';
import type { NumberGenerator } from './types.js';

/** Uniform over [lb, ub] inclusive. */
export class UniformLongGenerator implements NumberGenerator {
  private readonly interval: number;
  constructor(
    private readonly rng: Random,
    readonly lb: number,
    readonly ub: number,
  ) {
    this.interval = ub - lb + 1;
  }
  next(): number {
    return this.lb + this.rng.nextBelow(this.interval);
  }
}

/** countstart, countstart+1, ..., countend, then wraps around (YCSB SequentialGenerator). */
export class SequentialGenerator implements NumberGenerator {
  private counter = 0;
  private readonly interval: number;
  constructor(
    readonly countstart: number,
    countend: number,
  ) {
    this.interval = countend - countstart + 1;
  }
  next(): number {
    return this.countstart + (this.counter++ % this.interval);
  }
}

/** Always the same value (YCSB ConstantIntegerGenerator). */
export class ConstantGenerator implements NumberGenerator {
  constructor(readonly value: number) {}
  next(): number {
    return this.value;
  }
}
