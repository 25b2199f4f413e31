/**
 * Opening the btree file: create it atomically (temp file + rename) or recover it by picking
 * the newest valid meta page and loading its freelist. Shared by the engine and `inspect`.
 *
 * An unsynced meta (written without an fdatasync of its pages, tx.ts) is used only when every
 * page it needs beyond its synced base is on disk as written ({@link verifyUnsynced}); after a
 * SIGKILL that always holds (the OS kept every write) and open then makes it durable and synced
 * at once (fdatasync, a synced meta, fdatasync), so the session starts from a synced state.
 * After a power loss it may not hold: open then falls back to the synced meta in the other
 * slot, which no unsynced commit overwrote.
 */
import * as path from 'node:path';
import { corruption, invalidArgument, isKvError } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { BufferPool } from './buffer-pool.js';
import { Freelist, readFreelist } from './freelist.js';
import type { Meta } from './meta.js';
import type { SlotRead } from './meta.js';
import { META_PAGESIZE_OFFSET, PAGE_SIZES, decodeSlot, encodeMeta, mixPage, pickMeta } from './meta.js';
import { Layout, Node, OverflowRef } from './node.js';
import { walkOverflow } from './overflow.js';
import { PageType, pageStamp, stampedAfter } from './page.js';
import { Pager } from './pager.js';
import { Tx } from './tx.js';
import { PageView, decodeNode } from './view.js';

/** The data file's name inside the engine directory. */
export const DATA_FILE = 'data.btree';

/** Both meta slots as decoded (a Meta, or why the slot is invalid) and the one in effect. */
export interface MetaState {
  readonly slots: [Meta | string, Meta | string];
  readonly active: Meta;
  /** An unsynced meta newer than `active` whose pages did not verify, and why (after a power loss). */
  readonly dropped?: string;
  /** Meta copies that failed their checks or disagree while their slot still decoded (inspect warns). */
  readonly notes?: readonly string[];
}

/**
 * Checks that every page an unsynced meta's tree and freelist use beyond its synced base (the
 * pages stamped after the base) is on disk exactly as written: their count and both hashes
 * must equal the meta's. Walks only pages written since the base (their parents were written
 * since the base too, by copy-on-write). Returns undefined when it holds, else why not.
 */
export function verifyUnsynced(pager: Pager, m: Meta): string | undefined {
  const base = m.base ?? 0;
  let count = 0;
  let a = 0;
  let b = 0;
  const seen = new Set<number>();
  const add = (pg: number, page: Buffer): void => {
    if (seen.has(pg)) throw corruption(`page ${pg} used twice`, pager.file, pg * pager.pageSize);
    seen.add(pg);
    const [x, y] = mixPage(pg, page.readUInt32LE(0));
    count++;
    a = (a ^ x) >>> 0;
    b = (b + y) >>> 0;
  };
  const inRange = (pg: number): void => {
    if (pg < 2 || pg >= m.pageCount) throw corruption(`page ${pg} outside 2..${m.pageCount - 1}`, pager.file, 0);
  };
  const walk = (pg: number, depth: number): void => {
    inRange(pg);
    if (depth > m.height) throw corruption(`tree deeper than height ${m.height}`, pager.file, pg * pager.pageSize);
    const page = pager.read(pg, [PageType.leaf, PageType.branch]);
    if (!stampedAfter(pageStamp(page), base)) return; // the synced tree's page: durable
    add(pg, page);
    const n = decodeNode(page, pg, pager.file);
    if (!n.leaf) {
      for (const c of n.children) walk(c, depth + 1);
      return;
    }
    for (const v of n.values) {
      if (!(v instanceof OverflowRef)) continue;
      inRange(v.pgid);
      if (!stampedAfter(pageStamp(pager.read(v.pgid, PageType.overflow)), base)) continue;
      walkOverflow(pager, v.pgid, v.length, (opg, opage) => {
        if (!stampedAfter(pageStamp(opage), base)) throw corruption(`overflow chain from page ${v.pgid} mixes old and new pages`, pager.file, opg * pager.pageSize);
        add(opg, opage);
      });
    }
  };
  try {
    walk(m.root, 1);
    for (let pg = m.freelist; pg !== 0; ) {
      inRange(pg);
      const page = pager.read(pg, PageType.freelist);
      if (stampedAfter(pageStamp(page), base)) add(pg, page);
      pg = page.readUInt32LE(12);
    }
  } catch (e) {
    if (isKvError(e)) return e.message;
    throw e;
  }
  if (count !== m.freshCount || a !== m.freshA || b !== m.freshB)
    return `${count} page(s) written since txid ${base} found, the meta names ${m.freshCount ?? 0} (or their contents differ)`;
  return undefined;
}

/**
 * The meta in effect: the newest valid one, unless it is unsynced and fails
 * {@link verifyUnsynced}; then the other slot (CORRUPTION if that is invalid too).
 */
export function chooseMeta(fs: Fs, fd: Fd, file: string, preferredPageSize: number): MetaState {
  const ms = readMetas(fs, fd, file, preferredPageSize);
  const m = ms.active;
  if (!m.unsynced) return ms;
  const why = verifyUnsynced(new Pager(fs, fd, file, m.pageSize), m);
  if (why === undefined) return ms;
  const other = ms.slots[1 - (m.txid % 2)]!;
  const dropped = `meta ${m.txid % 2} (unsynced commit txid ${m.txid}, base ${m.base}) is incomplete on disk: ${why}`;
  if (typeof other === 'string') throw corruption(`${dropped}; meta ${1 - (m.txid % 2)} is invalid (${other})`, file, 0);
  if (other.unsynced) throw corruption(`${dropped}; meta ${1 - (m.txid % 2)} is unsynced too (txid ${other.txid})`, file, 0);
  return { ...ms, active: other, dropped };
}

/**
 * Reads both meta pages. The page size is the one copy 1 of meta 0 claims; when no copy of
 * either slot decodes at that size, `preferredPageSize` and then every legal size are tried.
 * CORRUPTION when no meta is valid, or one slot has no valid copy ({@link pickMeta}).
 */
export function readMetas(fs: Fs, fd: Fd, file: string, preferredPageSize: number): MetaState {
  const readAt = (size: number, slot: number): SlotRead => {
    const page = Buffer.alloc(size);
    const n = fs.read(fd, page, 0, size, slot * size);
    if (n !== size) return { meta: `short read (${n} of ${size} bytes)` };
    return decodeSlot(page, slot);
  };
  const head = Buffer.alloc(META_PAGESIZE_OFFSET + 4);
  fs.read(fd, head, 0, head.length, 0);
  const claimed = head.readUInt32LE(META_PAGESIZE_OFFSET);
  const sizes = [...new Set([...(PAGE_SIZES.includes(claimed) ? [claimed] : []), preferredPageSize, ...PAGE_SIZES])];
  let found: [SlotRead, SlotRead] | undefined;
  let size = sizes[0]!;
  for (const s of sizes) {
    const pair: [SlotRead, SlotRead] = [readAt(s, 0), readAt(s, 1)];
    if (typeof pair[0].meta !== 'string' || typeof pair[1].meta !== 'string') {
      found = pair;
      size = s;
      break;
    }
    found ??= pair;
  }
  const [r0, r1] = found!;
  const notes = [r0, r1].flatMap((r, i) => (r.note ? [`meta ${i}: ${r.note}`] : []));
  return { slots: [r0.meta, r1.meta], active: pickMeta(r0.meta, r1.meta, file, size), ...(notes.length ? { notes } : {}) };
}

/** Throws INVALID_ARGUMENT unless `pageSize` is a supported power of two. */
export function checkPageSize(pageSize: number): void {
  if (!PAGE_SIZES.includes(pageSize)) throw invalidArgument(`btree pageSize must be one of ${PAGE_SIZES.join(', ')}, got ${pageSize}`);
}

function createFile(fs: Fs, dir: string, file: string, pageSize: number): void {
  const tmp = `${file}.tmp`;
  const fd = fs.open(tmp, 'truncate');
  try {
    const root = Buffer.alloc(pageSize);
    Node.emptyLeaf(2).encode(root);
    const base: Meta = { pageSize, root: 2, freelist: 0, pageCount: 3, freeCount: 0, height: 1, txid: 0, sequence: 0, liveKeys: 0, liveBytes: 0 };
    const buf = Buffer.concat([encodeMeta(base), encodeMeta({ ...base, txid: 1 }), root]);
    fs.write(fd, buf, 0, buf.length, 0);
    fs.fdatasync(fd);
  } finally {
    fs.close(fd);
  }
  fs.rename(tmp, file);
  fs.syncDir(dir);
}

/** An open btree file. */
export interface Db {
  readonly pager: Pager;
  readonly tx: Tx;
  readonly pool: BufferPool<PageView>;
  readonly freelist: Freelist;
  readonly layout: Layout;
  readonly metas: MetaState;
}

/**
 * Opens (creating if missing) `dir/data.btree`. A new file gets `pageSize`; an existing one
 * keeps its own. Throws CORRUPTION when no meta is valid or the freelist is damaged.
 */
export function openDb(fs: Fs, dir: string, pageSize: number, cachePages: number): Db {
  checkPageSize(pageSize);
  const file = path.join(dir, DATA_FILE);
  if (!fs.exists(file)) createFile(fs, dir, file, pageSize);
  const fd = fs.open(file, 'rw');
  try {
    const metas = chooseMeta(fs, fd, file, pageSize);
    const meta = metas.active;
    const pager = new Pager(fs, fd, file, meta.pageSize);
    const layout = new Layout(meta.pageSize);
    const { ids, chain } = readFreelist(pager, meta.freelist, meta.pageCount);
    for (const id of ids)
      if (id < 2 || id >= meta.pageCount) throw corruption(`freelist records page ${id} outside 2..${meta.pageCount - 1}`, file, meta.freelist * meta.pageSize);
    const freelist = new Freelist();
    freelist.load(ids);
    const pool = new BufferPool<PageView>(Math.max(16, cachePages));
    const tx = new Tx(pager, pool, freelist, layout, meta, chain);
    // a verified unsynced meta (a SIGKILL, or a power loss that kept all of it): make it durable
    // and synced now, so that its freelist (which counts pages of the old synced tree as free)
    // may be reused
    if (meta.unsynced) tx.commit(meta.sequence, true);
    return { pager, tx, pool, freelist, layout, metas };
  } catch (e) {
    fs.close(fd);
    throw e;
  }
}
