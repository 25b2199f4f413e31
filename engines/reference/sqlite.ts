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
 * - `group`: synchronous=NORMAL plus the shell running that same sync once the window passes.
 * Every mode commits each call (an autocommit statement, a transaction per batch) into the WAL
 * file before returning: a SIGKILL loses nothing acknowledged. `bufferWrites` keeps one
 * transaction open until sync() instead (process-crash-unsafe), like kvlab's own bufferWrites.
 */
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { ioError, KvError } from '../errors.js';
import type { Settings, SyncCore } from '../shell.js';
import type { Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { packageVersion } from './version.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const DB_FILE = 'kv.sqlite';
const KP_AFTER_COMMIT = declareKillPoint('sqlite.after-commit');

type Stmt = Database.Statement;

/** The SQLite core (the engine shell owns checks, sequence numbers, durability and the lock). */
class SqliteCore implements SyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes'];
  readonly version: string;
  readonly settings: Settings;
  /** `always` without bufferWrites: synchronous=FULL syncs the WAL at every commit. */
  readonly durableWrites: boolean;
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly fs: Fs;
  private readonly sGet: Stmt;
  private readonly sPut: Stmt;
  private readonly sDel: Stmt;
  private readonly sScan: Stmt;
  private readonly txBatch: (batch: readonly BatchOp[]) => void;
  /** bufferWrites: one transaction stays open from the first write until sync(). */
  private readonly buffered: boolean;
  private dirSynced = false;

  constructor(o: ResolvedOpenOptions) {
    this.fs = o.fs;
    this.file = path.join(o.dir, DB_FILE);
    this.buffered = o.options.bufferWrites === true;
    const synchronous = o.durability === 'always' ? 'FULL' : 'NORMAL';
    let db: Database.Database | undefined;
    try {
      db = new Database(this.file);
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
      this.version = `better-sqlite3 ${packageVersion('better-sqlite3')}, SQLite ${String(db.prepare('SELECT sqlite_version()').pluck().get())}`;
    } catch (e) {
      db?.close();
      throw e instanceof KvError ? e : ioError(e, 'sqlite open', this.file);
    }
    this.db = db;
    this.durableWrites = o.durability === 'always' && !this.buffered;
    this.settings = { journal_mode: 'WAL', synchronous };
  }

  /** bufferWrites: opens the transaction the writes accumulate in (committed by sync()). */
  private begin(): void {
    if (this.buffered && !this.db.inTransaction) this.db.exec('BEGIN');
  }

  get(key: Uint8Array): Uint8Array | undefined {
    try {
      return this.sGet.get(key) as Buffer | undefined;
    } catch (e) {
      throw ioError(e, 'sqlite get', this.file);
    }
  }

  /** An autocommit statement: committed to the WAL file (in the OS) before it returns, unless bufferWrites. */
  put(key: Uint8Array, value: Uint8Array): void {
    try {
      this.begin();
      this.sPut.run(key, value);
    } catch (e) {
      throw ioError(e, 'sqlite put', this.file);
    }
    killPoint(KP_AFTER_COMMIT);
  }

  del(key: Uint8Array): void {
    try {
      this.begin();
      this.sDel.run(key);
    } catch (e) {
      throw ioError(e, 'sqlite delete', this.file);
    }
    killPoint(KP_AFTER_COMMIT);
  }

  write(batch: readonly BatchOp[]): void {
    try {
      this.begin();
      this.txBatch(batch); // a savepoint inside an open bufferWrites transaction
    } catch (e) {
      throw ioError(e, 'sqlite transaction', this.file);
    }
    killPoint(KP_AFTER_COMMIT);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    try {
      return this.sScan.all(start, limit) as Array<[Buffer, Buffer]>;
    } catch (e) {
      throw ioError(e, 'sqlite scan', this.file);
    }
  }

  /** Commits an open bufferWrites transaction, then fdatasyncs the WAL (committed frames) and the database file (checkpointed pages). */
  sync(): void {
    if (this.db.inTransaction) {
      try {
        this.db.exec('COMMIT');
      } catch (e) {
        throw ioError(e, 'sqlite commit', this.file);
      }
    }
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

  fillStats(s: EngineStats): void {
    const db = this.db;
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
  }

  /** Closes the connection: an open bufferWrites transaction is rolled back (the shell committed it via sync() when healthy). */
  close(): void {
    this.db.close(); // checkpoints the WAL into the database (synced: synchronous is NORMAL or FULL)
  }
}

/** Registry entry for SQLite. */
export const sqliteDescriptor: EngineDescriptor = {
  name: 'sqlite',
  design: 'SQLite via better-sqlite3: WITHOUT ROWID B-tree table, WAL (reference)',
  role: 'reference',
  version: `better-sqlite3 ${packageVersion('better-sqlite3')}`,
  fsSeam: 'sync',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  /** The database and its WAL, shared-memory and rollback-journal files. */
  files: [/^kv\.sqlite(-wal|-shm|-journal)?$/],
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
    bufferWrites: {
      type: 'bool', default: false,
      doc: 'keep one transaction open from the first write until sync(): the equivalent of a user-space write buffer (a SIGKILL loses it; results say process-crash-unsafe)',
    },
  },
  openCore: (o) => new SqliteCore(o),
};
