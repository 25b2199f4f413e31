/**
 * The block cache: a byte-bounded LRU of parsed sstable blocks, keyed by (file number, block
 * offset). Shared by every table of one engine. A capacity of 0 disables it. Entries of deleted
 * files are never looked up again (file numbers are not reused) and age out.
 */
import type { Block } from './block.js';

/** Cache key of a block; exact while file numbers stay below 2^21. */
export function blockKey(fileNumber: number, offset: number): number {
  return fileNumber * 0x100000000 + offset;
}

export class BlockCache {
  private readonly map = new Map<number, Block>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** The cached block (now most recently used), or undefined (counted as a miss). */
  get(key: number): Block | undefined {
    const b = this.map.get(key);
    if (b === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, b);
    return b;
  }

  /** Inserts a block, evicting least recently used blocks beyond capacity. */
  insert(key: number, block: Block): void {
    if (this.capacity <= 0 || block.size > this.capacity) return;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.used -= old.size;
      this.map.delete(key);
    }
    this.map.set(key, block);
    this.used += block.size;
    if (this.used > this.capacity) {
      for (const [k, b] of this.map) {
        if (this.used <= this.capacity) break;
        this.map.delete(k);
        this.used -= b.size;
      }
    }
  }

  /** Bytes of block data held. */
  get bytes(): number {
    return this.used;
  }
}
