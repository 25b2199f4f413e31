/**
 * B+tree operations on the open transaction: search, insert with split, delete with
 * merge/redistribution. Writers descend making each node on the path writable (copy-on-write,
 * see tx.ts), change the leaf, then fix sizes bottom-up:
 * - a node larger than a page body splits in two at the byte midpoint; the right half's first
 *   key goes up as the separator (a new root grows the tree by one level);
 * - a non-root node below a quarter of the body merges with a sibling when both fit in one
 *   page, else the two share their entries evenly (the parent's separator is replaced);
 * - a branch root left with one child is dropped (the tree shrinks by one level).
 * Entry size limits (node.ts) guarantee both halves of a split or a redistribution land
 * between a quarter and all of the body, which `inspect` checks.
 */
import { Node, OverflowRef, childIndex, keyOf, leafEntrySize, lowerBound, BRANCH_ENTRY_HEADER } from './node.js';
import { PageView } from './view.js';
import type { Key, LeafValue } from './node.js';
import type { Tx } from './tx.js';

const EMPTY: Key = '';

interface Step {
  readonly node: Node;
  readonly idx: number;
}

/**
 * The stored value for `key` (caller bytes, not retained), or undefined. Committed pages are
 * searched in place ({@link PageView}); the open transaction's dirty nodes by their string keys.
 * An inline value is a view of a cached page: copy it before handing it out.
 */
export function lookup(tx: Tx, key: Uint8Array): LeafValue | undefined {
  let p = tx.page(tx.root);
  let skey: Key | undefined;
  for (;;) {
    if (p instanceof PageView) {
      if (p.leaf) {
        const i = p.find(key);
        return i < 0 ? undefined : p.value(i);
      }
      p = tx.page(p.child(p.childIndex(key)));
    } else {
      skey ??= keyOf(key);
      if (p.leaf) {
        const i = lowerBound(p, skey);
        return i < p.keys.length && p.keys[i] === skey ? p.values[i] : undefined;
      }
      p = tx.page(p.children[childIndex(p, skey)]!);
    }
  }
}

/** Descends to the leaf for `key`, making the path writable; returns the path and the leaf. */
function writablePath(tx: Tx, key: Key): { path: Step[]; leaf: Node } {
  const path: Step[] = [];
  let n = tx.writableRoot();
  while (!n.leaf) {
    const i = childIndex(n, key);
    path.push({ node: n, idx: i });
    n = tx.writableChild(n, i);
  }
  return { path, leaf: n };
}

/**
 * Inserts or replaces `rawKey` (caller bytes, not retained). `value` is copied or written to an overflow chain. Returns the replaced value (its overflow pages are released).
 */
export function insert(tx: Tx, rawKey: Uint8Array, value: Uint8Array): LeafValue | undefined {
  const key = keyOf(rawKey);
  const { path, leaf } = writablePath(tx, key);
  const v: LeafValue = tx.layout.inline(key.length, value.length) ? Buffer.from(value) : tx.writeOverflow(value);
  const i = lowerBound(leaf, key);
  let old: LeafValue | undefined;
  if (i < leaf.keys.length && leaf.keys[i] === key) {
    old = leaf.values[i]!;
    if (old instanceof OverflowRef) tx.freeOverflow(old);
    leaf.values[i] = v;
  } else {
    leaf.keys.splice(i, 0, key);
    leaf.values.splice(i, 0, v);
  }
  fixUp(tx, path, leaf);
  return old;
}

/** Deletes `rawKey` (caller bytes, not retained); returns the removed value (overflow pages released) or undefined if absent. */
export function remove(tx: Tx, rawKey: Uint8Array): LeafValue | undefined {
  if (lookup(tx, rawKey) === undefined) return undefined;
  const key = keyOf(rawKey);
  const { path, leaf } = writablePath(tx, key);
  const i = lowerBound(leaf, key);
  const old = leaf.values[i]!;
  if (old instanceof OverflowRef) tx.freeOverflow(old);
  leaf.keys.splice(i, 1);
  leaf.values.splice(i, 1);
  fixUp(tx, path, leaf);
  return old;
}

function entrySizes(leaf: boolean, keys: Key[], values: LeafValue[]): number[] {
  const s = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++)
    s[i] = leaf ? leafEntrySize(keys[i]!, values[i]!) : BRANCH_ENTRY_HEADER + (i === 0 ? 0 : keys[i]!.length);
  return s;
}

/** The split index in 1..n-1 whose left byte count is closest to half the total. */
export function pickSplit(sizes: readonly number[]): number {
  let total = 0;
  for (const s of sizes) total += s;
  let best = 1;
  let bestDiff = Infinity;
  let prefix = 0;
  for (let i = 1; i < sizes.length; i++) {
    prefix += sizes[i - 1]!;
    const d = Math.abs(2 * prefix - total);
    if (d < bestDiff) {
      bestDiff = d;
      best = i;
    }
  }
  return best;
}

/** Splits an oversized writable node; returns the separator and the new right node. */
function split(tx: Tx, n: Node): { sep: Key; right: Node } {
  const s = pickSplit(entrySizes(n.leaf, n.keys, n.values));
  const right = tx.newNode(n.leaf);
  right.keys = n.keys.slice(s);
  n.keys.length = s;
  if (n.leaf) {
    right.values = n.values.slice(s);
    n.values.length = s;
  } else {
    right.children = n.children.slice(s);
    n.children.length = s;
  }
  const sep = right.keys[0]!;
  if (!n.leaf) right.keys[0] = EMPTY;
  return { sep, right };
}

/** Merges or redistributes undersized child `idx` of writable `parent` with a sibling. */
function rebalance(tx: Tx, parent: Node, idx: number, n: Node): void {
  const useLeft = idx > 0;
  const leftIdx = useLeft ? idx - 1 : idx;
  const rightIdx = leftIdx + 1;
  const sibling = tx.node(parent.children[useLeft ? leftIdx : rightIdx]!);
  const left = useLeft ? sibling : n;
  const right = useLeft ? n : sibling;
  // a branch's first key is implicit; joined under the parent, the separator becomes explicit
  const rightKeys = n.leaf ? right.keys : [parent.keys[rightIdx]!, ...right.keys.slice(1)];
  const keys = left.keys.concat(rightKeys);
  const values = n.leaf ? left.values.concat(right.values) : [];
  const children = n.leaf ? [] : left.children.concat(right.children);
  const sizes = entrySizes(n.leaf, keys, values);
  let total = 0;
  for (const s of sizes) total += s;
  if (total <= tx.layout.body) {
    // merge into the left node; the right one's page is released
    const target = useLeft ? tx.writableChild(parent, leftIdx) : n;
    target.keys = keys;
    target.values = values;
    target.children = children;
    tx.release(right.pgid);
    parent.keys.splice(rightIdx, 1);
    parent.children.splice(rightIdx, 1);
    return;
  }
  const w = tx.writableChild(parent, useLeft ? leftIdx : rightIdx);
  const l = useLeft ? w : n;
  const r = useLeft ? n : w;
  const s = pickSplit(sizes);
  l.keys = keys.slice(0, s);
  r.keys = keys.slice(s);
  if (n.leaf) {
    l.values = values.slice(0, s);
    r.values = values.slice(s);
  } else {
    l.children = children.slice(0, s);
    r.children = children.slice(s);
  }
  parent.keys[rightIdx] = r.keys[0]!;
  if (!n.leaf) r.keys[0] = EMPTY;
}

/** Restores the size invariants from a changed leaf up to the root. */
function fixUp(tx: Tx, path: Step[], leaf: Node): void {
  const { body, minFill } = tx.layout;
  let n = leaf;
  for (;;) {
    const step = path.pop();
    const size = n.bytes();
    if (step === undefined) {
      if (size > body) {
        const { sep, right } = split(tx, n);
        const root = tx.newNode(false);
        root.keys = [EMPTY, sep];
        root.children = [n.pgid, right.pgid];
        tx.root = root.pgid;
        tx.height++;
      }
      while (!n.leaf && n.children.length === 1) {
        const child = n.children[0]!;
        tx.release(n.pgid);
        tx.root = child;
        tx.height--;
        n = tx.node(child);
      }
      return;
    }
    const { node: parent, idx } = step;
    if (size > body) {
      const { sep, right } = split(tx, n);
      parent.keys.splice(idx + 1, 0, sep);
      parent.children.splice(idx + 1, 0, right.pgid);
    } else if (size < minFill && parent.children.length > 1) {
      rebalance(tx, parent, idx, n);
    } else {
      return; // nothing changed above this level
    }
    n = parent;
  }
}
