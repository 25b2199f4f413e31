/**
 * The buffer pool: a bounded cache of clean tree pages (page views, view.ts) keyed by page id,
 * evicting with the CLOCK algorithm (second chance): a hit only sets the slot's reference
 * bit, so the hot path does one hash lookup and no reordering; the clock hand clears bits
 * until it finds an unreferenced slot to reuse. The page id -> slot index is an open-addressing
 * table in typed arrays (linear probing, backward-shift deletion): no per-entry objects for
 * the GC to mark, unlike a Map.
 *
 * Only clean nodes live here; a transaction's dirty nodes are held by the transaction until
 * commit, so eviction never loses a write.
 */
export class BufferPool<T> {
  /** Hash table: page id (-1 = empty) and its slot, `mask + 1` entries (>= 2x capacity). */
  private readonly tkeys: Int32Array;
  private readonly tslots: Int32Array;
  private readonly mask: number;
  private count = 0;
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
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.mask = size - 1;
    this.tkeys = new Int32Array(size).fill(-1);
    this.tslots = new Int32Array(size);
    this.ids = new Int32Array(capacity).fill(-1);
    this.vals = new Array<T | undefined>(capacity);
    this.ref = new Uint8Array(capacity);
  }

  /** The cached node for `pgid`, or undefined (counted as a miss). */
  get(pgid: number): T | undefined {
    const s = this.slotOf(pgid);
    if (s < 0) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.ref[s] = 1;
    return this.vals[s];
  }

  /**
   * Caches `v` for `pgid` (replacing any entry), evicting by CLOCK when full. Returns the value
   * evicted to make room (not a replaced or taken one), which the caller may recycle.
   */
  put(pgid: number, v: T): T | undefined {
    const existing = this.slotOf(pgid);
    if (existing >= 0) {
      this.vals[existing] = v;
      this.ref[existing] = 1;
      return undefined;
    }
    let evicted: T | undefined;
    let s: number;
    if (this.holes.length > 0) s = this.holes.pop()!;
    else if (this.used < this.capacity) s = this.used++;
    else {
      for (;;) {
        const h = this.hand;
        this.hand = h + 1 === this.capacity ? 0 : h + 1;
        if (this.ref[h] === 0) {
          this.unindex(this.ids[h]!);
          evicted = this.vals[h];
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
    this.index(pgid, s);
    return evicted;
  }

  /** Removes `pgid` (its page was freed or is being rewritten). Returns the node if cached. */
  take(pgid: number): T | undefined {
    const s = this.slotOf(pgid);
    if (s < 0) return undefined;
    const v = this.vals[s];
    this.unindex(pgid);
    this.ids[s] = -1;
    this.vals[s] = undefined;
    this.ref[s] = 0;
    this.holes.push(s);
    return v;
  }

  /** Cached pages. */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.tkeys.fill(-1);
    this.count = 0;
    this.ids.fill(-1);
    this.vals.fill(undefined);
    this.ref.fill(0);
    this.used = 0;
    this.hand = 0;
    this.holes = [];
  }

  private home(pgid: number): number {
    return Math.imul(pgid, 0x9e3779b1) & this.mask;
  }

  /** The slot holding `pgid`, or -1. */
  private slotOf(pgid: number): number {
    const keys = this.tkeys;
    for (let i = this.home(pgid); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === pgid) return this.tslots[i]!;
      if (k === -1) return -1;
    }
  }

  /** Records `pgid` -> `slot` (`pgid` not present). */
  private index(pgid: number, slot: number): void {
    let i = this.home(pgid);
    while (this.tkeys[i] !== -1) i = (i + 1) & this.mask;
    this.tkeys[i] = pgid;
    this.tslots[i] = slot;
    this.count++;
  }

  /** Removes `pgid` (present), shifting later entries of its probe run back. */
  private unindex(pgid: number): void {
    const keys = this.tkeys;
    const mask = this.mask;
    let i = this.home(pgid);
    while (keys[i] !== pgid) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; keys[j] !== -1; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      // the entry at j may move to the hole at i unless its home lies cyclically in (i, j]
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      keys[i] = keys[j]!;
      this.tslots[i] = this.tslots[j]!;
      i = j;
    }
    keys[i] = -1;
    this.count--;
  }
}
