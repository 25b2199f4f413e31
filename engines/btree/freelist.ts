/**
 * The freelist: which page ids below the high-water mark hold no live data.
 *
 * `free` pages may be overwritten now. `pending` pages were released by the open transaction:
 * the last committed tree (the one a crash would recover) still references them, so they
 * become free only once this transaction's meta is durable ({@link release}). Because every
 * commit fsyncs its meta before the next transaction starts, pages freed by commit N are
 * reusable from transaction N+1: no meta that could be recovered references them.
 *
 * On disk (written at every commit): a chain of freelist pages, each with header count = ids
 * in the page, next = next freelist page, body = u32 page ids. It records free + pending ids.
 */
import { corruption } from '../errors.js';
import { PAGE_HEADER, PageType, sealPage } from './page.js';
import type { Pager } from './pager.js';

export class Freelist {
  /** Reusable ids, sorted descending so pop() gives the lowest (keeps the file compact). */
  private free: number[] = [];
  private pending: number[] = [];

  /** Ids recorded on disk, loaded at open. */
  load(ids: number[]): void {
    this.free = ids.slice().sort((a, b) => b - a);
    this.pending = [];
  }

  /** A reusable page id, or undefined when the caller must extend the file. */
  allocate(): number | undefined {
    return this.free.pop();
  }

  /** Releases `pgid` from the open transaction (reusable after its commit). */
  release(pgid: number): void {
    this.pending.push(pgid);
  }

  /** The commit is durable: pending pages become reusable. */
  commitDone(): void {
    if (this.pending.length === 0) return;
    for (const id of this.pending) this.free.push(id);
    this.pending = [];
    this.free.sort((a, b) => b - a);
  }

  /** The open transaction is abandoned: forget its releases. */
  rollback(): void {
    this.pending = [];
  }

  /** Every id the next meta records as free (free + pending). */
  all(): number[] {
    return this.free.concat(this.pending);
  }

  get freeCount(): number {
    return this.free.length;
  }
  get pendingCount(): number {
    return this.pending.length;
  }
}

/** Pages needed to record `n` ids. */
export function freelistPages(n: number, perPage: number): number {
  return Math.ceil(n / perPage);
}

/** Encodes `ids` into sealed freelist pages for the chain `pgids` (ascending write order not required). */
export function encodeFreelist(ids: readonly number[], pgids: readonly number[], pageSize: number, perPage: number): Buffer[] {
  const pages: Buffer[] = [];
  for (let p = 0; p < pgids.length; p++) {
    const page = Buffer.alloc(pageSize);
    const chunk = ids.slice(p * perPage, (p + 1) * perPage);
    for (let i = 0; i < chunk.length; i++) page.writeUInt32LE(chunk[i]!, PAGE_HEADER + 4 * i);
    sealPage(page, pgids[p]!, PageType.freelist, chunk.length, pgids[p + 1] ?? 0, chunk.length * 4);
    pages.push(page);
  }
  return pages;
}

/** Reads the freelist chain from `head`: the recorded ids and the chain's own page ids. */
export function readFreelist(pager: Pager, head: number, pageCount: number): { ids: number[]; chain: number[] } {
  const ids: number[] = [];
  const chain: number[] = [];
  const seen = new Set<number>();
  for (let pg = head; pg !== 0; ) {
    if (pg < 2 || pg >= pageCount || seen.has(pg)) throw corruption(`freelist chain reaches bad page ${pg}`, pager.file, pg * pager.pageSize);
    seen.add(pg);
    chain.push(pg);
    const page = pager.read(pg, PageType.freelist);
    const count = page.readUInt16LE(6);
    if (count * 4 > page.length - PAGE_HEADER) throw corruption(`freelist page ${pg}: count ${count} too large`, pager.file, pg * pager.pageSize);
    for (let i = 0; i < count; i++) ids.push(page.readUInt32LE(PAGE_HEADER + 4 * i));
    pg = page.readUInt32LE(12);
  }
  return { ids, chain };
}
