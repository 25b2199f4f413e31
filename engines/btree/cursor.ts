/**
 * Ordered iteration over the open transaction's tree: a stack of (page, index) frames from
 * the root to the current leaf entry. Committed pages are read in place ({@link PageView}),
 * dirty nodes of the open transaction by their string keys. The tree must not change while a
 * cursor is in use (the engine materialises a scan before returning, so it never does).
 */
import { Node, childIndex, keyBytes, keyOf, lowerBound } from './node.js';
import type { LeafValue } from './node.js';
import type { Tx } from './tx.js';
import type { PageView } from './view.js';

interface Frame {
  page: Node | PageView;
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
    let p = this.tx.page(this.tx.root);
    while (!p.leaf) {
      const i = p instanceof Node ? childIndex(p, (skey ??= keyOf(key))) : p.childIndex(key);
      this.stack.push({ page: p, idx: i });
      p = this.tx.page(p instanceof Node ? p.children[i]! : p.child(i));
    }
    this.stack.push({ page: p, idx: p instanceof Node ? lowerBound(p, (skey ??= keyOf(key))) : p.lowerBound(key) });
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
    return f.page instanceof Node ? keyBytes(f.page.keys[f.idx]!) : f.page.keyCopy(f.idx);
  }

  /** Current stored value: inline bytes (a view of a page: copy before handing out) or an overflow reference. */
  value(): LeafValue {
    const f = this.stack[this.stack.length - 1]!;
    return f.page instanceof Node ? f.page.values[f.idx]! : f.page.value(f.idx);
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
      if (top.idx >= entries(top.page)) {
        this.stack.pop();
        const parent = this.stack[this.stack.length - 1];
        if (parent !== undefined) parent.idx++;
        continue;
      }
      const p = top.page;
      if (p.leaf) return;
      this.stack.push({ page: this.tx.page(p instanceof Node ? p.children[top.idx]! : p.child(top.idx)), idx: 0 });
    }
  }
}
