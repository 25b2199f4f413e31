/**
 * `lmdb`: LMDB (Howard Chu's memory-mapped copy-on-write B+tree) through the `lmdb` package's
 * synchronous API: getBinary, putSync, removeSync, transactionSync, getRange. Binary keys in
 * LMDB's default memcmp order (= unsigned byte order), binary values, no lmdb-js cache.
 *
 * Durability mapping (engines/reference/README.md argues each choice):
 * - `always`: LMDB's default synchronous commit (one fdatasync per putSync / transaction).
 * - `none`: `noSync: true` (commits are not flushed); sync()/close() fdatasync data.mdb, which
 *   holds every page and both meta pages, so after it returns all commits are durable.
 * - `group`: `noSync: true` plus the shared DurabilityPolicy calling the same fdatasync at most
 *   every groupCommitMs / groupCommitBytes.
 * Reads go through the memory map: they do not show in /proc/self/io rchar, and LMDB reports no
 * device byte counts (listed in stats().unknown).
 */
import * as path from 'node:path';
import { open as openLmdb } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { checkBatch, checkKey, checkLimit, checkValue, DirLock, DurabilityPolicy } from '../common.js';
import type { BatchOp, Capabilities, Engine, EngineDescriptor, EngineInfo, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { emptyStats } from '../engine.js';
import { closedError, ioError, KvError } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { packageVersion } from './version.js';

/** LMDB's key limit with the default build (MDB_MAXKEYSIZE 0 → 1978 bytes at 4 KiB pages). */
const LIMITS: Limits = { maxKeyBytes: 1978, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const DATA_FILE = 'data.mdb';
const KP_AFTER_COMMIT = declareKillPoint('lmdb.after-commit');

class LmdbEngine implements Engine {
  readonly info: EngineInfo & { kind: 'sync' };
  private db: RootDatabase<Buffer, Buffer> | undefined;
  private readonly policy: DurabilityPolicy;
  private readonly fs: Fs;
  private readonly dataFile: string;
  private fd: Fd;
  private readonly lock: DirLock;
  private userBytesWritten = 0;
  private userBytesRead = 0;

  constructor(o: ResolvedOpenOptions) {
    this.fs = o.fs;
    o.fs.mkdirp(o.dir);
    this.dataFile = path.join(o.dir, DATA_FILE);
    const always = o.durability === 'always';
    const pageSize = o.options.pageSize as number;
    if ((pageSize & (pageSize - 1)) !== 0) throw new KvError('INVALID_ARGUMENT', `lmdb option pageSize=${pageSize}: not a power of two`);
    this.lock = DirLock.acquire(o.fs, o.dir);
    try {
      this.db = openLmdb<Buffer, Buffer>({
        path: o.dir, keyEncoding: 'binary', encoding: 'binary', cache: false, noSync: !always, overlappingSync: false,
        pageSize,
      });
      this.fd = o.fs.open(this.dataFile, 'rw');
    } catch (e) {
      this.lock.release();
      throw ioError(e, 'lmdb open', o.dir);
    }
    // `always` is kept by LMDB's own synchronous commit; the policy only numbers writes then.
    this.policy = new DurabilityPolicy({ ...o, durability: always ? 'none' : o.durability }, () => this.fs.fdatasync(this.fd));
    this.info = {
      name: 'lmdb', label: o.label, design: 'LMDB: memory-mapped copy-on-write B+tree (lmdb-js, sync API)',
      version: `lmdb-js ${packageVersion('lmdb')}`, kind: 'sync', capabilities: CAPABILITIES, limits: LIMITS, durability: o.durability,
      settings: { ...o.options, noSync: !always, overlappingSync: false, cache: false, keyEncoding: 'binary', encoding: 'binary' },
    };
  }

  private live(): RootDatabase<Buffer, Buffer> {
    if (this.db === undefined) throw closedError();
    return this.db;
  }

  private acknowledged(bytes: number): void {
    killPoint(KP_AFTER_COMMIT);
    this.policy.afterWrite(bytes);
    if (this.info.durability === 'always') this.policy.markDurable();
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const db = this.live();
    checkKey(key, LIMITS);
    let v: Buffer | undefined;
    try {
      v = db.getBinary(Buffer.from(key.buffer, key.byteOffset, key.length));
    } catch (e) {
      throw ioError(e, 'lmdb get', this.dataFile);
    }
    if (v === undefined) return undefined;
    this.userBytesRead += key.length + v.length;
    return v;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const db = this.live();
    checkKey(key, LIMITS);
    checkValue(value, LIMITS);
    try {
      db.putSync(Buffer.from(key), Buffer.from(value));
    } catch (e) {
      throw ioError(e, 'lmdb put', this.dataFile);
    }
    this.userBytesWritten += key.length + value.length;
    this.acknowledged(key.length + value.length);
  }

  delete(key: Uint8Array): void {
    const db = this.live();
    checkKey(key, LIMITS);
    try {
      db.removeSync(Buffer.from(key));
    } catch (e) {
      throw ioError(e, 'lmdb remove', this.dataFile);
    }
    this.userBytesWritten += key.length;
    this.acknowledged(key.length);
  }

  write(batch: readonly BatchOp[]): void {
    const db = this.live();
    checkBatch(batch, LIMITS);
    let bytes = 0;
    try {
      db.transactionSync(() => {
        for (const op of batch) {
          if (op.type === 'put') {
            db.putSync(Buffer.from(op.key), Buffer.from(op.value));
            bytes += op.key.length + op.value.length;
          } else {
            db.removeSync(Buffer.from(op.key));
            bytes += op.key.length;
          }
        }
      });
    } catch (e) {
      throw ioError(e, 'lmdb transaction', this.dataFile);
    }
    this.userBytesWritten += bytes;
    this.acknowledged(bytes);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    const db = this.live();
    checkKey(start, LIMITS);
    checkLimit(limit);
    const out: Array<[Uint8Array, Uint8Array]> = [];
    if (limit === 0) return out;
    try {
      // lmdb-js returns every binary key and value in its own fresh buffer (no copy needed)
      for (const { key, value } of db.getRange({ start: Buffer.from(start), limit })) {
        const k = key as Buffer;
        const v = value;
        out.push([k, v]);
        this.userBytesRead += k.length + v.length;
      }
    } catch (e) {
      throw ioError(e, 'lmdb range', this.dataFile);
    }
    return out;
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
    const s = emptyStats(['deviceBytesWritten', 'deviceBytesRead', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes', 'liveBytes']);
    const st = db.getStats() as Record<string, number>;
    s.userBytesWritten = this.userBytesWritten;
    s.userBytesRead = this.userBytesRead;
    s.syncs = this.fs.counters.syncs;
    s.liveKeys = st.entryCount ?? 0;
    s.diskBytes = this.fs.size(this.fd);
    s.files = 2;
    for (const k of ['pageSize', 'treeDepth', 'treeBranchPageCount', 'treeLeafPageCount', 'overflowPages', 'lastPageNumber', 'mapSize'])
      if (typeof st[k] === 'number') s.extra[`lmdb.${k}`] = st[k];
    return s;
  }

  close(): void {
    if (this.db === undefined) return;
    try {
      this.policy.commit();
    } finally {
      this.policy.dispose();
      const db = this.db;
      this.db = undefined;
      this.fs.close(this.fd);
      // lmdb-js closes synchronously when no asynchronous write is pending (this engine issues none)
      const p = db.close() as unknown;
      if (p instanceof Promise) p.catch(() => undefined);
      this.lock.release();
    }
  }
}

/** Registry entry for LMDB. */
export const lmdbDescriptor: EngineDescriptor = {
  name: 'lmdb',
  design: 'LMDB via lmdb-js: memory-mapped copy-on-write B+tree (reference)',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: {
    pageSize: { type: 'int', default: 4096, min: 4096, max: 65536, doc: 'LMDB page size for a new store (power of two)' },
  },
  open: (o) => {
    try {
      return new LmdbEngine(o);
    } catch (e) {
      throw e instanceof KvError ? e : ioError(e, 'lmdb open', o.dir);
    }
  },
};
