/**
 * Leaf and branch nodes: the in-memory form of a tree page, its size accounting and its
 * page encoding.
 *
 * Leaf body: `count` entries, back to back (on-disk: never change without a version bump):
 *   u16 keyLen | u8 flags | u32 valueLen | [u32 first overflow page, when flags & 1] | key | inline value
 * Branch body: `count` entries: u32 child page | u16 keyLen | key. Entry 0's key is empty: child
 * i (i >= 1) holds keys >= key i, and every child holds keys < the next entry's key.
 *
 * In memory a key is a latin1 string (one char per byte, code units 0-255): JS string
 * comparison then is exactly unsigned byte order, and it runs natively.
 *
 * Size rules (see FORMAT.md): a leaf entry is at most half the body (larger values go to
 * overflow pages), a key at most an eighth of it. So a split or a redistribution can always
 * leave both halves between a quarter ({@link Layout.minFill}) and all of the body.
 */
import { PAGE_HEADER, PageType, bodySize, sealPage } from './page.js';
import type { PageView } from './view.js';

/** Leaf entry flag: the value lives in an overflow chain. on-disk: never change without a version bump. */
export const FLAG_OVERFLOW = 1;
/** Leaf entry header bytes (without the overflow page id). on-disk: never change without a version bump. */
export const LEAF_ENTRY_HEADER = 7;
/** Branch entry header bytes. on-disk: never change without a version bump. */
export const BRANCH_ENTRY_HEADER = 6;

/** A value stored in an overflow chain: its first page and total length. */
export class OverflowRef {
  constructor(readonly pgid: number, readonly length: number) {}
}

/** A leaf value: inline bytes or a reference to an overflow chain. */
export type LeafValue = Buffer | OverflowRef;

/** Size limits derived from the page size. */
export class Layout {
  readonly body: number;
  /** Largest leaf entry stored inline (half the body). */
  readonly maxInlineEntry: number;
  /** Largest key (an eighth of the body, minus entry headers). */
  readonly maxKey: number;
  /** Non-root nodes hold at least this many body bytes (a quarter of the body). */
  readonly minFill: number;
  /** Page ids per freelist page. */
  readonly freelistPerPage: number;
  constructor(readonly pageSize: number) {
    this.body = bodySize(pageSize);
    this.maxInlineEntry = Math.floor(this.body / 2);
    this.maxKey = Math.floor(this.body / 8) - (LEAF_ENTRY_HEADER + 4 + 1);
    this.minFill = Math.floor(this.body / 4);
    this.freelistPerPage = Math.floor(this.body / 4);
  }
  /** True when a value of `valueLen` bytes under `keyLen` is stored inline. */
  inline(keyLen: number, valueLen: number): boolean {
    return LEAF_ENTRY_HEADER + keyLen + valueLen <= this.maxInlineEntry;
  }
}

/** A key in memory: latin1, one char per byte (see the module doc). */
export type Key = string;

/** The in-memory key of caller bytes. */
export function keyOf(b: Uint8Array): Key {
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length)).toString('latin1');
}

/** Fresh bytes of an in-memory key (owned by the caller). */
export function keyBytes(k: Key): Buffer {
  return Buffer.from(k, 'latin1');
}

/** Encoded size of one leaf entry. */
export function leafEntrySize(key: Key, v: LeafValue): number {
  return v instanceof OverflowRef ? LEAF_ENTRY_HEADER + 4 + key.length : LEAF_ENTRY_HEADER + key.length + v.length;
}

/**
 * One tree node. `pgid` is the page it was read from or will be written to. Keys and inline
 * values are immutable buffers (views of a page or private copies), never a caller's buffer.
 */
export class Node {
  constructor(
    public pgid: number,
    readonly leaf: boolean,
    public keys: Key[],
    /** Leaf only: values parallel to keys. */
    public values: LeafValue[],
    /** Branch only: child page ids parallel to keys (keys[0] is empty). */
    public children: number[],
  ) {}

  /**
   * Branch decoded from a page: that page's view and the keys as decoded. While `keys` still
   * holds exactly those keys, {@link encode} copies the source page's entry bytes and rewrites
   * only the child ids (the common commit: one child pointer moved by copy-on-write) instead
   * of serialising every key again.
   */
  private src: PageView | undefined = undefined;
  private srcKeys: Key[] | undefined = undefined;

  /** Records the page this branch was decoded from (view.ts); see {@link src}. */
  decodedFrom(view: PageView): void {
    this.src = view;
    this.srcKeys = this.keys.slice();
  }

  /** True when `keys` are still the keys decoded from {@link src} (same strings, in order). */
  private keysAsDecoded(): boolean {
    const a = this.keys;
    const b = this.srcKeys;
    if (b === undefined || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  static emptyLeaf(pgid: number): Node {
    return new Node(pgid, true, [], [], []);
  }

  /** Encoded size of entry `i`. Branch entry 0 is counted with an empty key. */
  entrySize(i: number): number {
    if (this.leaf) return leafEntrySize(this.keys[i]!, this.values[i]!);
    return BRANCH_ENTRY_HEADER + (i === 0 ? 0 : this.keys[i]!.length);
  }

  /** Body bytes this node needs. */
  bytes(): number {
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) n += this.entrySize(i);
    return n;
  }

  /**
   * Encodes into `page` (a full page buffer whose body past the entries is zero) and seals it.
   * Returns each entry's start offset in `page` (for a {@link PageView} of the page). The node
   * keeps no reference to `page`.
   */
  encode(page: Buffer, stamp = 0): Uint16Array {
    let p = PAGE_HEADER;
    const n = this.keys.length;
    if (!this.leaf && this.src !== undefined && this.keysAsDecoded()) {
      const from = this.src.page;
      const offs = this.src.offsets;
      const used = from.readUInt32LE(16);
      page.set(from.subarray(PAGE_HEADER, PAGE_HEADER + used), PAGE_HEADER);
      for (let i = 0; i < n; i++) putU32(page, offs[i]!, this.children[i]!);
      sealPage(page, this.pgid, PageType.branch, n, 0, used, stamp);
      return offs;
    }
    const offs = new Uint16Array(n);
    if (this.leaf) {
      for (let i = 0; i < n; i++) {
        const k = this.keys[i]!;
        const v = this.values[i]!;
        offs[i] = p;
        page[p] = k.length & 0xff;
        page[p + 1] = k.length >>> 8;
        if (v instanceof OverflowRef) {
          page[p + 2] = FLAG_OVERFLOW;
          putU32(page, p + 3, v.length);
          putU32(page, p + 7, v.pgid);
          p = writeLatin1(page, k, p + LEAF_ENTRY_HEADER + 4);
        } else {
          page[p + 2] = 0;
          putU32(page, p + 3, v.length);
          p = writeLatin1(page, k, p + LEAF_ENTRY_HEADER);
          page.set(v, p);
          p += v.length;
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        offs[i] = p;
        putU32(page, p, this.children[i]!);
        const k = i === 0 ? '' : this.keys[i]!;
        page[p + 4] = k.length & 0xff;
        page[p + 5] = k.length >>> 8;
        p = writeLatin1(page, k, p + BRANCH_ENTRY_HEADER);
      }
    }
    sealPage(page, this.pgid, this.leaf ? PageType.leaf : PageType.branch, n, 0, p - PAGE_HEADER, stamp);
    return offs;
  }
}

/** Little-endian u32 store (inlined byte stores: cheaper than Buffer.writeUInt32LE's checks). */
function putU32(page: Buffer, at: number, v: number): void {
  page[at] = v & 0xff;
  page[at + 1] = (v >>> 8) & 0xff;
  page[at + 2] = (v >>> 16) & 0xff;
  page[at + 3] = v >>> 24;
}

/**
 * Writes latin1 key `k` at `p`, returning the end offset. A JS loop: keys are short, and a
 * native Buffer.write per key cost more than the copy (the branch encode of every commit).
 */
function writeLatin1(page: Buffer, k: Key, p: number): number {
  for (let j = 0; j < k.length; j++) page[p + j] = k.charCodeAt(j);
  return p + k.length;
}

/** Unsigned byte order of two keys (-1, 0, 1). */
export function compareKeys(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first key >= `key` in a leaf. */
export function lowerBound(node: Node, key: Key): number {
  const keys = node.keys;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Branch routing: the child index whose range holds `key`. */
export function childIndex(node: Node, key: Key): number {
  const keys = node.keys;
  // first i >= 1 with keys[i] > key, minus one
  let lo = 1;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
