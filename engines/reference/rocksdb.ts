/**
 * `rocksdb`: Meta's RocksDB through the `@nxtedition/rocksdb` binding (RocksLevel).
 *
 * Binding choice (measured by bench/rocksdb-bindings.mjs through tools/quiet, 100k ops of 1000 B
 * values, durability none): @nxtedition/rocksdb 12.2.12 ran ~15.5 µs/put and ~10.6 µs/get with
 * synchronous calls, rocksdb-native 3.18.1 ~50 µs/put and ~62 µs/get (every call is a
 * thread-pool promise). @nxtedition/rocksdb also has a synchronous `getProperty` (`rocksdb.stats`)
 * and exposes write buffer (via memtableMemoryBudget), bloom bits (filterPolicy), block cache,
 * block size, leveled/universal compaction and zstd-or-none compression; rocksdb-native exposes
 * more knobs (writeBufferSize, maxOpenFiles) but no synchronous path. Both prebuilt Linux x64
 * binaries load without install scripts. RocksDB 9.7.4 (its vendored header).
 *
 * Kind `async` because the binding's open and close exist only as callbacks; every put/del/batch
 * is a synchronous RocksDB Write on the calling thread (`_writeSync`) and every get a synchronous
 * MultiGet (`_getManySync`), each wrapped in a resolved promise. Buffers are copied before the
 * call; RocksDB's default bytewise comparator (unsigned byte order).
 *
 * Durability mapping (engines/reference/README.md): `always` writes with WriteOptions.sync (the
 * WAL is fsynced before Write returns); `none` writes plainly (WAL on, appended with write(2)
 * before the call returns, so SIGKILL loses nothing) and sync()/close() fdatasync every `*.log`
 * WAL file through `o.fs` (RocksDB syncs SSTs and MANIFEST itself); `group` = plain writes plus
 * that WAL sync when the shell's window passes. The WAL is never disabled.
 */
import { RocksLevel } from '@nxtedition/rocksdb';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { closedError, ioError, KvError } from '../errors.js';
import type { AsyncCore, Settings } from '../shell.js';
import type { Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { packageVersion } from './version.js';
import { rocksdbFloor } from './rocksdb-floor.js';
import { parseRocksStats, rocksdbLibraryVersion } from './rocksdb-stats.js';
import { addDirSize, syncLogFiles } from './library-dir.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const KP_AFTER_WRITE = declareKillPoint('rocksdb.after-write');
const VERSION = `@nxtedition/rocksdb ${packageVersion('@nxtedition/rocksdb')}, RocksDB ${rocksdbLibraryVersion()}`;

/**
 * Maps a binding error to a KvError: LOCKED for a directory RocksDB's LOCK says is held,
 * CORRUPTION when RocksDB reports Corruption, CLOSED after close, IO otherwise.
 */
export function rocksError(e: unknown, op: string, dir: string): KvError {
  if (e instanceof KvError) return e;
  const err = e as { code?: string; message?: string; cause?: { message?: string } };
  const text = `${err.message ?? ''} ${err.cause?.message ?? ''}`;
  if (/lock hold by current process|Resource temporarily unavailable|While lock file/i.test(text))
    return new KvError('LOCKED', `${dir} is held by another RocksDB instance (${text.trim()})`, { file: dir, cause: e });
  if (/Corruption/i.test(text)) return new KvError('CORRUPTION', `rocksdb ${op}: ${text.trim()}`, { file: dir, cause: e });
  if (err.code === 'LEVEL_DATABASE_NOT_OPEN' && op !== 'open') return closedError();
  return ioError(e, `rocksdb ${op}${err.cause?.message ? ` (${err.cause.message})` : ''}`, dir);
}

/** The RocksDB core (the engine shell owns checks, sequence numbers, durability and the lock). */
class RocksCore implements AsyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'liveBytes', 'liveKeys', 'cacheHits', 'cacheMisses', 'bloomNegatives'];
  readonly version = VERSION;
  readonly settings: Settings;
  /** `always`: RocksDB fsyncs its WAL before a `{ sync: true }` Write returns. */
  readonly durableWrites: boolean;
  private readonly writeOptions: { sync: boolean };

  constructor(private readonly db: RocksLevel, private readonly o: ResolvedOpenOptions, private readonly fs: Fs) {
    const always = o.durability === 'always';
    this.writeOptions = { sync: always };
    this.durableWrites = always;
    this.settings = { syncWrites: always };
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return this.db._getManySync([Buffer.from(key.buffer, key.byteOffset, key.length)], {})[0] ?? undefined;
    } catch (e) {
      throw rocksError(e, 'get', this.o.dir);
    }
  }

  /** One synchronous RocksDB Write: in the WAL (handed to the OS, or fsynced under always) on return. */
  private apply(fill: (b: ReturnType<RocksLevel['batch']>) => void, op: string): void {
    let b: ReturnType<RocksLevel['batch']> | undefined;
    try {
      b = this.db.batch();
      fill(b);
      b._writeSync(this.writeOptions);
    } catch (e) {
      throw rocksError(e, op, this.o.dir);
    } finally {
      b?._closeSync();
    }
    killPoint(KP_AFTER_WRITE);
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    this.apply((b) => b.put(Buffer.from(key), Buffer.from(value)), 'put');
  }

  async del(key: Uint8Array): Promise<void> {
    this.apply((b) => b.del(Buffer.from(key)), 'del');
  }

  /** All ops in one RocksDB WriteBatch (atomic). */
  async write(batch: readonly BatchOp[]): Promise<void> {
    if (batch.length === 0) return killPoint(KP_AFTER_WRITE);
    this.apply((b) => {
      for (const op of batch) op.type === 'put' ? b.put(Buffer.from(op.key), Buffer.from(op.value)) : b.del(Buffer.from(op.key));
    }, 'batch');
  }

  async scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    try {
      return await this.db.iterator({ gte: Buffer.from(start), limit }).all();
    } catch (e) {
      throw rocksError(e, 'iterator', this.o.dir);
    }
  }

  /** fdatasync of every WAL file (`NNNNNN.log`) through the Fs seam; SSTs/MANIFEST RocksDB syncs itself. */
  async sync(): Promise<void> {
    syncLogFiles(this.fs, this.o.dir);
  }

  async fillStats(s: EngineStats): Promise<void> {
    addDirSize(this.fs, this.o.dir, s);
    try {
      parseRocksStats(this.db.getProperty('rocksdb.stats'), s);
      s.indexMemoryBytes = (Number(this.db.getProperty('rocksdb.estimate-table-readers-mem')) || 0) + (Number(this.db.getProperty('rocksdb.cur-size-all-mem-tables')) || 0);
      s.extra['rocksdb.estimateNumKeys'] = Number(this.db.getProperty('rocksdb.estimate-num-keys')) || 0;
    } catch (e) {
      throw rocksError(e, 'getProperty', this.o.dir);
    }
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } catch (e) {
      throw rocksError(e, 'close', this.o.dir);
    }
  }
}

/** The binding's open options for kvlab's `o.options` (see the descriptor's option docs). */
export function rocksOpenOptions(opts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const bits = opts.bloomBits as number;
  return {
    keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: true, walCompression: false,
    // The binding sets write_buffer_size = memtableMemoryBudget / 4 (only when `compaction` is given).
    compaction: opts.compaction === 'tiered' ? 'universal' : 'level',
    memtableMemoryBudget: (opts.memtableSize as number) * 4,
    filterPolicy: bits > 0 ? `bloomfilter:${bits}:false` : 'nullptr',
    cacheSize: opts.cacheSize as number, blockSize: opts.blockSize as number,
    compression: opts.compression === 'zstd',
  };
}

/** Registry entry for RocksDB via @nxtedition/rocksdb (durability none/group/always; fsSeam sync). */
export const rocksdbDescriptor: EngineDescriptor = {
  name: 'rocksdb',
  design: 'RocksDB via @nxtedition/rocksdb: LSM tree, synchronous writes and reads (reference)',
  role: 'reference',
  version: VERSION,
  fsSeam: 'sync',
  kind: 'async',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  /**
   * RocksDB's files: WALs, tables, temp files, manifests, options files, CURRENT, IDENTITY, LOCK.
   * No `LOG`/`LOG.old.*`: the binding installs a NullLogger (no info log is written), and leaving
   * them out keeps a marker-less LevelDB store (which always has `LOG`) from being adopted.
   */
  files: [/^\d{6,}\.(log|sst|dbtmp|blob)$/, /^MANIFEST-\d{6,}$/, /^OPTIONS-\d{6,}(\.dbtmp)?$/, /^(CURRENT|IDENTITY|LOCK)$/],
  bindingFloor: rocksdbFloor,
  conformanceVariants: ['rocksdb:memtableSize=65536'],
  options: {
    memtableSize: { type: 'int', default: 64 * 1024 * 1024, min: 64 * 1024, max: 2 ** 30, doc: 'write_buffer_size bytes (RocksDB default 64 MiB)' },
    bloomBits: { type: 'int', default: 10, min: 0, max: 64, doc: 'bloom filter bits per key (0 = no filter)' },
    cacheSize: { type: 'int', default: 8 * 1024 * 1024, min: 0, max: 2 ** 32 - 1, doc: 'block cache bytes (8 MiB as lsm and the binding; RocksDB itself: 32 MiB; 0 = none)' },
    compaction: { type: 'enum', default: 'leveled', values: ['leveled', 'tiered'], doc: 'leveled or tiered (= universal); leveled is the binding\'s profile: L0 trigger 2, zstd from L2' },
    compression: { type: 'enum', default: 'none', values: ['none', 'zstd'], doc: 'block compression (the binding offers zstd or none; leveled still zstd-compresses L2+)' },
    blockSize: { type: 'int', default: 4096, min: 512, max: 2 ** 24, doc: 'block_size bytes (RocksDB default 4 KiB)' },
  },
  openCore: async (o) => {
    const db = new RocksLevel(o.dir, rocksOpenOptions(o.options));
    try {
      await db.open();
    } catch (e) {
      throw rocksError(e, 'open', o.dir);
    }
    return new RocksCore(db, o, o.fs);
  },
};
