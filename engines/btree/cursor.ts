/**
 * Ordered iteration over the open transaction's tree: a stack of (node, index) frames from
 * the root to the current leaf entry. The tree must not change while a cursor is in use
 * (the engine materialises a scan before returning, so it never does).
 */
import { childIndex, lowerBound } from './node.js';
import type { Key, LeafValue, Node } from './node.js';
import type { Tx } from './tx.js';

interface Frame {
  node: Node;
  idx: number;
}

export class Cursor {
  private stack: Frame[] = [];

  constructor(private readonly tx: Tx) {}

  /** Positions at the first entry with key >= `key` (or at the end). */
  seek(key: Key): void {
    this.stack = [];
    let n = this.tx.node(this.tx.root);
    while (!n.leaf) {
      const i = childIndex(n, key);
      this.stack.push({ node: n, idx: i });
      n = this.tx.node(n.children[i]!);
    }
    this.stack.push({ node: n, idx: lowerBound(n, key) });
    this.settle();
  }

  /** Positions at the first entry. */
  first(): void {
    this.seek('');
  }

  /** True when positioned past the last entry. */
  get done(): boolean {
    return this.stack.length === 0;
  }

  /** Current key (latin1 string; see node.ts). */
  key(): Key {
    const f = this.stack[this.stack.length - 1]!;
    return f.node.keys[f.idx]!;
  }

  /** Current stored value (inline view or overflow reference). */
  value(): LeafValue {
    const f = this.stack[this.stack.length - 1]!;
    return f.node.values[f.idx]!;
  }

  /** Moves to the next entry. */
  next(): void {
    this.stack[this.stack.length - 1]!.idx++;
    this.settle();
  }

  /** Walks up past exhausted nodes and down to the leftmost leaf entry of the next subtree. */
  private settle(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return;
      if (top.idx >= top.node.keys.length) {
        this.stack.pop();
        const parent = this.stack[this.stack.length - 1];
        if (parent !== undefined) parent.idx++;
        continue;
      }
      if (top.node.leaf) return;
      this.stack.push({ node: this.tx.node(top.node.children[top.idx]!), idx: 0 });
    }
  }
}
