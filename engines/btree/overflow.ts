/**
 * Overflow chains: values too large to sit inline in a leaf are stored in a chain of overflow
 * pages (header next = following page, used = data bytes in this page; body = data). The leaf
 * entry keeps the first page id and the total length.
 */
import { corruption } from '../errors.js';
import { PAGE_HEADER, PageType, sealPage } from './page.js';
import type { Pager } from './pager.js';

/** Builds sealed overflow pages for `value` over `pgids` (one page per `body` bytes). */
export function encodeOverflow(value: Uint8Array, pgids: readonly number[], pageSize: number, stamp = 0): Buffer[] {
  const body = pageSize - PAGE_HEADER;
  const pages: Buffer[] = [];
  for (let i = 0; i < pgids.length; i++) {
    const page = Buffer.alloc(pageSize);
    const chunk = value.subarray(i * body, (i + 1) * body);
    page.set(chunk, PAGE_HEADER);
    sealPage(page, pgids[i]!, PageType.overflow, 0, pgids[i + 1] ?? 0, chunk.length, stamp);
    pages.push(page);
  }
  return pages;
}

/** Pages an overflow value of `length` bytes occupies. */
export function overflowPageCount(length: number, pageSize: number): number {
  return Math.max(1, Math.ceil(length / (pageSize - PAGE_HEADER)));
}

/**
 * Walks the chain from `first`, calling `visit(pgid, page)` for each page; checks the chain's
 * length and total size against `length`. Throws CORRUPTION on any mismatch.
 */
export function walkOverflow(pager: Pager, first: number, length: number, visit: (pgid: number, page: Buffer) => void): void {
  const want = overflowPageCount(length, pager.pageSize);
  let total = 0;
  let pg = first;
  for (let i = 0; i < want; i++) {
    if (pg < 2) throw corruption(`overflow chain from page ${first} ends early`, pager.file, first * pager.pageSize);
    const page = pager.read(pg, PageType.overflow);
    visit(pg, page);
    total += page.readUInt32LE(16);
    pg = page.readUInt32LE(12);
  }
  if (pg !== 0 || total !== length)
    throw corruption(`overflow chain from page ${first}: ${total} bytes, want ${length}`, pager.file, first * pager.pageSize);
}

/** Reads a whole overflow value into a fresh buffer. */
export function readOverflow(pager: Pager, first: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  walkOverflow(pager, first, length, (_pg, page) => {
    const used = page.readUInt32LE(16);
    if (at + used > length) throw corruption(`overflow chain from page ${first} longer than ${length}`, pager.file, first * pager.pageSize);
    page.copy(out, at, PAGE_HEADER, PAGE_HEADER + used);
    at += used;
  });
  return out;
}

/** The page ids of an overflow chain (to release them). */
export function overflowPages(pager: Pager, first: number, length: number): number[] {
  const ids: number[] = [];
  walkOverflow(pager, first, length, (pg) => ids.push(pg));
  return ids;
}
