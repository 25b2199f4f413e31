/**
 * `sqlite`: SQLite through `better-sqlite3` (synchronous binding). One `WITHOUT ROWID` table
 * `kv(k BLOB PRIMARY KEY, v BLOB NOT NULL)` (a clustered B-tree keyed by k; BLOBs compare with
 * memcmp = unsigned byte order), prepared statements, WAL journal, one connection. Default page
 * size 16 KiB: with 4 KiB pages a ~1 KiB row exceeds an index B-tree's local payload and spills
 * to an overflow page (4x the file, 4x slower gets, measured; README).
 *
 * Durability mapping (argued in engines/reference/README.md):
 * - `always`: synchronous=FULL: the WAL is fsynced at every commit.
 * - `none`: synchronous=NORMAL: no fsync at commit; SQLite still syncs around checkpoints, so the
 *   database stays consistent across a power loss (OFF would not). sync()/close() fdatasync the
 *   WAL and the database file ourselves, which makes every committed transaction durable.
 * - `group`: synchronous=NORMAL plus the shared DurabilityPolicy running that same sync at most
 *   every groupCommitMs / groupCommitBytes.
 */
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { checkBatch, checkKey, checkLimit, checkValue, DirLock, DurabilityPolicy } from '../common.js';
import type { BatchOp, Capabilities, Engine, EngineDescriptor, EngineInfo, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { emptyStats } from '../engine.js';
import { closedError, ioError, KvError } from '../errors.js';
import type { Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { packageVersion } from './version.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const DB_FILE = 'kv.sqlite';
const KP_AFTER_COMMIT = declareKillPoint('sqlite.after-commit');

type Stmt = Database.Statement;

class SqliteEngine implements Engine {
  readonly info: EngineInfo & { kind: 'sync' };
  private db: Database.Database | undefined;
  private readonly file: string;
  private readonly fs: Fs;
  private readonly lock: DirLock;
  private readonly policy: DurabilityPolicy;
  private readonly sGet: Stmt;
  private readonly sPut: Stmt;
  private readonly sDel: Stmt;
  private readonly sScan: Stmt;
  private readonly txBatch: (batch: readonly BatchOp[]) => void;
  private dirSynced = false;
  private userBytesWritten = 0;
  private userBytesRead = 0;

  constructor(o: ResolvedOpenOptions) {
    this.fs = o.fs;
    o.fs.mkdirp(o.dir);
    this.file = path.join(o.dir, DB_FILE);
    this.lock = DirLock.acquire(o.fs, o.dir);
    const synchronous = o.durability === 'always' ? 'FULL' : 'NORMAL';
    try {
      const db = (this.db = new Database(this.file));
      db.pragma(`page_size = ${o.options.pageSize as number}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma(`cache_size = -${o.options.cacheKiB as number}`);
      db.pragma(`mmap_size = ${o.options.mmapSize as number}`);
      const rowid = o.options.table === 'rowid';
      db.exec(`CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL)${rowid ? '' : ' WITHOUT ROWID'}`);
      this.sGet = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
      this.sPut = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
      this.sDel = db.prepare('DELETE FROM kv WHERE k = ?');
      this.sScan = db.prepare('SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?').raw();
      this.txBatch = db.transaction((batch: readonly BatchOp[]) => {
        for (const op of batch) {
          if (op.type === 'put') this.sPut.run(op.key, op.value);
          else this.sDel.run(op.key);
        }
      });
    } catch (e) {
      this.db?.close();
      this.lock.release();
      throw e instanceof KvError ? e : ioError(e, 'sqlite open', this.file);
    }
    const always = o.durability === 'always';
    this.policy = new DurabilityPolicy({ ...o, durability: always ? 'none' : o.durability }, () => this.syncFiles());
    this.info = {
      name: 'sqlite', label: o.label, design: 'SQLite WITHOUT ROWID table (clustered B-tree), WAL, better-sqlite3',
      version: `better-sqlite3 ${packageVersion('better-sqlite3')}, SQLite ${String(this.db.prepare('SELECT sqlite_version()').pluck().get())}`,
      kind: 'sync', capabilities: CAPABILITIES, limits: LIMITS, durability: o.durability,
      settings: { ...o.options, journal_mode: 'WAL', synchronous },
    };
  }

  /** fdatasync of the WAL (committed frames) and the database file (checkpointed pages). */
  private syncFiles(): void {
    for (const f of [`${this.file}-wal`, this.file]) {
      if (!this.fs.exists(f)) continue;
      const fd = this.fs.open(f, 'rw');
      try {
        this.fs.fdatasync(fd);
      } finally {
        this.fs.close(fd);
      }
    }
    if (!this.dirSynced) {
      this.fs.syncDir(path.dirname(this.file));
      this.dirSynced = true;
    }
  }

  private live(): Database.Database {
    if (this.db === undefined) throw closedError();
    return this.db;
  }

  private acknowledged(bytes: number): void {
    killPoint(KP_AFTER_COMMIT);
    this.userBytesWritten += bytes;
    this.policy.afterWrite(bytes);
    if (this.info.durability === 'always') this.policy.markDurable();
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.live();
    checkKey(key, LIMITS);
    let v: Buffer | undefined;
    try {
      v = this.sGet.get(key) as Buffer | undefined;
    } catch (e) {
      throw ioError(e, 'sqlite get', this.file);
    }
    if (v === undefined) return undefined;
    this.userBytesRead += key.length + v.length;
    return v;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.live();
    checkKey(key, LIMITS);
    checkValue(value, LIMITS);
    try {
      this.sPut.run(key, value);
    } catch (e) {
      throw ioError(e, 'sqlite put', this.file);
    }
    this.acknowledged(key.length + value.length);
  }

  delete(key: Uint8Array): void {
    this.live();
    checkKey(key, LIMITS);
    try {
      this.sDel.run(key);
    } catch (e) {
      throw ioError(e, 'sqlite delete', this.file);
    }
    this.acknowledged(key.length);
  }

  write(batch: readonly BatchOp[]): void {
    this.live();
    checkBatch(batch, LIMITS);
    try {
      this.txBatch(batch);
    } catch (e) {
      throw ioError(e, 'sqlite transaction', this.file);
    }
    let bytes = 0;
    for (const op of batch) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
    this.acknowledged(bytes);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    this.live();
    checkKey(start, LIMITS);
    checkLimit(limit);
    if (limit === 0) return [];
    let rows: Array<[Buffer, Buffer]>;
    try {
      rows = this.sScan.all(start, limit) as Array<[Buffer, Buffer]>;
    } catch (e) {
      throw ioError(e, 'sqlite scan', this.file);
    }
    for (const [k, v] of rows) this.userBytesRead += k.length + v.length;
    return rows;
  }

  sync(): void {
    this.live();
    this.policy.commit();
  }

  lastSequence(): number {
    return this.policy.lastSequence();
  }

  durableSequence(): number {
    return this.policy.durableSequence();
  }

  stats(): EngineStats {
    const db = this.live();
    const s = emptyStats(['deviceBytesWritten', 'deviceBytesRead', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes']);
    s.userBytesWritten = this.userBytesWritten;
    s.userBytesRead = this.userBytesRead;
    s.syncs = this.fs.counters.syncs;
    const agg = db.prepare('SELECT count(*), coalesce(sum(length(k) + length(v)), 0) FROM kv').raw().get() as [number, number];
    s.liveKeys = agg[0];
    s.liveBytes = agg[1];
    for (const f of [this.file, `${this.file}-wal`, `${this.file}-shm`]) {
      if (!this.fs.exists(f)) continue;
      s.diskBytes += this.fs.fileSize(f);
      s.files++;
    }
    for (const p of ['page_size', 'page_count', 'freelist_count', 'cache_size'])
      s.extra[`sqlite.${p}`] = Number(db.pragma(p, { simple: true }));
    return s;
  }

  close(): void {
    if (this.db === undefined) return;
    const db = this.db;
    try {
      this.policy.commit();
    } finally {
      this.policy.dispose();
      this.db = undefined;
      try {
        db.close(); // checkpoints the WAL into the database (synced: synchronous is NORMAL or FULL)
      } finally {
        this.lock.release();
      }
    }
  }
}

/** Registry entry for SQLite. */
export const sqliteDescriptor: EngineDescriptor = {
  name: 'sqlite',
  design: 'SQLite via better-sqlite3: WITHOUT ROWID B-tree table, WAL (reference)',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: {
    pageSize: {
      type: 'enum', default: '16384', values: ['1024', '2048', '4096', '8192', '16384', '32768', '65536'],
      doc: 'page size of a new database file (16 KiB: WITHOUT ROWID rows of ~1 KiB stay off overflow pages; see README)',
    },
    table: {
      type: 'enum', default: 'without-rowid', values: ['without-rowid', 'rowid'],
      doc: 'without-rowid: the table is the key B-tree; rowid: an ordinary table plus its primary-key index',
    },
    cacheKiB: { type: 'int', default: 65536, min: 64, max: 16 * 1024 * 1024, doc: 'page cache size in KiB (PRAGMA cache_size = -N)' },
    mmapSize: { type: 'int', default: 0, min: 0, max: 2 ** 40, doc: 'PRAGMA mmap_size in bytes (0: read with pread)' },
  },
  open: (o) => new SqliteEngine(o),
};
