/**
 * The in-memory oracle the shared suites check engines against: a map from key bytes to value
 * bytes with the contract's semantics (unsigned byte order for scans, batches applied in order).
 */
import type { BatchOp } from '../../engines/engine.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class Oracle {
  private readonly m = new Map<string, Buffer>();

  put(k: Uint8Array, v: Uint8Array): void {
    this.m.set(hex(k), Buffer.from(v));
  }
  delete(k: Uint8Array): void {
    this.m.delete(hex(k));
  }
  write(batch: readonly BatchOp[]): void {
    for (const op of batch) op.type === 'put' ? this.put(op.key, op.value) : this.delete(op.key);
  }
  get(k: Uint8Array): Buffer | undefined {
    return this.m.get(hex(k));
  }
  get size(): number {
    return this.m.size;
  }
  /** Entries with key >= start, ascending by unsigned bytes, at most limit. */
  scan(start: Uint8Array, limit: number): Array<[Buffer, Buffer]> {
    const s = Buffer.from(start);
    return [...this.m.entries()]
      .map(([k, v]): [Buffer, Buffer] => [Buffer.from(k, 'hex'), v])
      .filter(([k]) => Buffer.compare(k, s) >= 0)
      .sort((a, b) => Buffer.compare(a[0], b[0]))
      .slice(0, limit);
  }
  entries(): Array<[Buffer, Buffer]> {
    return this.scan(new Uint8Array(0), Number.MAX_SAFE_INTEGER);
  }
}
