/**
 * A verified leaf or branch page searched in place: the read path's form of a tree page.
 *
 * Parsing walks the entries once (the format has no slot array, FORMAT.md "Leaf page") and
 * records each entry's start offset in a small Uint16Array (offsets < 65536 at every legal page
 * size); lookups then binary-search those offsets comparing the caller's key bytes with the
 * page's, as LMDB does, so a read allocates no keys or values. {@link PageView.decode} builds
 * the write path's {@link Node} from the same walk: there is one parser of tree pages.
 *
 * Buffer ownership: the view owns `page`, which nobody writes after parsing (pager reads and
 * commit encodes hand over fresh buffers). Inline values from {@link PageView.value} are views
 * of it: callers that hand bytes out copy them.
 */
import { corruption } from '../errors.js';
import { FLAG_OVERFLOW, LEAF_ENTRY_HEADER, BRANCH_ENTRY_HEADER, Node, OverflowRef } from './node.js';
import type { Key, LeafValue } from './node.js';
import { PAGE_HEADER, PageType } from './page.js';

/** Unsigned byte order of `page[off, off + len)` against `key` (negative, 0, positive). */
export function compareAt(page: Uint8Array, off: number, len: number, key: Uint8Array): number {
  const n = len < key.length ? len : key.length;
  for (let i = 0; i < n; i++) {
    const d = page[off + i]! - key[i]!;
    if (d !== 0) return d;
  }
  return len - key.length;
}

/** A parsed, immutable tree page (see the module doc). */
export class PageView {
  /** The decoded node, memoised by the write path ({@link Tx.node}); it shares this view's page. */
  node: Node | undefined = undefined;

  private constructor(
    readonly pgid: number,
    readonly page: Buffer,
    readonly leaf: boolean,
    /** Start offset of each entry in `page`. */
    private readonly offs: Uint16Array,
  ) {}

  /**
   * Parses a verified leaf or branch page (checksum, id and type already checked by the pager).
   * Throws CORRUPTION (file, page offset) when an entry runs past the used bytes, the used bytes
   * do not match the entries, or a branch has no children.
   */
  static parse(page: Buffer, pgid: number, file: string): PageView {
    const type = page[4];
    const count = page[6]! | (page[7]! << 8);
    const end = PAGE_HEADER + page.readUInt32LE(16);
    const bad = (why: string) => corruption(`page ${pgid}: ${why}`, file, pgid * page.length);
    const offs = new Uint16Array(count);
    let p = PAGE_HEADER;
    if (type === PageType.leaf) {
      for (let i = 0; i < count; i++) {
        if (p + LEAF_ENTRY_HEADER > end) throw bad(`leaf entry ${i} header past the end`);
        offs[i] = p;
        const klen = page[p]! | (page[p + 1]! << 8);
        if (page[p + 2]! & FLAG_OVERFLOW) {
          p += LEAF_ENTRY_HEADER + 4;
          if (p + klen > end) throw bad(`leaf entry ${i} key past the end`);
          p += klen;
        } else {
          const vlen = page.readUInt32LE(p + 3);
          p += LEAF_ENTRY_HEADER;
          if (p + klen + vlen > end) throw bad(`leaf entry ${i} past the end`);
          p += klen + vlen;
        }
      }
    } else if (type === PageType.branch) {
      for (let i = 0; i < count; i++) {
        if (p + BRANCH_ENTRY_HEADER > end) throw bad(`branch entry ${i} header past the end`);
        offs[i] = p;
        const klen = page[p + 4]! | (page[p + 5]! << 8);
        p += BRANCH_ENTRY_HEADER;
        if (p + klen > end) throw bad(`branch entry ${i} key past the end`);
        p += klen;
      }
    } else throw bad(`not a tree page (type ${type})`);
    if (p !== end) throw bad(`used bytes ${end - PAGE_HEADER} do not match entries (${p - PAGE_HEADER})`);
    if (type === PageType.branch && count === 0) throw bad('branch with no children');
    return new PageView(pgid, page, type === PageType.leaf, offs);
  }

  /** The view of a page just encoded from a node ({@link Node.encode}'s offsets); no checks. */
  static encoded(pgid: number, page: Buffer, leaf: boolean, offs: Uint16Array): PageView {
    return new PageView(pgid, page, leaf, offs);
  }

  /** Start offset of each entry (shared: never modify). */
  get offsets(): Uint16Array {
    return this.offs;
  }

  /** Entries in the page. */
  get count(): number {
    return this.offs.length;
  }

  /** Byte offset of entry `i`'s key. */
  keyStart(i: number): number {
    const o = this.offs[i]!;
    if (!this.leaf) return o + BRANCH_ENTRY_HEADER;
    return o + LEAF_ENTRY_HEADER + (this.page[o + 2]! & FLAG_OVERFLOW ? 4 : 0);
  }

  /** Byte length of entry `i`'s key. */
  keyLen(i: number): number {
    const o = this.offs[i]! + (this.leaf ? 0 : 4);
    return this.page[o]! | (this.page[o + 1]! << 8);
  }

  /** Compares entry `i`'s key with `key` (unsigned byte order). */
  compare(i: number, key: Uint8Array): number {
    return compareAt(this.page, this.keyStart(i), this.keyLen(i), key);
  }

  /** Leaf: index of the first key >= `key` (`count` when none). */
  lowerBound(key: Uint8Array): number {
    let lo = 0;
    let hi = this.offs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Leaf: index of `key`, or -1. */
  find(key: Uint8Array): number {
    const i = this.lowerBound(key);
    return i < this.offs.length && this.compare(i, key) === 0 ? i : -1;
  }

  /** Branch: the child index whose range holds `key` (entry 0's key is implicit). */
  childIndex(key: Uint8Array): number {
    let lo = 1;
    let hi = this.offs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(mid, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Branch: child page id `i`. */
  child(i: number): number {
    return this.page.readUInt32LE(this.offs[i]!);
  }

  /** Entry `i`'s key as fresh bytes (owned by the caller). */
  keyCopy(i: number): Buffer {
    const s = this.keyStart(i);
    return Buffer.from(this.page.subarray(s, s + this.keyLen(i)));
  }

  /** Leaf: entry `i`'s value: a view of the page (inline) or the overflow reference. */
  value(i: number): LeafValue {
    const o = this.offs[i]!;
    const klen = this.keyLen(i);
    const vlen = this.page.readUInt32LE(o + 3);
    if (this.page[o + 2]! & FLAG_OVERFLOW) return new OverflowRef(this.page.readUInt32LE(o + 7), vlen);
    const s = o + LEAF_ENTRY_HEADER + klen;
    return this.page.subarray(s, s + vlen);
  }

  /** The page as a {@link Node} (keys as latin1 strings, inline values as views of the page). */
  decode(): Node {
    const n = this.offs.length;
    const keys: Key[] = new Array(n);
    const page = this.page;
    for (let i = 0; i < n; i++) {
      const s = this.keyStart(i);
      keys[i] = page.toString('latin1', s, s + this.keyLen(i));
    }
    if (this.leaf) {
      const values: LeafValue[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = this.value(i);
      return new Node(this.pgid, true, keys, values, []);
    }
    const children: number[] = new Array(n);
    for (let i = 0; i < n; i++) children[i] = this.child(i);
    const node = new Node(this.pgid, false, keys, [], children);
    node.decodedFrom(this);
    return node;
  }
}

/**
 * Decodes a verified leaf or branch page into a {@link Node} whose keys are strings and whose
 * inline values are views of `page` (which the node then owns). CORRUPTION as {@link PageView.parse}.
 */
export function decodeNode(page: Buffer, pgid: number, file: string): Node {
  return PageView.parse(page, pgid, file).decode();
}
