/**
 * Internal iterators: ordered cursors over a memtable, over a sorted run of sstables, and a
 * merging iterator that combines any number of them, newest source first, into one ordered
 * stream with one entry per key (the newest version; older versions are skipped). Scans and
 * compactions both read through these. Tombstones are yielded (kind 0); the caller decides
 * whether to hide them (scan) or keep them (compaction above the bottom).
 *
 * A scan holds the memtables and the Version it started with; since the engine is synchronous
 * and a scan completes within one call, it reads exactly one consistent state.
 */
import type { Block } from './block.js';
import { BlockCursor } from './block.js';
import type { Memtable, MemEntry } from './memtable.js';
import { keyString } from './memtable.js';
import type { BlockWindow, Table } from './sstable-reader.js';
import type { Run } from './version.js';

const EMPTY: Buffer = Buffer.alloc(0);
/** Most bytes a scan reads in one call. */
const READAHEAD = 64 * 1024;

/** An ordered cursor. When `valid`, key/kind/seq and `vbuf[vStart..vEnd]` describe the entry. */
export interface InternalIterator {
  valid: boolean;
  /** Fresh per entry for sstable sources; memtable keys are shared (copy before handing out). */
  key: Buffer;
  /** True when `key` belongs to the iterator's source and must be copied before escaping. */
  readonly sharedKeys: boolean;
  kind: number;
  seq: number;
  vbuf: Buffer;
  vStart: number;
  vEnd: number;
  seekToFirst(): void;
  seek(target: Buffer): void;
  next(): void;
}

/** Iterates a memtable in key order. */
export class MemIterator implements InternalIterator {
  valid = false;
  key: Buffer = EMPTY;
  readonly sharedKeys = true;
  kind = 0;
  seq = 0;
  vbuf: Buffer = EMPTY;
  vStart = 0;
  vEnd = 0;
  private e: MemEntry | null = null;

  constructor(private readonly mem: Memtable) {}

  private load(): void {
    const e = this.e;
    this.valid = e !== null;
    if (e === null) return;
    this.key = e.key;
    this.seq = e.seq;
    this.kind = e.value === undefined ? 0 : 1;
    this.vbuf = e.value ?? EMPTY;
    this.vStart = 0;
    this.vEnd = this.vbuf.length;
  }

  seekToFirst(): void {
    this.e = this.mem.first();
    this.load();
  }

  seek(target: Buffer): void {
    this.e = this.mem.seek(keyString(target));
    this.load();
  }

  next(): void {
    this.e = this.e?.next[0] ?? null;
    this.load();
  }
}

/**
 * Iterates a sorted run of tables. `fillCache` (scans) reads blocks through the block cache;
 * otherwise (compaction) each table's data region is read in one call and blocks are verified
 * as they are parsed, without polluting the cache.
 */
export class RunIterator implements InternalIterator {
  valid = false;
  key: Buffer = EMPTY;
  readonly sharedKeys = false;
  kind = 0;
  seq = 0;
  vbuf: Buffer = EMPTY;
  vStart = 0;
  vEnd = 0;
  private fileIdx = 0;
  private blockIdx = 0;
  private cursor: BlockCursor | undefined;
  private window: BlockWindow | undefined;
  /** Bytes the next cache miss reads (scans: from the hint, doubling while it proves too small). */
  private readahead: number;
  /** Bytes of table data read (compaction accounting). */
  bytesRead = 0;

  /**
   * @param expectedBytes scans: how many bytes of this run the scan expects to consume; the
   *   first cache miss reads that much (capped at READAHEAD), later misses twice as much each time.
   */
  constructor(
    private readonly run: Run,
    private readonly fillCache: boolean,
    expectedBytes = 0,
  ) {
    this.readahead = fillCache ? Math.min(READAHEAD, expectedBytes) : Number.MAX_SAFE_INTEGER;
  }

  private table(): Table {
    return this.run[this.fileIdx]!.table;
  }

  /**
   * The current block: from the cache (scans), else from the current read window, else from a
   * new window of consecutive blocks read in one call (scans: `readahead` bytes, growing;
   * compactions: each table whole, bypassing the cache).
   */
  private openBlock(): Block {
    const t = this.table();
    const i = this.blockIdx;
    if (this.fillCache) {
      const hit = t.cachedBlock(i);
      if (hit !== undefined) return hit;
    }
    let w = this.window;
    if (w === undefined || w.table !== t || i < w.first || i > w.last) {
      w = this.window = t.readBlocks(i, this.readahead);
      if (this.fillCache) this.readahead = Math.min(READAHEAD, Math.max(this.readahead * 2, 8192));
      if (!this.fillCache) this.bytesRead += w.buf.length;
    }
    const b = t.blockFrom(w, i);
    if (this.fillCache) t.cacheBlock(i, b);
    return b;
  }

  private enterBlock(): void {
    const b = this.openBlock();
    if (this.cursor === undefined) this.cursor = new BlockCursor(b);
    else this.cursor.reset(b);
  }

  private load(): void {
    const c = this.cursor!;
    this.valid = true;
    this.key = c.key;
    this.kind = c.kind;
    this.seq = c.seq;
    this.vbuf = c.data;
    this.vStart = c.valueStart;
    this.vEnd = c.valueEnd;
  }

  /** Moves forward from an exhausted block to the next entry, across blocks and files. */
  private skipEmpty(): void {
    while (!this.cursor!.valid) {
      this.blockIdx++;
      if (this.blockIdx >= this.table().blockCount) {
        this.fileIdx++;
        this.blockIdx = 0;
        if (this.fileIdx >= this.run.length) {
          this.valid = false;
          return;
        }
      }
      this.enterBlock();
      this.cursor!.seekToFirst();
    }
    this.load();
  }

  seekToFirst(): void {
    this.fileIdx = 0;
    this.blockIdx = 0;
    if (this.run.length === 0) {
      this.valid = false;
      return;
    }
    this.enterBlock();
    this.cursor!.seekToFirst();
    this.skipEmpty();
  }

  seek(target: Buffer): void {
    const ts = keyString(target);
    let lo = 0;
    let hi = this.run.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.run[mid]!.largestStr < ts) lo = mid + 1;
      else hi = mid;
    }
    this.fileIdx = lo;
    if (lo >= this.run.length) {
      this.valid = false;
      return;
    }
    this.blockIdx = Math.min(this.table().findBlock(ts), this.table().blockCount - 1);
    this.enterBlock();
    this.cursor!.seek(target);
    this.skipEmpty();
  }

  next(): void {
    this.cursor!.next();
    this.skipEmpty();
  }
}

/**
 * Merges child iterators given newest first. Yields each key once, from the newest child that
 * has it. Linear selection over the children: there are few (memtables + runs), so this beats a
 * heap's bookkeeping.
 */
export class MergingIterator implements InternalIterator {
  valid = false;
  key: Buffer = EMPTY;
  sharedKeys = false;
  kind = 0;
  seq = 0;
  vbuf: Buffer = EMPTY;
  vStart = 0;
  vEnd = 0;
  private current: InternalIterator | undefined;

  constructor(readonly children: readonly InternalIterator[]) {}

  private pick(): void {
    let best: InternalIterator | undefined;
    for (const c of this.children) {
      if (!c.valid) continue;
      if (best === undefined || Buffer.compare(c.key, best.key) < 0) best = c;
    }
    this.current = best;
    this.valid = best !== undefined;
    if (best === undefined) return;
    this.key = best.key;
    this.sharedKeys = best.sharedKeys;
    this.kind = best.kind;
    this.seq = best.seq;
    this.vbuf = best.vbuf;
    this.vStart = best.vStart;
    this.vEnd = best.vEnd;
  }

  seekToFirst(): void {
    for (const c of this.children) c.seekToFirst();
    this.pick();
  }

  seek(target: Buffer): void {
    for (const c of this.children) c.seek(target);
    this.pick();
  }

  /** Advances past the current key in every child that holds it. */
  next(): void {
    const k = this.key;
    for (const c of this.children) if (c.valid && c !== this.current && c.key.equals(k)) c.next();
    this.current!.next();
    this.pick();
  }
}
