/**
 * The page header every page of a btree file starts with, and its checksum.
 *
 * Layout (little-endian; on-disk: never change without a version bump):
 *   0  u32 crc32 of bytes 4..pageSize (zlib.crc32)
 *   4  u8  page type ({@link PageType})
 *   5  u8  reserved (0)
 *   6  u16 count: entries (leaf/branch), ids (freelist), data bytes / 1 (overflow: 0)
 *   8  u32 page id (guards against misdirected writes and reads)
 *   12 u32 next page id in a chain (overflow, freelist); 0 = end
 *   16 u32 used: body bytes in use (overflow: data bytes in this page)
 *   20 u32 stamp: low 32 bits of (the txid before the commit that wrote the page) + 1, so a
 *          page written after synced commit S has stamp > S (format 1 files: 0). Tells the
 *          pages of an unsynced commit from the synced tree's when an unsynced meta is verified.
 *   24 ...  body
 */
import * as zlib from 'node:zlib';
import { corruption } from '../errors.js';

/** Header size in bytes. on-disk: never change without a version bump. */
export const PAGE_HEADER = 24;

/** Page types. on-disk: never change without a version bump. */
export const PageType = {
  meta: 1,
  branch: 2,
  leaf: 3,
  overflow: 4,
  freelist: 5,
} as const;
export type PageTypeCode = (typeof PageType)[keyof typeof PageType];

const TYPE_NAMES: Record<number, string> = { 1: 'meta', 2: 'branch', 3: 'leaf', 4: 'overflow', 5: 'freelist' };

/** Human name of a page type code (`?N` for unknown codes). */
export function pageTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `?${t}`;
}

/** Usable body bytes of a page of `pageSize` bytes. */
export function bodySize(pageSize: number): number {
  return pageSize - PAGE_HEADER;
}

/** Fills in the header of `page` (a full page, body already written) and its checksum. */
export function sealPage(page: Buffer, pgid: number, type: PageTypeCode, count: number, next: number, used: number, stamp = 0): void {
  page[4] = type;
  page[5] = 0;
  page.writeUInt16LE(count, 6);
  page.writeUInt32LE(pgid, 8);
  page.writeUInt32LE(next, 12);
  page.writeUInt32LE(used, 16);
  page.writeUInt32LE(stamp >>> 0, 20);
  page.writeUInt32LE(zlib.crc32(page.subarray(4)), 0);
}

/** The page's stamp (header offset 20, see the module doc). */
export function pageStamp(page: Buffer): number {
  return page.readUInt32LE(20);
}

/** True when a page stamped `stamp` was written after the commit with txid `base` (32-bit wrap-safe). */
export function stampedAfter(stamp: number, base: number): boolean {
  return ((stamp - (base >>> 0)) | 0) > 0;
}

/** True when the page's stored checksum matches its contents. */
export function checksumOk(page: Buffer): boolean {
  return page.readUInt32LE(0) === zlib.crc32(page.subarray(4));
}

/** Decoded header fields. */
export interface PageHeader {
  readonly type: number;
  readonly count: number;
  readonly pgid: number;
  readonly next: number;
  readonly used: number;
}

export function readHeader(page: Buffer): PageHeader {
  return {
    type: page[4]!,
    count: page.readUInt16LE(6),
    pgid: page.readUInt32LE(8),
    next: page.readUInt32LE(12),
    used: page.readUInt32LE(16),
  };
}

/**
 * Checks checksum, page id and (optionally) type; throws CORRUPTION naming file and offset.
 * A never-written page (all zeros) fails the checksum.
 */
export function verifyPage(page: Buffer, pgid: number, file: string, expect?: number | readonly number[]): void {
  const offset = pgid * page.length;
  if (!checksumOk(page)) throw corruption(`page ${pgid}: checksum mismatch`, file, offset);
  const h = readHeader(page);
  if (h.pgid !== pgid) throw corruption(`page ${pgid}: header names page ${h.pgid}`, file, offset);
  if (expect !== undefined) {
    const ok = typeof expect === 'number' ? h.type === expect : expect.includes(h.type);
    if (!ok) throw corruption(`page ${pgid}: unexpected type ${pageTypeName(h.type)}`, file, offset);
  }
  if (h.used > page.length - PAGE_HEADER) throw corruption(`page ${pgid}: used ${h.used} exceeds the body`, file, offset);
}
