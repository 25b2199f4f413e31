/**
 * Ordered iteration over the open transaction's tree: a stack of (page id, index) frames from
 * the root to the current leaf entry. Committed pages are read in place ({@link PageView}),
 * dirty nodes of the open transaction by their string keys. Frames hold page ids, not views,
 * and look their page up at each use: a view may be evicted (and its buffer reused) by any
 * later page read. The tree must not change while a cursor is in use (the engine materialises
 * a scan before returning, so it never does).
 */
import { Node, childIndex, keyBytes, keyOf, lowerBound } from './node.js';
import type { LeafValue } from './node.js';
import type { Tx } from './tx.js';
import type { PageView } from './view.js';

interface Frame {
  pgid: number;
  idx: number;
}

const entries = (p: Node | PageView): number => (p instanceof Node ? p.keys.length : p.count);

/** A position in the tree (see the module doc). */
export class Cursor {
  private stack: Frame[] = [];

  constructor(private readonly tx: Tx) {}

  /** Positions at the first entry with key >= `key` (caller bytes, not retained), or at the end. */
  seek(key: Uint8Array): void {
    this.stack = [];
    let skey: string | undefined;
    let pgid = this.tx.root;
    let p = this.tx.page(pgid);
    while (!p.leaf) {
      const i = p instanceof Node ? childIndex(p, (skey ??= keyOf(key))) : p.childIndex(key);
      this.stack.push({ pgid, idx: i });
      pgid = p instanceof Node ? p.children[i]! : p.child(i);
      p = this.tx.page(pgid);
    }
    this.stack.push({ pgid, idx: p instanceof Node ? lowerBound(p, (skey ??= keyOf(key))) : p.lowerBound(key) });
    this.settle();
  }

  /** Positions at the first entry. */
  first(): void {
    this.seek(new Uint8Array(0));
  }

  /** True when positioned past the last entry. */
  get done(): boolean {
    return this.stack.length === 0;
  }

  /** Current key as fresh bytes (owned by the caller). */
  key(): Buffer {
    const f = this.stack[this.stack.length - 1]!;
    const p = this.tx.page(f.pgid);
    return p instanceof Node ? keyBytes(p.keys[f.idx]!) : p.keyCopy(f.idx);
  }

  /**
   * Current stored value: inline bytes (a view of a cached page: copy it before the next cursor
   * or tree call, which may reuse the page's buffer) or an overflow reference.
   */
  value(): LeafValue {
    const f = this.stack[this.stack.length - 1]!;
    const p = this.tx.page(f.pgid);
    return p instanceof Node ? p.values[f.idx]! : p.value(f.idx);
  }

  /** Moves to the next entry. */
  next(): void {
    this.stack[this.stack.length - 1]!.idx++;
    this.settle();
  }

  /** Walks up past exhausted pages and down to the leftmost leaf entry of the next subtree. */
  private settle(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return;
      const p = this.tx.page(top.pgid);
      if (top.idx >= entries(p)) {
        this.stack.pop();
        const parent = this.stack[this.stack.length - 1];
        if (parent !== undefined) parent.idx++;
        continue;
      }
      if (p.leaf) return;
      this.stack.push({ pgid: p instanceof Node ? p.children[top.idx]! : p.child(top.idx), idx: 0 });
    }
  }
}
