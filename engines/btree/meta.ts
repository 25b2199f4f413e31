/**
 * The two meta pages (pages 0 and 1). Commit `txid` writes slot `txid % 2`, so the previous
 * commit's meta is never overwritten by the next one: if a meta write is torn, the other slot
 * still names a complete tree. Open picks the valid meta with the highest txid.
 *
 * Body layout after the page header (little-endian; on-disk: never change without a version bump):
 *   24 u32 magic 0x4B564254 ("KVBT" read as big-endian)
 *   28 u32 format version (1)
 *   32 u32 page size
 *   36 u32 root page id
 *   40 u32 first freelist page id (0 = no freelist pages)
 *   44 u32 page count (high-water mark: pages >= it are unallocated)
 *   48 u32 number of free page ids recorded in the freelist
 *   52 u32 tree height (1 = the root is a leaf)
 *   56 u64 txid
 *   64 u64 last engine sequence number covered by this commit
 *   72 u64 live keys
 *   80 u64 live key + value bytes
 */
import { corruption } from '../errors.js';
import { PAGE_HEADER, PageType, checksumOk, readHeader, sealPage } from './page.js';

/** on-disk: never change without a version bump. */
export const META_MAGIC = 0x4b564254;
/** on-disk: never change without a version bump. */
export const FORMAT_VERSION = 1;
/** Offset of the page-size field (read before the page size is known). */
export const META_PAGESIZE_OFFSET = 32;

/** One meta page's contents. */
export interface Meta {
  pageSize: number;
  root: number;
  freelist: number;
  pageCount: number;
  freeCount: number;
  height: number;
  txid: number;
  sequence: number;
  liveKeys: number;
  liveBytes: number;
}

function writeU64(b: Buffer, v: number, off: number): void {
  b.writeUInt32LE(v % 0x100000000, off);
  b.writeUInt32LE(Math.floor(v / 0x100000000), off + 4);
}
function readU64(b: Buffer, off: number): number {
  return b.readUInt32LE(off) + b.readUInt32LE(off + 4) * 0x100000000;
}

/** Encodes `m` as a sealed meta page for slot `m.txid % 2`. */
export function encodeMeta(m: Meta): Buffer {
  const page = Buffer.alloc(m.pageSize);
  const b = PAGE_HEADER;
  page.writeUInt32LE(META_MAGIC, b);
  page.writeUInt32LE(FORMAT_VERSION, b + 4);
  page.writeUInt32LE(m.pageSize, b + 8);
  page.writeUInt32LE(m.root, b + 12);
  page.writeUInt32LE(m.freelist, b + 16);
  page.writeUInt32LE(m.pageCount, b + 20);
  page.writeUInt32LE(m.freeCount, b + 24);
  page.writeUInt32LE(m.height, b + 28);
  writeU64(page, m.txid, b + 32);
  writeU64(page, m.sequence, b + 40);
  writeU64(page, m.liveKeys, b + 48);
  writeU64(page, m.liveBytes, b + 56);
  sealPage(page, m.txid % 2, PageType.meta, 0, 0, 64);
  return page;
}

/**
 * Decodes meta page `slot`; returns a reason string when it is not a valid meta (bad checksum,
 * magic, version, slot, or inconsistent fields) so callers can fall back and inspect can report.
 */
export function decodeMeta(page: Buffer, slot: number): Meta | string {
  if (!checksumOk(page)) return 'checksum mismatch';
  const h = readHeader(page);
  if (h.type !== PageType.meta) return `not a meta page (type ${h.type})`;
  if (h.pgid !== slot) return `meta names slot ${h.pgid}`;
  const b = PAGE_HEADER;
  if (page.readUInt32LE(b) !== META_MAGIC) return 'bad magic';
  const version = page.readUInt32LE(b + 4);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  const m: Meta = {
    pageSize: page.readUInt32LE(b + 8),
    root: page.readUInt32LE(b + 12),
    freelist: page.readUInt32LE(b + 16),
    pageCount: page.readUInt32LE(b + 20),
    freeCount: page.readUInt32LE(b + 24),
    height: page.readUInt32LE(b + 28),
    txid: readU64(page, b + 32),
    sequence: readU64(page, b + 40),
    liveKeys: readU64(page, b + 48),
    liveBytes: readU64(page, b + 56),
  };
  if (m.pageSize !== page.length) return `page size ${m.pageSize} does not match ${page.length}`;
  if (m.txid % 2 !== slot) return `txid ${m.txid} written to the wrong slot`;
  if (m.root < 2 || m.root >= m.pageCount) return `root ${m.root} outside 2..${m.pageCount - 1}`;
  if (m.freelist !== 0 && (m.freelist < 2 || m.freelist >= m.pageCount)) return `freelist ${m.freelist} out of range`;
  if (m.height < 1) return `height ${m.height}`;
  return m;
}

/** The newer of two decode results, or CORRUPTION when neither is valid. */
export function pickMeta(a: Meta | string, b: Meta | string, file: string): Meta {
  const va = typeof a === 'string' ? undefined : a;
  const vb = typeof b === 'string' ? undefined : b;
  if (va && vb) return va.txid >= vb.txid ? va : vb;
  if (va) return va;
  if (vb) return vb;
  throw corruption(`no valid meta page (meta 0: ${String(a)}; meta 1: ${String(b)})`, file, 0);
}

/** Power-of-two page sizes the format allows. */
export const PAGE_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
