/**
 * The block cache: a byte-bounded LRU of parsed sstable blocks, keyed by (file number, block
 * offset). Shared by every table of one engine. A capacity of 0 disables it. Entries of deleted
 * files are never looked up again (file numbers are not reused) and age out.
 *
 * A hash map finds entries; an intrusive doubly linked list keeps recency (head = most recent),
 * so a hit and an eviction are O(1).
 */
import type { Block } from './block.js';

/** Cache key of a block; exact while file numbers stay below 2^21. */
export function blockKey(fileNumber: number, offset: number): number {
  return fileNumber * 0x100000000 + offset;
}

class Node {
  prev: Node = this;
  next: Node = this;
  constructor(
    readonly key: number,
    public block: Block | undefined,
  ) {}
}

export class BlockCache {
  private readonly map = new Map<number, Node>();
  /** Sentinel: head.next is the most recently used node, head.prev the least. */
  private readonly head = new Node(-1, undefined);
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  private unlink(n: Node): void {
    n.prev.next = n.next;
    n.next.prev = n.prev;
  }

  private pushFront(n: Node): void {
    const h = this.head;
    n.next = h.next;
    n.prev = h;
    h.next.prev = n;
    h.next = n;
  }

  /** The cached block (now most recently used), or undefined (counted as a miss). */
  get(key: number): Block | undefined {
    const n = this.map.get(key);
    if (n === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (this.head.next !== n) {
      this.unlink(n);
      this.pushFront(n);
    }
    return n.block;
  }

  /** Inserts a block, evicting least recently used blocks beyond capacity. */
  insert(key: number, block: Block): void {
    if (block.size > this.capacity) return;
    let n = this.map.get(key);
    if (n !== undefined) {
      this.used -= n.block!.size;
      n.block = block;
      this.unlink(n);
    } else {
      n = new Node(key, block);
      this.map.set(key, n);
    }
    this.pushFront(n);
    this.used += block.size;
    while (this.used > this.capacity) {
      const lru = this.head.prev;
      this.unlink(lru);
      this.map.delete(lru.key);
      this.used -= lru.block!.size;
    }
  }

  /** Bytes of block data held. */
  get bytes(): number {
    return this.used;
  }
}
