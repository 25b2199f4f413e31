/**
 * Copy-on-write shadow paging. A {@link Tx} is the open write transaction on top of the last
 * committed tree. The first time a transaction changes a committed page, the node moves to a
 * freshly allocated page id (its parent is updated, so the whole root-to-leaf path moves) and
 * the old id is released to the freelist: no committed tree is overwritten on disk.
 *
 * {@link Tx.commit} has two forms (FORMAT.md "Commit protocol"):
 * - unsynced (`sync` false: after each write, unless `bufferWrites`): every dirty page and the
 *   freelist are written to new ids, then the meta, into the slot that does NOT hold the last
 *   synced meta (txid + 1 after a synced commit, txid + 2 after an unsynced one); no
 *   fdatasync. A SIGKILL then loses nothing (the OS has every byte); a power loss may lose or
 *   reorder any of it, so the meta records which pages it needs beyond its synced base (their
 *   count and two hashes over id and checksum; each page is stamped) and open uses it only when
 *   they all verify (db.ts), falling back to the synced meta, whose pages no unsynced commit
 *   overwrote (freelist.ts: pages of the synced tree stay held until a synced commit).
 * - synced (`sync` true: core.sync()): 1. the dirty pages and freelist as above; 2. fdatasync
 *   (now every earlier unsynced commit is durable too); 3. the meta, txid + 1, into slot
 *   txid % 2 (after unsynced commits that is the old synced meta's slot: safe, the newest
 *   unsynced meta in the other slot is durable and complete now); 4. fdatasync.
 * A crash anywhere before the last step of either form leaves the previous meta as the newest
 * valid one (or an unsynced meta whose pages verify), naming a tree none of whose pages were
 * overwritten.
 */
import { declareKillPoint, KILL_POINTS_ARMED, killPoint } from '../killpoint.js';
import type { BufferPool } from './buffer-pool.js';
import { Freelist, encodeFreelist, freelistPages } from './freelist.js';
import type { Meta } from './meta.js';
import { encodeMeta, mixPage } from './meta.js';
import { Layout, Node, OverflowRef } from './node.js';
import { encodeOverflow, overflowPageCount, overflowPages } from './overflow.js';
import type { Pager } from './pager.js';
import { PageType } from './page.js';
import { PageView } from './view.js';
import { PageCrcMap } from './page-set.js';

const TREE_TYPES = [PageType.leaf, PageType.branch];

/**
 * In a crash-test process (KILL_POINTS_ARMED, engines/killpoint.ts) commits write tree pages,
 * freelist pages (the first one in two halves) and meta separately, with the kill points between
 * them. Otherwise tree and freelist pages go out as one coalesced write set (same bytes, same
 * order relative to the meta; fewer syscalls).
 */

/** Evicted page buffers kept for reuse. */
const SPARE_PAGES = 64;


const KP_AFTER_PAGES = declareKillPoint('btree.commit.after-pages');
const KP_MID_FREELIST = declareKillPoint('btree.commit.mid-freelist');
const KP_BEFORE_META = declareKillPoint('btree.commit.before-meta');
const KP_BEFORE_META_SYNC = declareKillPoint('btree.commit.before-meta-sync');

/** The open write transaction and the committed state it builds on (see the module doc). */
export class Tx {
  root: number;
  height: number;
  pageCount: number;
  /** txid of the newest meta written (synced or not). */
  txid: number;
  /** txid of the newest meta written by a synced commit: the tree a power loss recovers. */
  syncedTxid: number;
  /** Engine sequence number recorded in the newest meta. */
  sequence: number;
  liveKeys: number;
  liveBytes: number;
  /** Page buffers of evicted views, reused by read misses ({@link page}). */
  private readonly spare: Buffer[] = [];
  /** Nodes changed by the open transaction, by their new page id. */
  readonly dirty = new Map<number, Node>();
  /** Pages holding the last committed freelist (released by the next commit). */
  private freelistChain: number[];
  /** Pages written outside the tree (overflow) in the open transaction. */
  private overflowWritten = 0;
  /**
   * Pages written since the last synced commit that the newest tree (or the open transaction)
   * uses, with their checksums; and the two running hashes over them ({@link mixPage}).
   */
  private readonly fresh = new PageCrcMap();
  private freshA = 0;
  private freshB = 0;
  commits = 0;
  syncedCommits = 0;

  constructor(
    readonly pager: Pager,
    readonly pool: BufferPool<PageView>,
    readonly freelist: Freelist,
    readonly layout: Layout,
    meta: Meta,
    freelistChain: number[],
  ) {
    this.root = meta.root;
    this.height = meta.height;
    this.pageCount = meta.pageCount;
    this.txid = meta.txid;
    this.syncedTxid = meta.unsynced ? meta.base! : meta.txid;
    this.sequence = meta.sequence;
    this.liveKeys = meta.liveKeys;
    this.liveBytes = meta.liveBytes;
    this.freelistChain = freelistChain;
  }

  /**
   * The read path's page at `pgid`: the open transaction's dirty node, else the cached page
   * view, else the page read (verified: checksum, id, type, entry bounds) and cached.
   * CORRUPTION when the page fails a check.
   */
  page(pgid: number): Node | PageView {
    if (this.dirty.size > 0) {
      const d = this.dirty.get(pgid);
      if (d !== undefined) return d;
    }
    let v = this.pool.get(pgid);
    if (v === undefined) {
      const buf = this.spare.pop();
      try {
        v = PageView.parse(this.pager.read(pgid, TREE_TYPES, buf), pgid, this.pager.file);
      } catch (e) {
        if (buf !== undefined) this.spare.push(buf);
        throw e;
      }
      const evicted = this.pool.put(pgid, v);
      // an evicted page's buffer is reused for a later miss: nothing outlives a pool operation
      // holding its bytes (lookups copy values out first, cursors re-resolve their pages, and
      // pages a writer holds were taken from the pool, never evicted)
      if (evicted !== undefined && this.spare.length < SPARE_PAGES) this.spare.push(evicted.page);
    }
    return v;
  }

  /**
   * The write path's node at `pgid`: dirty, or the cached page decoded (a branch is decoded once
   * and memoised on its view, so hot branches are not decoded per write; the same node object
   * is returned until the view leaves the pool). Mutate only after {@link shadow} (which drops
   * the cached view).
   */
  node(pgid: number): Node {
    const p = this.page(pgid);
    if (p instanceof Node) return p;
    if (p.node !== undefined) return p.node;
    const n = p.decode();
    if (!n.leaf) p.node = n;
    return n;
  }

  /** A fresh page id: a free page, or the next one past the high-water mark. */
  allocate(): number {
    return this.freelist.allocate() ?? this.pageCount++;
  }

  /** Releases a page no longer referenced by the open transaction's tree. */
  release(pgid: number): void {
    this.pool.take(pgid);
    if (this.dirty.delete(pgid)) this.freelist.release(pgid, false);
    else this.free(pgid);
  }

  /** Releases a committed page: held if the last synced tree uses it (it is not fresh). */
  private free(pgid: number): void {
    const crc = this.fresh.get(pgid);
    if (crc === undefined) {
      this.freelist.release(pgid, true);
      return;
    }
    this.fresh.delete(pgid);
    const [a, b] = mixPage(pgid, crc);
    this.freshA = (this.freshA ^ a) >>> 0;
    this.freshB = (this.freshB - b) >>> 0;
    this.freelist.release(pgid, false);
  }

  /** Records a page just written (sealed, its checksum at offset 0) as fresh. */
  private wrote(pgid: number, page: Buffer): void {
    const crc = page.readUInt32LE(0);
    this.fresh.set(pgid, crc);
    const [a, b] = mixPage(pgid, crc);
    this.freshA = (this.freshA ^ a) >>> 0;
    this.freshB = (this.freshB + b) >>> 0;
  }

  /** Stamp for pages written now: above the last synced txid, at most the next commit's txid. */
  private get stamp(): number {
    return (this.txid + 1) >>> 0;
  }

  /** Makes `n` (read via {@link node}) writable: moves it to a new page id if it is committed. */
  private shadow(n: Node): Node {
    if (this.dirty.get(n.pgid) === n) return n;
    this.pool.take(n.pgid);
    this.free(n.pgid);
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
    const pages = encodeOverflow(value, ids, this.pager.pageSize, this.stamp);
    const order = ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    this.pager.writePages(order.map((i) => ids[i]!), order.map((i) => pages[i]!));
    for (let i = 0; i < count; i++) this.wrote(ids[i]!, pages[i]!);
    this.overflowWritten += count;
    return new OverflowRef(ids[0]!, value.length);
  }

  /** Releases every page of an overflow chain. */
  freeOverflow(ref: OverflowRef): void {
    for (const pg of overflowPages(this.pager, ref.pgid, ref.length)) this.free(pg);
  }

  /** True when the open transaction changed anything. */
  get changed(): boolean {
    return this.dirty.size > 0 || this.freelist.releasedByTx || this.overflowWritten > 0;
  }

  /** Pages written since the last synced commit that the newest tree uses. */
  get freshPages(): number {
    return this.fresh.size;
  }

  /**
   * Commits the open transaction (see the module doc), recording `sequence` in the meta.
   * `sync` false: written to the file, not fdatasynced. `sync` true: durable on return (also
   * every earlier unsynced commit); a no-op when nothing changed since the last synced commit.
   */
  commit(sequence: number, sync: boolean): void {
    if (sync && !this.changed && this.txid === this.syncedTxid && sequence === this.sequence) return;
    const ps = this.pager.pageSize;
    const stamp = this.stamp;
    const freelistIds: number[] = [];
    let chain: number[] = [];
    let ids: number[] = [];
    let pages: Buffer[] = [];
    let offs: Uint16Array[] = [];
    if (this.changed) {
      // 1. tree pages, in page order
      ids = [...this.dirty.keys()].sort((a, b) => a - b);
      offs = new Array<Uint16Array>(ids.length);
      pages = ids.map((id, i) => {
        const page = Buffer.alloc(ps);
        offs[i] = this.dirty.get(id)!.encode(page, stamp);
        return page;
      });
      if (KILL_POINTS_ARMED) {
        this.pager.writePages(ids, pages);
        killPoint(KP_AFTER_PAGES);
      }
      for (let i = 0; i < ids.length; i++) this.wrote(ids[i]!, pages[i]!);
      // 2. freelist: the previous chain is released; this commit's chain comes from free pages
      for (const pg of this.freelistChain) this.free(pg);
      const per = this.layout.freelistPerPage;
      const need = freelistPages(this.freelist.all().length, per);
      for (let i = 0; i < need; i++) chain.push(this.allocate());
      // taking chain pages from the free list only shrinks it, so `need` pages suffice; a
      // surplus chain page simply records no ids (it stays in the chain, never leaked)
      freelistIds.push(...this.freelist.all());
      const flPages = encodeFreelist(freelistIds, chain, ps, per, stamp);
      for (let i = 0; i < chain.length; i++) this.wrote(chain[i]!, flPages[i]!);
      if (KILL_POINTS_ARMED) {
        for (let i = 0; i < chain.length; i++) {
          if (i === 0) {
            const half = ps >> 1;
            this.pager.writeRaw(flPages[0]!.subarray(0, half), chain[0]! * ps);
            killPoint(KP_MID_FREELIST);
            this.pager.writeRaw(flPages[0]!.subarray(half), chain[0]! * ps + half);
          } else this.pager.writeRaw(flPages[i]!, chain[i]! * ps);
          this.pager.pageWrites++;
        }
      } else {
        // tree and freelist pages in one ascending, coalesced write set: in steady state a
        // commit reuses the run of pages the commit before last released, so this is one pwrite
        const all = ids.map((id, i) => [id, pages[i]!] as const).concat(chain.map((id, i) => [id, flPages[i]!] as const));
        all.sort((x, y) => x[0] - y[0]);
        this.pager.writePages(all.map((x) => x[0]), all.map((x) => x[1]));
      }
    } else {
      freelistIds.push(...this.freelist.all());
      chain = this.freelistChain;
    }
    // a synced commit makes its pages (and every earlier unsynced commit) durable before its meta
    if (sync) this.pager.sync();
    killPoint(KP_BEFORE_META);
    // 3. the meta: a synced one into slot (txid + 1) % 2; an unsynced one never into the slot of
    // the last synced meta
    const txid = sync || this.txid === this.syncedTxid ? this.txid + 1 : this.txid + 2;
    const meta: Meta = {
      pageSize: ps, root: this.root, freelist: chain[0] ?? 0, pageCount: this.pageCount,
      freeCount: freelistIds.length, height: this.height, txid, sequence,
      liveKeys: this.liveKeys, liveBytes: this.liveBytes,
    };
    if (!sync) Object.assign(meta, { unsynced: true, base: this.syncedTxid, freshCount: this.fresh.size, freshA: this.freshA, freshB: this.freshB });
    const metaPage = encodeMeta(meta);
    this.pager.writeRaw(metaPage, (txid % 2) * ps);
    this.pager.pageWrites++;
    if (sync) {
      killPoint(KP_BEFORE_META_SYNC);
      this.pager.sync();
    }
    // 4. committed: released pages become reusable (those of the synced tree only after a synced
    // commit), dirty nodes become clean cache entries
    this.txid = txid;
    this.sequence = sequence;
    this.freelistChain = chain;
    this.freelist.commitDone(sync);
    for (let i = 0; i < ids.length; i++) {
      const n = this.dirty.get(ids[i]!)!;
      const v = PageView.encoded(ids[i]!, pages[i]!, n.leaf, offs[i]!);
      if (!n.leaf) {
        // branches stay decoded (re-decoding ~100 keys per write would cost more than the
        // memory); leaves are decoded again when next written
        v.node = n;
        n.decodedFrom(v);
      }
      this.pool.put(ids[i]!, v);
    }
    this.dirty.clear();
    this.overflowWritten = 0;
    this.commits++;
    if (sync) {
      this.syncedTxid = txid;
      this.fresh.clear();
      this.freshA = this.freshB = 0;
      this.syncedCommits++;
    }
  }
}
