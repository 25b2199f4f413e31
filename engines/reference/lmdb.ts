/**
 * `lmdb`: LMDB (Howard Chu's memory-mapped copy-on-write B+tree) through the `lmdb` package's
 * synchronous API: getBinary, putSync, removeSync, transactionSync, getRange. Binary keys in
 * LMDB's default memcmp order (= unsigned byte order), binary values, no lmdb-js cache.
 *
 * Durability mapping (engines/reference/README.md argues each choice):
 * - `always`: LMDB's default synchronous commit (one fdatasync per putSync / transaction).
 * - `none`: `noSync: true` (commits are not flushed); sync()/close() fdatasync data.mdb, which
 *   holds every page and both meta pages, so after it returns all commits are durable.
 * - `group`: `noSync: true` plus the shell calling the same fdatasync once the window passes.
 * Every mode commits each call's LMDB write transaction before returning (into the map, so in
 * the OS under noSync): a SIGKILL loses nothing acknowledged. No `bufferWrites`: lmdb-js's
 * synchronous API cannot keep one write transaction open across calls.
 * Reads go through the memory map: they do not show in /proc/self/io rchar, and LMDB reports no
 * device byte counts (listed in stats().unknown).
 */
import * as path from 'node:path';
import { open as openLmdb } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { ioError, KvError } from '../errors.js';
import type { Settings, SyncCore } from '../shell.js';
import type { Fd, Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { packageVersion } from './version.js';

/** LMDB's key limit with the default build (MDB_MAXKEYSIZE 0 → 1978 bytes at 4 KiB pages). */
const LIMITS: Limits = { maxKeyBytes: 1978, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const DATA_FILE = 'data.mdb';
const KP_AFTER_COMMIT = declareKillPoint('lmdb.after-commit');

/** The LMDB core (the engine shell owns checks, sequence numbers, durability and the lock). */
class LmdbCore implements SyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes', 'liveBytes'];
  readonly version = `lmdb-js ${packageVersion('lmdb')}`;
  readonly settings: Settings;
  /** `always`: LMDB's own synchronous commit makes each write durable before it returns. */
  readonly durableWrites: boolean;
  private readonly db: RootDatabase<Buffer, Buffer>;
  private readonly fs: Fs;
  private readonly dataFile: string;
  private readonly fd: Fd;

  constructor(o: ResolvedOpenOptions) {
    this.fs = o.fs;
    this.dataFile = path.join(o.dir, DATA_FILE);
    const always = o.durability === 'always';
    const pageSize = o.options.pageSize as number;
    if ((pageSize & (pageSize - 1)) !== 0) throw new KvError('INVALID_ARGUMENT', `lmdb option pageSize=${pageSize}: not a power of two`);
    try {
      this.db = openLmdb<Buffer, Buffer>({
        path: o.dir, keyEncoding: 'binary', encoding: 'binary', cache: false, noSync: !always, overlappingSync: false,
        pageSize,
      });
      this.fd = o.fs.open(this.dataFile, 'rw');
    } catch (e) {
      throw ioError(e, 'lmdb open', o.dir);
    }
    this.durableWrites = always;
    this.settings = { noSync: !always, overlappingSync: false, cache: false, keyEncoding: 'binary', encoding: 'binary' };
  }

  get(key: Uint8Array): Uint8Array | undefined {
    try {
      return this.db.getBinary(Buffer.from(key.buffer, key.byteOffset, key.length));
    } catch (e) {
      throw ioError(e, 'lmdb get', this.dataFile);
    }
  }

  /** One LMDB write transaction per call (committed to the map before it returns: in the OS under noSync). */
  put(key: Uint8Array, value: Uint8Array): void {
    try {
      this.db.putSync(Buffer.from(key), Buffer.from(value));
    } catch (e) {
      throw ioError(e, 'lmdb put', this.dataFile);
    }
    killPoint(KP_AFTER_COMMIT);
  }

  del(key: Uint8Array): void {
    try {
      this.db.removeSync(Buffer.from(key));
    } catch (e) {
      throw ioError(e, 'lmdb remove', this.dataFile);
    }
    killPoint(KP_AFTER_COMMIT);
  }

  write(batch: readonly BatchOp[]): void {
    const db = this.db;
    try {
      db.transactionSync(() => {
        for (const op of batch) {
          if (op.type === 'put') db.putSync(Buffer.from(op.key), Buffer.from(op.value));
          else db.removeSync(Buffer.from(op.key));
        }
      });
    } catch (e) {
      throw ioError(e, 'lmdb transaction', this.dataFile);
    }
    killPoint(KP_AFTER_COMMIT);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    try {
      // lmdb-js returns every binary key and value in its own fresh buffer (no copy needed)
      for (const { key, value } of this.db.getRange({ start: Buffer.from(start), limit })) out.push([key as Buffer, value]);
    } catch (e) {
      throw ioError(e, 'lmdb range', this.dataFile);
    }
    return out;
  }

  /** fdatasync of data.mdb through the Fs: it holds every page and both meta pages. */
  sync(): void {
    this.fs.fdatasync(this.fd);
  }

  fillStats(s: EngineStats): void {
    const st = this.db.getStats() as Record<string, number>;
    s.liveKeys = st.entryCount ?? 0;
    s.diskBytes = this.fs.size(this.fd);
    s.files = 2;
    for (const k of ['pageSize', 'treeDepth', 'treeBranchPageCount', 'treeLeafPageCount', 'overflowPages', 'lastPageNumber', 'mapSize'])
      if (typeof st[k] === 'number') s.extra[`lmdb.${k}`] = st[k];
  }

  close(): void {
    this.fs.close(this.fd);
    // lmdb-js closes synchronously when no asynchronous write is pending (this core issues none)
    const p = this.db.close() as unknown;
    if (p instanceof Promise) p.catch(() => undefined);
  }
}

/** Registry entry for LMDB. */
export const lmdbDescriptor: EngineDescriptor = {
  name: 'lmdb',
  design: 'LMDB via lmdb-js: memory-mapped copy-on-write B+tree (reference)',
  role: 'reference',
  version: `lmdb-js ${packageVersion('lmdb')}`,
  fsSeam: 'sync',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  /** LMDB's data and lock files (noSubdir layout in the engine directory). */
  files: [/^(data|lock)\.mdb$/],
  options: {
    pageSize: { type: 'int', default: 4096, min: 4096, max: 65536, doc: 'LMDB page size for a new store (power of two)' },
  },
  openCore: (o) => {
    try {
      return new LmdbCore(o);
    } catch (e) {
      throw e instanceof KvError ? e : ioError(e, 'lmdb open', o.dir);
    }
  },
};
