/**
 * The buffer pool: a bounded LRU cache of clean, decoded pages (tree nodes) keyed by page id.
 *
 * Only clean nodes live here; a transaction's dirty nodes are held by the transaction until
 * commit, so eviction never loses a write. A JS Map keeps insertion order, so re-inserting on
 * a hit makes it the most recent and the first key is the least recent.
 */
export class BufferPool<T> {
  private readonly map = new Map<number, T>();
  hits = 0;
  misses = 0;
  evictions = 0;

  /** @param capacity maximum number of cached pages (>= 1). */
  constructor(readonly capacity: number) {}

  /** The cached node for `pgid` (now most recent), or undefined (counted as a miss). */
  get(pgid: number): T | undefined {
    const v = this.map.get(pgid);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(pgid);
    this.map.set(pgid, v);
    return v;
  }

  /** Caches `v` as the most recent entry, evicting the least recent beyond capacity. */
  put(pgid: number, v: T): void {
    this.map.delete(pgid);
    this.map.set(pgid, v);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as number;
      this.map.delete(oldest);
      this.evictions++;
    }
  }

  /** Removes `pgid` (its page was freed or is being rewritten). Returns the node if cached. */
  take(pgid: number): T | undefined {
    const v = this.map.get(pgid);
    if (v !== undefined) this.map.delete(pgid);
    return v;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
