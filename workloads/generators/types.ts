/** A source of integers (YCSB's NumberGenerator). Draws from the Random it was built with. */
export interface NumberGenerator {
  /** The next value. */
  next(): number;
}
