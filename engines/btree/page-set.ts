/**
 * A map from page id to a u32 (a page checksum) in typed arrays indexed by page id, with O(1)
 * clear (a generation counter). Used for the pages written since the last synced commit
 * (tx.ts), which during a long unsynced stretch is the whole tree: in a JS Map those entries
 * (and their non-Smi checksums) made the GC mark hundreds of thousands of objects per cycle.
 * Memory: 8 bytes per page id up to the largest id set, grown by doubling. In memory only.
 */
export class PageCrcMap {
  private gen = new Uint32Array(1024);
  private crc = new Uint32Array(1024);
  /** Current generation: an id is present when gen[id] equals it. */
  private cur = 1;
  private n = 0;

  /** Entries present. */
  get size(): number {
    return this.n;
  }

  /** The value for `pgid`, or undefined. */
  get(pgid: number): number | undefined {
    return pgid < this.gen.length && this.gen[pgid] === this.cur ? this.crc[pgid] : undefined;
  }

  /** Sets `pgid` to `value` (a u32). */
  set(pgid: number, value: number): void {
    if (pgid >= this.gen.length) this.grow(pgid);
    if (this.gen[pgid] !== this.cur) {
      this.gen[pgid] = this.cur;
      this.n++;
    }
    this.crc[pgid] = value;
  }

  /** Removes `pgid`; true when it was present. */
  delete(pgid: number): boolean {
    if (pgid >= this.gen.length || this.gen[pgid] !== this.cur) return false;
    this.gen[pgid] = 0;
    this.n--;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.n = 0;
    if (++this.cur === 0xffffffff) {
      this.gen.fill(0);
      this.cur = 1;
    }
  }

  private grow(pgid: number): void {
    let len = this.gen.length;
    while (len <= pgid) len *= 2;
    const g = new Uint32Array(len);
    g.set(this.gen);
    const c = new Uint32Array(len);
    c.set(this.crc);
    this.gen = g;
    this.crc = c;
  }
}
