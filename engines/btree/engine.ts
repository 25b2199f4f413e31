/**
 * The `btree` engine: the engine contract on top of the paged copy-on-write B+tree.
 *
 * Writes go into one open in-memory transaction (dirty nodes held by the Tx). It commits
 * (tx.ts: pages, fdatasync, meta, fdatasync) when the durability policy asks (every write
 * under `always`; the group window under `group`; sync()/close() in every mode) and whenever
 * `maxDirtyPages` pages are dirty. So `durableSequence()` is always the sequence of the last
 * commit, and a crash finds exactly the last committed state. An atomic batch is applied
 * whole before any commit can happen, so it is never split across commits.
 *
 * After an I/O or corruption error inside a write, the in-memory transaction may be half
 * applied: the engine then refuses every further call with that error (close() only releases),
 * and reopening recovers the last commit.
 */
import { DirLock, DurabilityPolicy, checkBatch, checkKey, checkLimit, checkValue } from '../common.js';
import type { BatchOp, Engine, EngineInfo, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { emptyStats } from '../engine.js';
import { KvError, closedError, ioError } from '../errors.js';
import { Cursor } from './cursor.js';
import { openDb } from './db.js';
import type { Db } from './db.js';
import { OverflowRef, keyBytes, keyOf } from './node.js';
import type { LeafValue } from './node.js';
import { readOverflow } from './overflow.js';
import { insert, lookup, remove } from './tree.js';

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

export class BTreeEngine implements Engine {
  readonly info: EngineInfo & { kind: 'sync' };
  private readonly policy: DurabilityPolicy;
  private readonly limits: Limits;
  private readonly maxDirtyPages: number;
  private closed = false;
  private failed: KvError | undefined;
  private userBytesWritten = 0;
  private userBytesRead = 0;
  private readonly fsBase: { bytesRead: number; bytesWritten: number; syncs: number };

  private constructor(private readonly opts: ResolvedOpenOptions, private readonly db: Db, private readonly lock: DirLock) {
    const o = opts.options;
    this.maxDirtyPages = Number(o.maxDirtyPages);
    this.limits = limitsFor(db);
    const c = opts.fs.counters;
    this.fsBase = { bytesRead: c.bytesRead, bytesWritten: c.bytesWritten, syncs: c.syncs };
    this.policy = new DurabilityPolicy(opts, () => this.commitNow(), db.metas.active.sequence);
    this.info = {
      name: 'btree', label: opts.label, version: '1',
      design: 'on-disk B+tree, copy-on-write shadow paging with two meta pages (bbolt/LMDB style)',
      kind: 'sync', capabilities: BTREE_CAPABILITIES, limits: this.limits, durability: opts.durability,
      settings: {
        pageSize: db.pager.pageSize, cachePages: db.pool.capacity, maxDirtyPages: this.maxDirtyPages,
        groupCommitMs: this.policy.groupCommitMs, groupCommitBytes: this.policy.groupCommitBytes,
      },
    };
  }

  /** Opens or creates the store in `opts.dir` (see the module doc for the durability rules). */
  static open(opts: ResolvedOpenOptions): BTreeEngine {
    const o = opts.options;
    const pageSize = Number(o.pageSize);
    opts.fs.mkdirp(opts.dir);
    const lock = DirLock.acquire(opts.fs, opts.dir);
    try {
      const db = openDb(opts.fs, opts.dir, pageSize, parseCacheSize(String(o.cacheSize), pageSize));
      return new BTreeEngine(opts, db, lock);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private guard(): void {
    if (this.closed) throw closedError();
    if (this.failed) throw this.failed;
  }

  /** Runs a state-changing step; any failure poisons the engine (see module doc). */
  private mutate(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.failed = e instanceof KvError ? e : ioError(e, 'btree write');
      throw this.failed;
    }
  }

  private commitNow(): void {
    this.mutate(() => this.db.tx.commit(this.policy.lastSequence()));
  }

  private afterWrite(bytes: number): void {
    this.policy.afterWrite(bytes);
    if (this.db.tx.dirty.size >= this.maxDirtyPages) {
      this.commitNow();
      this.policy.markDurable();
    }
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.guard();
    checkKey(key, this.limits);
    const v = lookup(this.db.tx, keyOf(key));
    if (v === undefined) return undefined;
    const out = v instanceof OverflowRef ? readOverflow(this.db.pager, v.pgid, v.length) : Buffer.from(v);
    this.userBytesRead += key.length + out.length;
    return out;
  }

  private applyPut(key: Uint8Array, value: Uint8Array): void {
    const tx = this.db.tx;
    const old = insert(tx, keyOf(key), value);
    if (old === undefined) {
      tx.liveKeys++;
      tx.liveBytes += key.length + value.length;
    } else tx.liveBytes += value.length - valueBytes(old);
    this.userBytesWritten += key.length + value.length;
  }

  private applyDelete(key: Uint8Array): void {
    const tx = this.db.tx;
    const old = remove(tx, keyOf(key));
    if (old !== undefined) {
      tx.liveKeys--;
      tx.liveBytes -= key.length + valueBytes(old);
    }
    this.userBytesWritten += key.length;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.guard();
    checkKey(key, this.limits);
    checkValue(value, this.limits);
    this.mutate(() => this.applyPut(key, value));
    this.afterWrite(key.length + value.length);
  }

  delete(key: Uint8Array): void {
    this.guard();
    checkKey(key, this.limits);
    this.mutate(() => this.applyDelete(key));
    this.afterWrite(key.length);
  }

  write(batch: readonly BatchOp[]): void {
    this.guard();
    checkBatch(batch, this.limits);
    let bytes = 0;
    this.mutate(() => {
      for (const op of batch) {
        if (op.type === 'put') {
          this.applyPut(op.key, op.value);
          bytes += op.key.length + op.value.length;
        } else {
          this.applyDelete(op.key);
          bytes += op.key.length;
        }
      }
    });
    this.afterWrite(bytes);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    this.guard();
    checkKey(start, this.limits);
    checkLimit(limit);
    const out: Array<[Uint8Array, Uint8Array]> = [];
    if (limit === 0) return out;
    const c = new Cursor(this.db.tx);
    for (c.seek(keyOf(start)); !c.done && out.length < limit; c.next()) {
      const k = keyBytes(c.key());
      const v = c.value();
      const val = v instanceof OverflowRef ? readOverflow(this.db.pager, v.pgid, v.length) : Buffer.from(v);
      this.userBytesRead += k.length + val.length;
      out.push([k, val]);
    }
    return out;
  }

  sync(): void {
    this.guard();
    this.policy.commit();
  }

  lastSequence(): number {
    return this.policy.lastSequence();
  }

  durableSequence(): number {
    return this.policy.durableSequence();
  }

  stats(): EngineStats {
    this.guard();
    const { tx, pager, pool, freelist } = this.db;
    const c = this.opts.fs.counters;
    const s = emptyStats(['flushes', 'compactionBytesRead', 'compactionBytesWritten', 'bloomNegatives']);
    s.userBytesWritten = this.userBytesWritten;
    s.userBytesRead = this.userBytesRead;
    s.deviceBytesWritten = c.bytesWritten - this.fsBase.bytesWritten;
    s.deviceBytesRead = c.bytesRead - this.fsBase.bytesRead;
    s.syncs = c.syncs - this.fsBase.syncs;
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
      'btree.dirtyPages': tx.dirty.size,
      'btree.commits': tx.commits,
      'btree.cacheEvictions': pool.evictions,
      /** live user bytes per byte of allocated (non-free) pages */
      'btree.fillFactor': usedPages > 0 ? tx.liveBytes / (usedPages * pager.pageSize) : 0,
      'btree.writeAmplification': this.userBytesWritten > 0 ? s.deviceBytesWritten / this.userBytesWritten : 0,
    };
    return s;
  }

  close(): void {
    if (this.closed) return;
    try {
      if (!this.failed) this.policy.commit();
    } finally {
      this.closed = true;
      this.policy.dispose();
      try {
        this.db.pager.close();
      } finally {
        this.lock.release();
      }
    }
  }
}

/** Capabilities of the btree engine. */
export const BTREE_CAPABILITIES = {
  orderedScan: true,
  atomicBatch: true,
  persistent: true,
  durability: ['none', 'group', 'always'] as const,
};
