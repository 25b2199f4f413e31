/**
 * The `btree` core: the paged copy-on-write B+tree under the engine shell (engines/shell.ts
 * owns argument checks, sequence numbers, durability modes, user byte counters and the lock).
 *
 * Each put/delete/write applies to the open in-memory transaction and then commits it to the
 * file without an fdatasync (tx.ts: pages, freelist, meta written with pwrite), so a SIGKILL
 * loses no acknowledged write; sync() commits with the synced protocol (pages durable before
 * the meta, meta durable before return), which also makes every earlier unsynced commit
 * durable. With the explicit `bufferWrites` option writes stay in the transaction until
 * `maxDirtyPages` pages are dirty (an unsynced commit) or sync() (process-crash-unsafe). An
 * atomic batch is applied whole before any commit, so it is never split.
 *
 * After an I/O or corruption error inside a write the in-memory transaction may be half
 * applied; the shell then fails the engine (every call refused, close() only releases), and
 * reopening recovers the last commit on disk.
 */
import type { BatchOp, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { KvError } from '../errors.js';
import type { Settings, SyncCore } from '../shell.js';
import { Cursor } from './cursor.js';
import { openDb } from './db.js';
import type { Db } from './db.js';
import { FORMAT_VERSION } from './meta.js';
import { OverflowRef } from './node.js';
import type { LeafValue } from './node.js';
import { readOverflow } from './overflow.js';
import { insert, lookup, remove } from './tree.js';

/** The btree engine's version: its file format version. */
export const BTREE_VERSION = String(FORMAT_VERSION);

/**
 * Held pages (of the last synced tree, released since) at which a write commits synced rather
 * than unsynced (see `applied`): bounds file growth and the freelist rewritten per commit.
 */
export const HELD_SYNC_PAGES = 2048;

/** Largest value (stored in an overflow chain). */
export const MAX_VALUE_BYTES = 16 * 1024 * 1024;

/** Largest key at page sizes >= 4 KiB (an eighth of a 4 KiB page body, less entry headers). */
export const MAX_KEY_BYTES = 497;

/** Limits for an open file: keys up to an eighth of a page body (at most 497), values up to 16 MiB. */
export function limitsFor(db: Db): Limits {
  return { maxKeyBytes: Math.min(MAX_KEY_BYTES, db.layout.maxKey), maxValueBytes: MAX_VALUE_BYTES };
}

/** Parses `cacheSize`: a plain integer is pages; `<n>B|KiB|MiB|GiB` is bytes. */
export function parseCacheSize(spec: string, pageSize: number): number {
  const m = /^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$/i.exec(spec);
  if (!m) throw new KvError('INVALID_ARGUMENT', `btree cacheSize '${spec}': want pages (e.g. 16384) or bytes (e.g. 64MiB)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'b' ? 1 : unit === 'kib' ? 1024 : unit === 'mib' ? 1 << 20 : unit === 'gib' ? 1 << 30 : 0;
  return mult === 0 ? n : Math.floor((n * mult) / pageSize);
}

const valueBytes = (v: LeafValue): number => (v instanceof OverflowRef ? v.length : v.length);

/** A btree store open on one directory (the shell holds its lock). See the module doc. */
export class BTreeCore implements SyncCore {
  readonly recoveredSequence: number;
  /** From the file's page size (keys up to an eighth of a page body). */
  readonly limits: Limits;
  /** The file's actual page size and the buffer pool's capacity in pages. */
  readonly settings: Settings;
  readonly unknownStats = ['flushes', 'compactionBytesRead', 'compactionBytesWritten', 'bloomNegatives'];
  private readonly db: Db;
  private readonly maxDirtyPages: number;
  private readonly bufferWrites: boolean;
  /** Sequence of the newest applied write (recorded in the next commit's meta). */
  private seq: number;

  /** Opens or creates the store in `opts.dir` (a crash is recovered here, see db.ts). */
  constructor(opts: ResolvedOpenOptions) {
    const o = opts.options;
    const pageSize = Number(o.pageSize);
    this.db = openDb(opts.fs, opts.dir, pageSize, parseCacheSize(String(o.cacheSize), pageSize));
    this.maxDirtyPages = Number(o.maxDirtyPages);
    this.bufferWrites = o.bufferWrites === true;
    this.limits = limitsFor(this.db);
    this.settings = { pageSize: this.db.pager.pageSize, cachePages: this.db.pool.capacity };
    this.recoveredSequence = this.seq = this.db.tx.sequence;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = lookup(this.db.tx, key);
    if (v === undefined) return undefined;
    return v instanceof OverflowRef ? readOverflow(this.db.pager, v.pgid, v.length) : Buffer.from(v);
  }

  private applyPut(key: Uint8Array, value: Uint8Array): void {
    const tx = this.db.tx;
    const old = insert(tx, key, value);
    if (old === undefined) {
      tx.liveKeys++;
      tx.liveBytes += key.length + value.length;
    } else tx.liveBytes += value.length - valueBytes(old);
  }

  private applyDelete(key: Uint8Array): void {
    const tx = this.db.tx;
    const old = remove(tx, key);
    if (old !== undefined) {
      tx.liveKeys--;
      tx.liveBytes -= key.length + valueBytes(old);
    }
  }

  /**
   * Commits to the file (no fdatasync) unless `bufferWrites` and the transaction is still small.
   * Once {@link HELD_SYNC_PAGES} pages of the last synced tree are held (released by unsynced
   * commits, not reusable until a synced commit), commits synced instead: without it, under
   * `none` (no sync until close) the held pages grew without bound, the file with them, and
   * every commit rewrote a freelist recording all of them (workload A at 10^6 records spent
   * two thirds of its time there). The extra sync only makes more writes durable than
   * `durableSequence()` (the shell's) claims.
   */
  private applied(seq: number): void {
    this.seq = seq;
    const tx = this.db.tx;
    if (this.bufferWrites && tx.dirty.size < this.maxDirtyPages) return;
    tx.commit(seq, this.db.freelist.heldCount >= HELD_SYNC_PAGES);
  }

  put(key: Uint8Array, value: Uint8Array, seq: number): void {
    this.applyPut(key, value);
    this.applied(seq);
  }

  del(key: Uint8Array, seq: number): void {
    this.applyDelete(key);
    this.applied(seq);
  }

  write(batch: readonly BatchOp[], seq: number): void {
    for (const op of batch) {
      if (op.type === 'put') this.applyPut(op.key, op.value);
      else this.applyDelete(op.key);
    }
    this.applied(seq);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const c = new Cursor(this.db.tx);
    for (c.seek(start); !c.done && out.length < limit; c.next()) {
      const k = c.key();
      const v = c.value();
      out.push([k, v instanceof OverflowRef ? readOverflow(this.db.pager, v.pgid, v.length) : Buffer.from(v)]);
    }
    return out;
  }

  /** A synced commit: every write applied so far is durable on return. */
  sync(): void {
    this.db.tx.commit(this.seq, true);
  }

  fillStats(s: EngineStats): void {
    const { tx, pager, pool, freelist } = this.db;
    s.liveBytes = tx.liveBytes;
    s.liveKeys = tx.liveKeys;
    s.diskBytes = pager.size();
    s.files = 1;
    s.compactions = 0;
    s.cacheHits = pool.hits;
    s.cacheMisses = pool.misses;
    // decoded nodes hold page-sized buffers
    s.indexMemoryBytes = (pool.size + tx.dirty.size) * pager.pageSize;
    const usedPages = tx.pageCount - 2 - freelist.freeCount - freelist.pendingCount;
    s.extra = {
      'btree.pageReads': pager.pageReads,
      'btree.pageWrites': pager.pageWrites,
      'btree.height': tx.height,
      'btree.pages': tx.pageCount,
      'btree.freePages': freelist.freeCount + freelist.pendingCount,
      /** pages of the last synced tree released by unsynced commits (reusable after the next sync) */
      'btree.heldPages': freelist.heldCount,
      'btree.dirtyPages': tx.dirty.size,
      'btree.commits': tx.commits,
      'btree.syncedCommits': tx.syncedCommits,
      'btree.cacheEvictions': pool.evictions,
      /** live user bytes per byte of allocated (non-free) pages */
      'btree.fillFactor': usedPages > 0 ? tx.liveBytes / (usedPages * pager.pageSize) : 0,
      'btree.writeAmplification': s.userBytesWritten > 0 ? s.deviceBytesWritten / s.userBytesWritten : 0,
    };
  }

  /** Closes the file; no commit (the shell synced first when healthy). */
  close(): void {
    this.db.pager.close();
  }
}

/** Capabilities of the btree engine. */
export const BTREE_CAPABILITIES = {
  orderedScan: true,
  atomicBatch: true,
  persistent: true,
  durability: ['none', 'group', 'always'] as const,
};
