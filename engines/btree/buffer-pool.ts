/**
 * The buffer pool: a bounded cache of clean tree pages (page views, view.ts) keyed by page id,
 * evicting with the CLOCK algorithm (second chance): a hit only sets the slot's reference
 * bit, so the hot path does one Map lookup and no reordering; the clock hand clears bits
 * until it finds an unreferenced slot to reuse.
 *
 * Only clean nodes live here; a transaction's dirty nodes are held by the transaction until
 * commit, so eviction never loses a write.
 */
export class BufferPool<T> {
  private readonly slotOf = new Map<number, number>();
  private readonly ids: Int32Array;
  private readonly vals: (T | undefined)[];
  private readonly ref: Uint8Array;
  private hand = 0;
  private used = 0;
  /** Slots emptied by take(), reused before the clock evicts anything. */
  private holes: number[] = [];
  hits = 0;
  misses = 0;
  evictions = 0;

  /** @param capacity maximum number of cached pages (>= 1). */
  constructor(readonly capacity: number) {
    this.ids = new Int32Array(capacity).fill(-1);
    this.vals = new Array<T | undefined>(capacity);
    this.ref = new Uint8Array(capacity);
  }

  /** The cached node for `pgid`, or undefined (counted as a miss). */
  get(pgid: number): T | undefined {
    const s = this.slotOf.get(pgid);
    if (s === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.ref[s] = 1;
    return this.vals[s];
  }

  /** Caches `v` for `pgid` (replacing any entry), evicting by CLOCK when full. */
  put(pgid: number, v: T): void {
    const existing = this.slotOf.get(pgid);
    if (existing !== undefined) {
      this.vals[existing] = v;
      this.ref[existing] = 1;
      return;
    }
    let s: number;
    if (this.holes.length > 0) s = this.holes.pop()!;
    else if (this.used < this.capacity) s = this.used++;
    else {
      for (;;) {
        const h = this.hand;
        this.hand = h + 1 === this.capacity ? 0 : h + 1;
        if (this.ref[h] === 0) {
          this.slotOf.delete(this.ids[h]!);
          this.evictions++;
          s = h;
          break;
        }
        this.ref[h] = 0;
      }
    }
    this.ids[s] = pgid;
    this.vals[s] = v;
    this.ref[s] = 1;
    this.slotOf.set(pgid, s);
  }

  /** Removes `pgid` (its page was freed or is being rewritten). Returns the node if cached. */
  take(pgid: number): T | undefined {
    const s = this.slotOf.get(pgid);
    if (s === undefined) return undefined;
    const v = this.vals[s];
    this.slotOf.delete(pgid);
    this.ids[s] = -1;
    this.vals[s] = undefined;
    this.ref[s] = 0;
    this.holes.push(s);
    return v;
  }

  /** Cached pages. */
  get size(): number {
    return this.slotOf.size;
  }

  clear(): void {
    this.slotOf.clear();
    this.ids.fill(-1);
    this.vals.fill(undefined);
    this.ref.fill(0);
    this.used = 0;
    this.hand = 0;
    this.holes = [];
  }
}
