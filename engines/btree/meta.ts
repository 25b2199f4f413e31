/**
 * The two meta pages (pages 0 and 1). Commit `txid` writes slot `txid % 2`. One slot always
 * holds the last SYNCED meta (written after an fdatasync of its pages, then fdatasynced):
 * unsynced commits (pages and meta written, no fdatasync) all write the other slot, so a power
 * loss never touches the synced meta; a synced commit writes txid + 1. Open picks the valid
 * meta with the highest txid; an unsynced one is used only if its pages verify (db.ts).
 *
 * Format 3 writes the meta record (bytes 0..111: page header + body) twice in its page, at
 * offset 0 and at pageSize / 2, each copy with its own crc32 over its bytes 4..111 (in the
 * header's checksum field; the rest of the page is zero and not covered). One write puts both
 * copies on disk. A torn meta write leaves each copy old, new or (a sub-sector tear) invalid,
 * and the slot's meta is its newest valid copy; a flipped byte or a zeroed block in a meta that
 * was durably written damages one copy and the other still holds it exactly. A slot with no
 * valid copy is damage, not a torn write (a tear stops at one point; an older copy survives),
 * and since it may have held the newest commit, open then fails with CORRUPTION instead of
 * falling back to the other slot's older commit ({@link pickMeta}).
 *
 * Body layout after the page header (little-endian; on-disk: never change without a version bump):
 *   24 u32 magic 0x4B564254 ("KVBT" read as big-endian)
 *   28 u32 format version (3; 1 and 2 are read: one copy covered by the page checksum; in 1 the fields from 88 on are zero)
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
 *   88 u32 flags: bit 0 = unsynced commit (its pages were not fdatasynced before it)
 *   92 u32 unsynced: pages written since the synced base that this tree uses (stamp > base)
 *   96 u32 unsynced: XOR of mixA(pgid, page crc) over those pages
 *  100 u32 unsynced: sum mod 2^32 of mixB(pgid, page crc) over those pages
 *  104 u64 unsynced: txid of the synced meta this commit builds on (0 when synced)
 */
import { crc32 } from 'node:zlib';
import { corruption } from '../errors.js';
import { PAGE_HEADER, PageType, checksumOk, readHeader, sealPage } from './page.js';

/** on-disk: never change without a version bump. */
export const META_MAGIC = 0x4b564254;
/** on-disk: never change without a version bump. */
export const FORMAT_VERSION = 3;
/** Format versions this code reads (1: no unsynced commits, page stamps 0; 1 and 2: one meta copy). */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3];
/** Body bytes of a format-2/3 meta. on-disk: never change without a version bump. */
const META_USED = 88;
/** Bytes of one meta copy (header + body). on-disk: never change without a version bump. */
export const META_COPY_BYTES = PAGE_HEADER + META_USED;
/** Offset of the second copy in a meta page of `pageSize` bytes (format 3). */
export const metaCopyOffset = (pageSize: number): number => pageSize >> 1;
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
  /** Written without an fdatasync of its pages first (see the module doc). */
  unsynced?: boolean;
  /** Unsynced: txid of the synced meta it builds on. */
  base?: number;
  /** Unsynced: pages written since `base` that this tree uses, and their two hashes ({@link mixPage}). */
  freshCount?: number;
  freshA?: number;
  freshB?: number;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The two hashes of one page (its id and stored checksum) that an unsynced meta combines. */
export function mixPage(pgid: number, crc: number): [number, number] {
  return [fmix32((pgid ^ Math.imul(crc, 0x9e3779b1)) >>> 0), fmix32((crc ^ Math.imul(pgid + 1, 0x27d4eb2f) ^ 0x5bd1e995) >>> 0)];
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
  if (m.unsynced) {
    page.writeUInt32LE(1, b + 64);
    page.writeUInt32LE(m.freshCount ?? 0, b + 68);
    page.writeUInt32LE((m.freshA ?? 0) >>> 0, b + 72);
    page.writeUInt32LE((m.freshB ?? 0) >>> 0, b + 76);
    writeU64(page, m.base ?? 0, b + 80);
  }
  sealPage(page, m.txid % 2, PageType.meta, 0, 0, META_USED);
  page.writeUInt32LE(crc32(page.subarray(4, META_COPY_BYTES)) >>> 0, 0);
  page.copy(page, metaCopyOffset(m.pageSize), 0, META_COPY_BYTES);
  return page;
}

/** A meta slot as read: its meta (the newest valid copy) or why none is valid, and any damaged copy. */
export interface SlotRead {
  readonly meta: Meta | string;
  /** A copy that failed its checks, or copies that disagree (a torn write), while the slot still decoded. */
  readonly note?: string;
}

/** Decodes both copies of meta page `slot` (see the module doc). */
export function decodeSlot(page: Buffer, slot: number): SlotRead {
  const first = decodeCopy(page, 0, slot);
  if (typeof first !== 'string' && first.version < 3) return { meta: first.meta };
  const second = page.length >= 2 * META_COPY_BYTES ? decodeCopy(page, metaCopyOffset(page.length), slot) : 'page too small for two copies';
  const a = typeof first === 'string' ? undefined : first.meta;
  const b = typeof second === 'string' || second.version < 3 ? undefined : second.meta;
  if (a === undefined && b === undefined) return { meta: typeof first === 'string' ? first : 'no valid copy' };
  if (a === undefined) return { meta: b!, note: `copy 1 invalid (${String(first)})` };
  if (b === undefined) return { meta: a, note: `copy 2 invalid (${typeof second === 'string' ? second : 'older format'})` };
  if (a.txid !== b.txid) return { meta: a.txid > b.txid ? a : b, note: `copies hold txid ${a.txid} and ${b.txid} (a torn write)` };
  return { meta: a };
}

/**
 * Decodes meta page `slot`; returns a reason string when it is not a valid meta (bad checksum,
 * magic, version, slot, or inconsistent fields) so callers can fall back and inspect can report.
 */
export function decodeMeta(page: Buffer, slot: number): Meta | string {
  return decodeSlot(page, slot).meta;
}

/**
 * One copy at offset `o`: a format-3 copy (its own crc over bytes o+4..o+111), or at offset 0
 * a format-1/2 page (the page checksum over the whole page).
 */
function decodeCopy(page: Buffer, o: number, slot: number): { meta: Meta; version: number } | string {
  const own = (crc32(page.subarray(o + 4, o + META_COPY_BYTES)) >>> 0) === page.readUInt32LE(o) && page.readUInt32LE(o + PAGE_HEADER + 4) >= 3;
  if (!own && !(o === 0 && checksumOk(page) && page.readUInt32LE(PAGE_HEADER + 4) < 3)) return 'checksum mismatch';
  const view = o === 0 ? page : page.subarray(o);
  const r = decodeFields(view, slot, page.length);
  return typeof r === 'string' ? r : { meta: r, version: view.readUInt32LE(PAGE_HEADER + 4) };
}

/** The fields of a meta copy starting at byte 0 of `page` (checksum already checked). */
function decodeFields(page: Buffer, slot: number, pageSize: number): Meta | string {
  const h = readHeader(page);
  if (h.type !== PageType.meta) return `not a meta page (type ${h.type})`;
  if (h.pgid !== slot) return `meta names slot ${h.pgid}`;
  const b = PAGE_HEADER;
  if (page.readUInt32LE(b) !== META_MAGIC) return 'bad magic';
  const version = page.readUInt32LE(b + 4);
  if (!READABLE_VERSIONS.includes(version)) return `unsupported format version ${version}`;
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
  if (version >= 2 && (page.readUInt32LE(b + 64) & 1) === 1) {
    m.unsynced = true;
    m.freshCount = page.readUInt32LE(b + 68);
    m.freshA = page.readUInt32LE(b + 72);
    m.freshB = page.readUInt32LE(b + 76);
    m.base = readU64(page, b + 80);
    if (m.base >= m.txid || m.base % 2 === slot) return `unsynced txid ${m.txid} names base ${m.base}`;
  }
  if (m.pageSize !== pageSize) return `page size ${m.pageSize} does not match ${pageSize}`;
  if (m.txid % 2 !== slot) return `txid ${m.txid} written to the wrong slot`;
  if (m.root < 2 || m.root >= m.pageCount) return `root ${m.root} outside 2..${m.pageCount - 1}`;
  if (m.freelist !== 0 && (m.freelist < 2 || m.freelist >= m.pageCount)) return `freelist ${m.freelist} out of range`;
  if (m.height < 1) return `height ${m.height}`;
  return m;
}

/**
 * The newer of two slots' metas. CORRUPTION when neither is valid, and when one slot has no
 * valid copy: it may have held the newest commit (a torn write always leaves a valid copy, so
 * this is damage), and using the other slot would silently return an older state.
 */
export function pickMeta(a: Meta | string, b: Meta | string, file: string, pageSize = 0): Meta {
  const va = typeof a === 'string' ? undefined : a;
  const vb = typeof b === 'string' ? undefined : b;
  if (va && vb) return va.txid >= vb.txid ? va : vb;
  if (va || vb) {
    const bad = va ? 1 : 0;
    throw corruption(
      `meta ${bad} is damaged in both copies (${String(bad ? b : a)}); it may hold a commit newer than meta ${1 - bad}'s txid ${(va ?? vb)!.txid}, so open refuses to fall back`,
      file, bad * pageSize,
    );
  }
  throw corruption(`no valid meta page (meta 0: ${String(a)}; meta 1: ${String(b)})`, file, 0);
}

/** Power-of-two page sizes the format allows. */
export const PAGE_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
