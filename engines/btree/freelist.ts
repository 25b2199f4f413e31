/**
 * The freelist: which page ids below the high-water mark hold no live data.
 *
 * Three kinds of released page, by when they may be overwritten:
 * - `free`: now;
 * - `pending`: released by the open transaction, and not used by the last SYNCED tree (they
 *   were allocated since the last synced commit): reusable once the open transaction has
 *   committed, synced or not (no meta a crash could recover after that commit uses them, and a
 *   power loss falls back to the synced tree, which never used them);
 * - `held`: released since the last synced commit from pages the last synced tree uses: they
 *   stay unused, across any number of unsynced commits, until a synced commit has made a newer
 *   tree durable, so a power loss always finds the synced tree intact.
 *
 * On disk (written at every commit): a chain of freelist pages, each with header count = ids
 * in the page, next = next freelist page, body = u32 page ids. It records free + held + pending ids.
 */
import { corruption } from '../errors.js';
import { PAGE_HEADER, PageType, sealPage } from './page.js';
import type { Pager } from './pager.js';

export class Freelist {
  /** Reusable ids, sorted descending so pop() gives the lowest (keeps the file compact). */
  private free: number[] = [];
  private pending: number[] = [];
  private held: number[] = [];
  /** Pages released by the open transaction (either kind). */
  private releasedInTx = 0;

  /** Ids recorded on disk, loaded at open (from a synced meta: all reusable). */
  load(ids: number[]): void {
    this.free = ids.slice().sort((a, b) => b - a);
    this.pending = [];
    this.held = [];
    this.releasedInTx = 0;
  }

  /** A reusable page id, or undefined when the caller must extend the file. */
  allocate(): number | undefined {
    return this.free.pop();
  }

  /**
   * Releases `pgid` from the open transaction. `inSyncedTree`: the last synced tree uses it
   * (held until a synced commit); otherwise reusable after the next commit.
   */
  release(pgid: number, inSyncedTree: boolean): void {
    (inSyncedTree ? this.held : this.pending).push(pgid);
    this.releasedInTx++;
  }

  /** The open transaction committed (`synced`: and its meta is durable). */
  commitDone(synced: boolean): void {
    this.releasedInTx = 0;
    if (this.pending.length === 0 && (!synced || this.held.length === 0)) return;
    let add = this.pending;
    this.pending = [];
    if (synced) {
      add = add.concat(this.held);
      this.held = [];
    }
    // merge the (few) released ids into the descending free list: linear, not a full sort
    add.sort((a, b) => b - a);
    const free = this.free;
    const out = new Array<number>(free.length + add.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < free.length && j < add.length) out[k++] = free[i]! > add[j]! ? free[i++]! : add[j++]!;
    while (i < free.length) out[k++] = free[i++]!;
    while (j < add.length) out[k++] = add[j++]!;
    this.free = out;
  }

  /** Every id the next meta records as free (free + held + pending). */
  all(): number[] {
    return this.free.concat(this.held, this.pending);
  }

  /** True when the open transaction released any page. */
  get releasedByTx(): boolean {
    return this.releasedInTx > 0;
  }
  get freeCount(): number {
    return this.free.length;
  }
  /** Released pages not yet reusable (pending + held). */
  get pendingCount(): number {
    return this.pending.length + this.held.length;
  }
  /** Pages the last synced tree uses that unsynced commits released. */
  get heldCount(): number {
    return this.held.length;
  }
}

/** Host byte order is little-endian: a freelist page body can be filled through a Uint32Array. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Pages needed to record `n` ids. */
export function freelistPages(n: number, perPage: number): number {
  return Math.ceil(n / perPage);
}

/** Encodes `ids` into sealed freelist pages for the chain `pgids` (ascending write order not required). */
export function encodeFreelist(ids: readonly number[], pgids: readonly number[], pageSize: number, perPage: number, stamp = 0): Buffer[] {
  const pages: Buffer[] = [];
  for (let p = 0; p < pgids.length; p++) {
    const page = Buffer.alloc(pageSize);
    const chunk = ids.slice(p * perPage, (p + 1) * perPage);
    if (LITTLE_ENDIAN && (page.byteOffset & 3) === 0) new Uint32Array(page.buffer, page.byteOffset + PAGE_HEADER, chunk.length).set(chunk);
    else for (let i = 0; i < chunk.length; i++) page.writeUInt32LE(chunk[i]!, PAGE_HEADER + 4 * i);
    sealPage(page, pgids[p]!, PageType.freelist, chunk.length, pgids[p + 1] ?? 0, chunk.length * 4, stamp);
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
