/**
 * YCSB's DiscreteGenerator for the operation chooser: weights divided by their sum, one
 * uniform draw walked down the list in insertion order (READ, UPDATE, INSERT, SCAN,
 * READMODIFYWRITE; zero weights left out).
 */
import type { Random } from '../random.js';

export class DiscreteGenerator<T> {
  private readonly values: T[] = [];
  private readonly weights: number[] = [];
  private normalized: Float64Array = new Float64Array(0);

  constructor(private readonly rng: Random) {}

  /** Adds a value with a positive weight. */
  addValue(weight: number, value: T): void {
    this.values.push(value);
    this.weights.push(weight);
    const sum = this.weights.reduce((a, b) => a + b, 0);
    this.normalized = Float64Array.from(this.weights, (w) => w / sum);
  }

  /** The probability of each value, in insertion order. */
  probabilities(): ReadonlyArray<{ value: T; p: number }> {
    return this.values.map((value, i) => ({ value, p: this.normalized[i]! }));
  }

  /** The next value. */
  next(): T {
    let val = this.rng.nextDouble();
    const n = this.normalized;
    const last = n.length - 1;
    for (let i = 0; i < last; i++) {
      const pw = n[i]!;
      if (val < pw) return this.values[i]!;
      val -= pw;
    }
    // YCSB throws here if rounding leaves val >= the last weight; kvlab returns the last value
    return this.values[last]!;
  }
}
