/**
 * Opening the btree file: create it atomically (temp file + rename) or recover it by picking
 * the newest valid meta page and loading its freelist. Shared by the engine and `inspect`.
 */
import * as path from 'node:path';
import { corruption, invalidArgument } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { BufferPool } from './buffer-pool.js';
import { Freelist, readFreelist } from './freelist.js';
import type { Meta } from './meta.js';
import { META_PAGESIZE_OFFSET, PAGE_SIZES, decodeMeta, encodeMeta, pickMeta } from './meta.js';
import { Layout, Node } from './node.js';
import { Pager } from './pager.js';
import { Tx } from './tx.js';

/** The data file's name inside the engine directory. */
export const DATA_FILE = 'data.btree';

/** Both meta slots as decoded (a Meta, or why the slot is invalid) and the one in effect. */
export interface MetaState {
  readonly slots: [Meta | string, Meta | string];
  readonly active: Meta;
}

/** Reads both meta pages. `preferredPageSize` is tried first when meta 0 is unreadable. */
export function readMetas(fs: Fs, fd: Fd, file: string, preferredPageSize: number): MetaState {
  const readAt = (size: number, slot: number): Meta | string => {
    const page = Buffer.alloc(size);
    const n = fs.read(fd, page, 0, size, slot * size);
    if (n !== size) return `short read (${n} of ${size} bytes)`;
    return decodeMeta(page, slot);
  };
  const head = Buffer.alloc(META_PAGESIZE_OFFSET + 4);
  fs.read(fd, head, 0, head.length, 0);
  const claimed = head.readUInt32LE(META_PAGESIZE_OFFSET);
  let m0: Meta | string = 'page size field invalid';
  let m1: Meta | string = 'not found';
  if (PAGE_SIZES.includes(claimed)) {
    m0 = readAt(claimed, 0);
    m1 = readAt(claimed, 1);
  }
  if (typeof m0 === 'string' && typeof m1 === 'string') {
    // meta 0 is torn: find slot 1 by trying each legal page size
    for (const size of [preferredPageSize, ...PAGE_SIZES]) {
      const m = readAt(size, 1);
      if (typeof m !== 'string') {
        m1 = m;
        break;
      }
    }
  }
  return { slots: [m0, m1], active: pickMeta(m0, m1, file) };
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
  readonly pool: BufferPool<Node>;
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
    const metas = readMetas(fs, fd, file, pageSize);
    const meta = metas.active;
    const pager = new Pager(fs, fd, file, meta.pageSize);
    const layout = new Layout(meta.pageSize);
    const { ids, chain } = readFreelist(pager, meta.freelist, meta.pageCount);
    for (const id of ids)
      if (id < 2 || id >= meta.pageCount) throw corruption(`freelist records page ${id} outside 2..${meta.pageCount - 1}`, file, meta.freelist * meta.pageSize);
    const freelist = new Freelist();
    freelist.load(ids);
    const pool = new BufferPool<Node>(Math.max(16, cachePages));
    const tx = new Tx(pager, pool, freelist, layout, meta, chain);
    return { pager, tx, pool, freelist, layout, metas };
  } catch (e) {
    fs.close(fd);
    throw e;
  }
}
