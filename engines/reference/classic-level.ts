/**
 * `classic-level`: Google's LevelDB through the `classic-level` binding. Its writes exist only
 * as promises, so this is an ASYNC engine (the harness keeps --threads operations in flight);
 * reads use the binding's synchronous `getSync` (no thread-pool hop) wrapped in a resolved
 * promise. Atomic batches use LevelDB's WriteBatch (`db.batch`). Buffer keys in LevelDB's
 * default bytewise comparator (= unsigned byte order).
 *
 * Durability mapping (argued in engines/reference/README.md):
 * - `always`: every put/del/batch with `{ sync: true }` (LevelDB fsyncs its log before acking).
 * - `none`: plain writes (appended to the log with write(2), no fsync). sync()/close() fdatasync
 *   every `*.log` file in the directory: LevelDB syncs its SSTables and MANIFEST itself, so the
 *   logs hold everything not yet in a synced table.
 * - `group`: plain writes plus the shell running that same log sync once the window passes.
 */
import { ClassicLevel } from 'classic-level';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { closedError, ioError, KvError } from '../errors.js';
import type { AsyncCore, Settings } from '../shell.js';
import type { Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { packageVersion } from './version.js';
import { classicLevelFloor } from './classic-level-floor.js';
import { addDirSize, syncLogFiles } from './library-dir.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const KP_AFTER_WRITE = declareKillPoint('classic-level.after-write');

type Level = ClassicLevel<Buffer, Buffer>;

/** Maps a binding error to a KvError (LOCKED for a held directory). */
function levelError(e: unknown, op: string, dir: string): KvError {
  if (e instanceof KvError) return e;
  const err = e as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err.code === 'LEVEL_LOCKED' || err.cause?.code === 'LEVEL_LOCKED')
    return new KvError('LOCKED', `${dir} is held by another LevelDB instance`, { file: dir, cause: e });
  if (err.code === 'LEVEL_DATABASE_NOT_OPEN' && op !== 'open') return closedError();
  return ioError(e, `classic-level ${op}${err.cause?.message ? ` (${err.cause.message})` : ''}`, dir);
}

/** The LevelDB core (the engine shell owns checks, sequence numbers, durability and the lock). */
class ClassicLevelCore implements AsyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'liveBytes', 'liveKeys', 'flushes', 'compactions', 'cacheHits', 'cacheMisses', 'bloomNegatives'];
  readonly version = `classic-level ${packageVersion('classic-level')}`;
  readonly settings: Settings;
  /** `always`: LevelDB fsyncs its log before acknowledging a `{ sync: true }` write. */
  readonly durableWrites: boolean;
  private readonly writeOptions: { sync: boolean };

  constructor(private readonly db: Level, private readonly o: ResolvedOpenOptions, private readonly fs: Fs) {
    const always = o.durability === 'always';
    this.writeOptions = { sync: always };
    this.durableWrites = always;
    this.settings = { syncWrites: always };
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return this.db.getSync(Buffer.from(key.buffer, key.byteOffset, key.length));
    } catch (e) {
      throw levelError(e, 'get', this.o.dir);
    }
  }

  /** Appended to LevelDB's log with write(2) before the promise resolves (in the OS). */
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    try {
      await this.db.put(Buffer.from(key), Buffer.from(value), this.writeOptions);
    } catch (e) {
      throw levelError(e, 'put', this.o.dir);
    }
    killPoint(KP_AFTER_WRITE);
  }

  async del(key: Uint8Array): Promise<void> {
    try {
      await this.db.del(Buffer.from(key), this.writeOptions);
    } catch (e) {
      throw levelError(e, 'del', this.o.dir);
    }
    killPoint(KP_AFTER_WRITE);
  }

  async write(batch: readonly BatchOp[]): Promise<void> {
    const ops = batch.map((op) =>
      op.type === 'put'
        ? { type: 'put' as const, key: Buffer.from(op.key), value: Buffer.from(op.value) }
        : { type: 'del' as const, key: Buffer.from(op.key) },
    );
    if (ops.length > 0) {
      try {
        await this.db.batch(ops, this.writeOptions);
      } catch (e) {
        throw levelError(e, 'batch', this.o.dir);
      }
    }
    killPoint(KP_AFTER_WRITE);
  }

  async scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    try {
      return (await this.db.iterator({ gte: Buffer.from(start), limit }).all()) as Array<[Buffer, Buffer]>;
    } catch (e) {
      throw levelError(e, 'iterator', this.o.dir);
    }
  }

  /** fdatasync of every LevelDB log file (tables and MANIFEST are synced by LevelDB itself). */
  async sync(): Promise<void> {
    syncLogFiles(this.fs, this.o.dir);
  }

  async fillStats(s: EngineStats): Promise<void> {
    addDirSize(this.fs, this.o.dir, s);
    // LevelDB's compaction table: Level Files Size(MB) Time(sec) Read(MB) Write(MB)
    for (const line of this.db.getProperty('leveldb.stats').split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$/.exec(line);
      if (!m) continue;
      s.extra[`level${m[1]}.files`] = Number(m[2]);
      s.compactionBytesRead += Math.round(Number(m[5]) * 1048576);
      s.compactionBytesWritten += Math.round(Number(m[6]) * 1048576);
    }
    s.indexMemoryBytes = Number(this.db.getProperty('leveldb.approximate-memory-usage')) || 0;
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } catch (e) {
      throw levelError(e, 'close', this.o.dir);
    }
  }
}

/** Registry entry for LevelDB via classic-level. */
export const classicLevelDescriptor: EngineDescriptor = {
  name: 'classic-level',
  design: 'LevelDB via classic-level: LSM tree, async writes, sync reads (reference)',
  role: 'reference',
  version: `classic-level ${packageVersion('classic-level')}`,
  fsSeam: 'sync',
  kind: 'async',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  /** LevelDB's files: logs, tables (.ldb, old .sst), manifests, CURRENT and its temp, LOCK, info logs. */
  files: [/^\d{6,}\.(log|ldb|sst|dbtmp)$/, /^MANIFEST-\d{6,}$/, /^(CURRENT|LOCK|LOG|LOG\.old)$/],
  bindingFloor: classicLevelFloor,
  options: {
    cacheSize: { type: 'int', default: 8 * 1024 * 1024, min: 0, max: 2 ** 36, doc: 'LevelDB block cache bytes' },
    writeBufferSize: { type: 'int', default: 4 * 1024 * 1024, min: 64 * 1024, max: 2 ** 30, doc: 'LevelDB memtable bytes before a flush' },
    compression: { type: 'bool', default: true, doc: 'Snappy block compression (LevelDB default)' },
    maxOpenFiles: { type: 'int', default: 1000, min: 16, max: 100000, doc: 'LevelDB max_open_files' },
  },
  openCore: async (o) => {
    const db: Level = new ClassicLevel<Buffer, Buffer>(o.dir, {
      keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: true,
      cacheSize: o.options.cacheSize as number, writeBufferSize: o.options.writeBufferSize as number,
      compression: o.options.compression as boolean, maxOpenFiles: o.options.maxOpenFiles as number,
    });
    try {
      await db.open();
    } catch (e) {
      throw levelError(e, 'open', o.dir);
    }
    return new ClassicLevelCore(db, o, o.fs);
  },
};
