/**
 * YCSB's CounterGenerator (load-phase key numbers) and AcknowledgedCounterGenerator (run-phase
 * insert key numbers): `lastValue()` of the latter is the highest key number below which every
 * insert has been acknowledged, so readers never pick a key whose insert has not completed.
 */
import { KvError } from '../../engines/errors.js';
import type { NumberGenerator } from './types.js';

/** Hands out start, start+1, ... */
export class CounterGenerator implements NumberGenerator {
  protected counter: number;
  constructor(start: number) {
    this.counter = start;
  }
  next(): number {
    return this.counter++;
  }
  /** The last value handed out (start - 1 before the first). */
  lastValue(): number {
    return this.counter - 1;
  }
}

/** YCSB's window of pending acknowledgements: 2^20 slots. */
export const ACK_WINDOW_SIZE = 1 << 20;
const ACK_WINDOW_MASK = ACK_WINDOW_SIZE - 1;

/**
 * A counter whose `lastValue()` only advances over a contiguous run of acknowledged values.
 * Errors: INVALID_ARGUMENT when more than 2^20 values are outstanding (YCSB: "Too many
 * unacknowledged insertion keys") or a value is acknowledged twice while pending.
 */
export class AcknowledgedCounterGenerator extends CounterGenerator {
  private readonly window = new Uint8Array(ACK_WINDOW_SIZE);
  private limit: number;

  constructor(start: number) {
    super(start);
    this.limit = start - 1;
  }

  /** The highest value v such that every value from start to v is acknowledged. */
  override lastValue(): number {
    return this.limit;
  }

  /** Marks `value` (previously returned by next()) as inserted. */
  acknowledge(value: number): void {
    const slot = value & ACK_WINDOW_MASK;
    if (value <= this.limit) return; // already covered: a duplicate acknowledgement
    if (value >= this.counter) throw new KvError('INVALID_ARGUMENT', `acknowledge(${value}): key number was never handed out`);
    // YCSB detects this only when the slot is already taken (and otherwise mistakes the new
    // value for the pending one it aliases); kvlab checks the distance itself.
    if (value > this.limit + ACK_WINDOW_SIZE || this.window[slot])
      throw new KvError('INVALID_ARGUMENT', 'Too many unacknowledged insertion keys (window of 2^20)');
    this.window[slot] = 1;
    let index = this.limit + 1;
    const stop = this.limit + ACK_WINDOW_SIZE; // at most one pass over the window
    for (; index <= stop; index++) {
      const s = index & ACK_WINDOW_MASK;
      if (!this.window[s]) break;
      this.window[s] = 0;
    }
    this.limit = index - 1;
  }
}
