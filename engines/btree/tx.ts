/**
 * Copy-on-write shadow paging. A {@link Tx} is the open write transaction on top of the last
 * committed tree. The first time a transaction changes a committed page, the node moves to a
 * freshly allocated page id (its parent is updated, so the whole root-to-leaf path moves) and
 * the old id is released to the freelist as pending: the committed tree stays intact on disk.
 *
 * {@link Tx.commit} makes the transaction durable and atomic:
 *   1. write every dirty page and overflow page to its new id (never over a live page);
 *   2. write the freelist pages;  3. fdatasync;
 *   4. write the meta page into slot txid % 2 (the other slot keeps the previous commit);
 *   5. fdatasync.
 * A crash anywhere before 5 completes leaves the previous meta as the newest valid one, and
 * it names a tree none of whose pages were overwritten. After 5, the next transaction starts.
 */
import { declareKillPoint, killPoint } from '../killpoint.js';
import type { BufferPool } from './buffer-pool.js';
import { Freelist, encodeFreelist, freelistPages } from './freelist.js';
import type { Meta } from './meta.js';
import { encodeMeta } from './meta.js';
import { Layout, Node, OverflowRef } from './node.js';
import { encodeOverflow, overflowPageCount, overflowPages } from './overflow.js';
import type { Pager } from './pager.js';
import { PageType } from './page.js';

const KP_AFTER_PAGES = declareKillPoint('btree.commit.after-pages');
const KP_MID_FREELIST = declareKillPoint('btree.commit.mid-freelist');
const KP_BEFORE_META = declareKillPoint('btree.commit.before-meta');
const KP_BEFORE_META_SYNC = declareKillPoint('btree.commit.before-meta-sync');

export class Tx {
  root: number;
  height: number;
  pageCount: number;
  txid: number;
  liveKeys: number;
  liveBytes: number;
  /** Nodes changed by the open transaction, by their new page id. */
  readonly dirty = new Map<number, Node>();
  /** Pages holding the last committed freelist (released by the next commit). */
  private freelistChain: number[];
  /** Pages written outside the tree (overflow) in the open transaction. */
  private overflowWritten = 0;
  commits = 0;

  constructor(
    readonly pager: Pager,
    readonly pool: BufferPool<Node>,
    readonly freelist: Freelist,
    readonly layout: Layout,
    meta: Meta,
    freelistChain: number[],
  ) {
    this.root = meta.root;
    this.height = meta.height;
    this.pageCount = meta.pageCount;
    this.txid = meta.txid;
    this.liveKeys = meta.liveKeys;
    this.liveBytes = meta.liveBytes;
    this.freelistChain = freelistChain;
  }

  /** The node at `pgid`: dirty, cached, or read (verified) and cached. */
  node(pgid: number): Node {
    if (this.dirty.size > 0) {
      const d = this.dirty.get(pgid);
      if (d !== undefined) return d;
    }
    let n = this.pool.get(pgid);
    if (n === undefined) {
      const page = this.pager.read(pgid, [PageType.leaf, PageType.branch]);
      n = Node.decode(page, pgid, this.pager.file);
      this.pool.put(pgid, n);
    }
    return n;
  }

  /** A fresh page id: a free page, or the next one past the high-water mark. */
  allocate(): number {
    return this.freelist.allocate() ?? this.pageCount++;
  }

  /** Releases a page no longer referenced by the open transaction's tree. */
  release(pgid: number): void {
    this.pool.take(pgid);
    this.dirty.delete(pgid);
    this.freelist.release(pgid);
  }

  /** Makes `n` (read via {@link node}) writable: moves it to a new page id if it is committed. */
  private shadow(n: Node): Node {
    if (this.dirty.get(n.pgid) === n) return n;
    this.pool.take(n.pgid);
    this.freelist.release(n.pgid);
    n.pgid = this.allocate();
    this.dirty.set(n.pgid, n);
    return n;
  }

  /** The root, writable. */
  writableRoot(): Node {
    const n = this.shadow(this.node(this.root));
    this.root = n.pgid;
    return n;
  }

  /** Child `i` of writable `parent`, writable (the parent's pointer follows it). */
  writableChild(parent: Node, i: number): Node {
    const n = this.shadow(this.node(parent.children[i]!));
    parent.children[i] = n.pgid;
    return n;
  }

  /** A new empty dirty node. */
  newNode(leaf: boolean): Node {
    const n = new Node(this.allocate(), leaf, [], [], []);
    this.dirty.set(n.pgid, n);
    return n;
  }

  /** Writes `value` to a new overflow chain now (its pages are free, so this is safe before commit). */
  writeOverflow(value: Uint8Array): OverflowRef {
    const count = overflowPageCount(value.length, this.pager.pageSize);
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(this.allocate());
    const pages = encodeOverflow(value, ids, this.pager.pageSize);
    const order = ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    this.pager.writePages(order.map((i) => ids[i]!), order.map((i) => pages[i]!));
    this.overflowWritten += count;
    return new OverflowRef(ids[0]!, value.length);
  }

  /** Releases every page of an overflow chain. */
  freeOverflow(ref: OverflowRef): void {
    for (const pg of overflowPages(this.pager, ref.pgid, ref.length)) this.freelist.release(pg);
  }

  /** True when the open transaction changed anything. */
  get changed(): boolean {
    return this.dirty.size > 0 || this.freelist.pendingCount > 0 || this.overflowWritten > 0;
  }

  /** Commits the open transaction (see the module doc), recording `sequence` in the meta. */
  commit(sequence: number): void {
    const ps = this.pager.pageSize;
    const wrotePages = this.changed;
    const freelistIds: number[] = [];
    let chain: number[] = [];
    if (wrotePages) {
      // 1. tree pages, in page order
      const ids = [...this.dirty.keys()].sort((a, b) => a - b);
      const pages = ids.map((id) => {
        const page = Buffer.alloc(ps);
        this.dirty.get(id)!.encode(page);
        return page;
      });
      this.pager.writePages(ids, pages);
      killPoint(KP_AFTER_PAGES);
      // 2. freelist: the previous chain is released; this commit's chain comes from free pages
      for (const pg of this.freelistChain) this.freelist.release(pg);
      const per = this.layout.freelistPerPage;
      const need = freelistPages(this.freelist.all().length, per);
      for (let i = 0; i < need; i++) chain.push(this.allocate());
      // taking chain pages from the free list only shrinks it, so `need` pages suffice; a
      // surplus chain page simply records no ids (it stays in the chain, never leaked)
      freelistIds.push(...this.freelist.all());
      const flPages = encodeFreelist(freelistIds, chain, ps, per);
      for (let i = 0; i < chain.length; i++) {
        if (i === 0) {
          const half = ps >> 1;
          this.pager.writeRaw(flPages[0]!.subarray(0, half), chain[0]! * ps);
          killPoint(KP_MID_FREELIST);
          this.pager.writeRaw(flPages[0]!.subarray(half), chain[0]! * ps + half);
        } else this.pager.writeRaw(flPages[i]!, chain[i]! * ps);
        this.pager.pageWrites++;
      }
      this.pager.sync();
    } else {
      freelistIds.push(...this.freelist.all());
      chain = this.freelistChain;
    }
    killPoint(KP_BEFORE_META);
    // 3. meta into the other slot
    const meta: Meta = {
      pageSize: ps, root: this.root, freelist: chain[0] ?? 0, pageCount: this.pageCount,
      freeCount: freelistIds.length, height: this.height, txid: this.txid + 1, sequence,
      liveKeys: this.liveKeys, liveBytes: this.liveBytes,
    };
    const metaPage = encodeMeta(meta);
    this.pager.writeRaw(metaPage, (meta.txid % 2) * ps);
    this.pager.pageWrites++;
    killPoint(KP_BEFORE_META_SYNC);
    this.pager.sync();
    // 4. durable: released pages become reusable, dirty nodes become clean cache entries
    this.txid = meta.txid;
    this.freelistChain = chain;
    this.freelist.commitDone();
    for (const [id, n] of this.dirty) this.pool.put(id, n);
    this.dirty.clear();
    this.overflowWritten = 0;
    this.commits++;
  }
}
