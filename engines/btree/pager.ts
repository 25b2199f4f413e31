/**
 * The paged file: fixed-size pages addressed by id (page `n` at byte `n * pageSize`), read
 * and verified one at a time, written in coalesced runs. All I/O goes through the engine's Fs.
 */
import { corruption } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { verifyPage } from './page.js';

/** Largest single write when coalescing adjacent pages. */
const MAX_RUN_BYTES = 1 << 20;

export class Pager {
  /** Pages read / written since open (the `btree.pageReads` / `btree.pageWrites` stats). */
  pageReads = 0;
  pageWrites = 0;

  constructor(readonly fs: Fs, readonly fd: Fd, readonly file: string, readonly pageSize: number) {}

  /**
   * Reads page `pgid` into `into` (a page-sized buffer the caller owns) or a fresh buffer, and
   * verifies its checksum, id and type. A short read (truncated file) or a failed check throws
   * CORRUPTION.
   */
  read(pgid: number, expect?: number | readonly number[], into?: Buffer): Buffer {
    const page = into ?? Buffer.allocUnsafe(this.pageSize);
    const pos = pgid * this.pageSize;
    const n = this.fs.read(this.fd, page, 0, this.pageSize, pos);
    this.pageReads++;
    if (n !== this.pageSize) throw corruption(`page ${pgid}: short read (${n} of ${this.pageSize} bytes; file truncated?)`, this.file, pos);
    verifyPage(page, pgid, this.file, expect);
    return page;
  }

  /** Reads raw bytes without verification (meta discovery, inspect dumps). Returns bytes read. */
  readRaw(buf: Buffer, position: number): number {
    return this.fs.read(this.fd, buf, 0, buf.length, position);
  }

  /** Writes raw bytes at `position`. */
  writeRaw(buf: Buffer, position: number): void {
    this.fs.write(this.fd, buf, 0, buf.length, position);
  }

  /**
   * Writes sealed pages. `ids` must be ascending; `pages[i]` is the full page for `ids[i]`.
   * Adjacent ids are written with one call per run (up to 1 MiB).
   */
  writePages(ids: readonly number[], pages: readonly Buffer[]): void {
    const ps = this.pageSize;
    let i = 0;
    while (i < ids.length) {
      let j = i + 1;
      while (j < ids.length && ids[j] === ids[j - 1]! + 1 && (j - i + 1) * ps <= MAX_RUN_BYTES) j++;
      if (j - i === 1) this.fs.write(this.fd, pages[i]!, 0, ps, ids[i]! * ps);
      else {
        const run = Buffer.concat(pages.slice(i, j) as Buffer[], (j - i) * ps);
        this.fs.write(this.fd, run, 0, run.length, ids[i]! * ps);
      }
      this.pageWrites += j - i;
      i = j;
    }
  }

  /** fdatasync of the file. */
  sync(): void {
    this.fs.fdatasync(this.fd);
  }

  /** Current file size in bytes. */
  size(): number {
    return this.fs.size(this.fd);
  }

  close(): void {
    this.fs.close(this.fd);
  }
}
