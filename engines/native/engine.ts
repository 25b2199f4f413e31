/**
 * The `native` Engine: the TypeScript side of the Rust hash core. The core (native/) does the
 * Bitcask work (segments, keydir, merge, hints, recovery) with std::fs and mmap directly, in the
 * same on-disk format as engines/hashlog; this wrapper checks arguments, owns the durability
 * policy and sequence numbers (the shared {@link DurabilityPolicy}), holds the directory lock,
 * and converts native errors to KvError. It does NOT go through the Fs seam (see README.md).
 *
 * Beyond the Engine contract it offers batch entry points that cross into native once for many
 * operations: {@link NativeEngine.getMany} and {@link NativeEngine.putMany}.
 */
import { checkBatch, checkKey, checkValue, DirLock, DurabilityPolicy } from '../common.js';
import type { BatchOp, Capabilities, Engine, EngineInfo, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { emptyStats } from '../engine.js';
import { closedError, invalidArgument, notSupported } from '../errors.js';
import { HASHLOG_CAPABILITIES, HASHLOG_LIMITS, type HashlogSettings } from '../hashlog/engine.js';
import { fromNative, loadBinding, STATS_FIELDS, type Handle, type NativeBinding } from './binding.js';
import { KEY_HEADER_BYTES, Packer } from './packing.js';

/** The same file format as hashlog, so the same limits (key length is a u16 on disk) and capabilities. */
export const NATIVE_LIMITS: Limits = HASHLOG_LIMITS;
export const NATIVE_CAPABILITIES: Capabilities = HASHLOG_CAPABILITIES;
export const NATIVE_VERSION = '1.0.0';

/** Engine-specific settings: hashlog's names and meanings. */
export type NativeSettings = HashlogSettings;

/**
 * The batch entry points an engine may offer beyond the contract (native does). A driver that
 * finds them (see {@link hasBatchEntryPoints}) may send many gets or puts in one call; results
 * and durability are exactly those of the single calls.
 */
export interface BatchEntryPoints {
  getMany(keys: readonly Uint8Array[]): Array<Uint8Array | undefined>;
  putMany(keys: readonly Uint8Array[], values: readonly Uint8Array[]): void;
}

/** True when `e` offers {@link BatchEntryPoints}. */
export function hasBatchEntryPoints(e: unknown): e is BatchEntryPoints {
  const x = e as Partial<BatchEntryPoints> | null;
  return typeof x === 'object' && x !== null && typeof x.getMany === 'function' && typeof x.putMany === 'function';
}

/** Values up to this size come back through the scratch buffer; larger ones as a new Buffer. */
const SCRATCH_BYTES = 256 * 1024;

/** A native store open on one directory (exclusively, via DirLock). */
export class NativeEngine implements Engine, BatchEntryPoints {
  readonly info: EngineInfo & { kind: 'sync' };
  private readonly n: NativeBinding;
  private h: Handle | undefined;
  private readonly lock: DirLock;
  private readonly policy: DurabilityPolicy;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private readonly statsOut = new Float64Array(STATS_FIELDS.length);
  private readonly packer = new Packer();
  /** Set while one native sync already covers every write being acknowledged (putMany under `always`). */
  private covered = false;

  constructor(opts: ResolvedOpenOptions, settings: NativeSettings) {
    this.n = loadBinding();
    this.info = {
      name: 'native', label: opts.label, design: 'append-only log segments + compact native hash keydir (Bitcask, Rust via N-API)',
      version: NATIVE_VERSION, kind: 'sync', capabilities: NATIVE_CAPABILITIES, limits: NATIVE_LIMITS, durability: opts.durability,
      settings: { ...settings, groupCommitMs: opts.groupCommitMs ?? 2, groupCommitBytes: opts.groupCommitBytes ?? 1 << 20 },
    };
    opts.fs.mkdirp(opts.dir);
    this.lock = DirLock.acquire(opts.fs, opts.dir);
    try {
      this.h = this.n.open(
        opts.dir, settings.segmentBytes, settings.writeBufferBytes, settings.mergeRatio, settings.mergeMinBytes,
        settings.autoMerge ? 1 : 0, settings.verifyReads ? 1 : 0, opts.durability === 'none' ? 1 : 0,
      );
      this.n.setScratch(this.h, this.scratch);
      this.policy = new DurabilityPolicy(opts, () => this.syncNow(), this.n.maxSeq(this.h));
    } catch (e) {
      if (this.h !== undefined) this.n.close(this.h);
      this.lock.release();
      throw fromNative(e);
    }
  }

  private handle(): Handle {
    if (this.h === undefined) throw closedError();
    return this.h;
  }

  private syncNow(): void {
    if (this.covered) return;
    try {
      this.n.sync(this.handle());
    } catch (e) {
      throw fromNative(e);
    }
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const h = this.handle();
    checkKey(key, NATIVE_LIMITS);
    let r: number | Buffer;
    try {
      r = this.n.get(h, key);
    } catch (e) {
      throw fromNative(e);
    }
    if (typeof r !== 'number') return r;
    if (r < 0) return undefined;
    const v = Buffer.allocUnsafe(r);
    this.scratch.copy(v, 0, 0, r);
    return v;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const h = this.handle();
    checkKey(key, NATIVE_LIMITS);
    checkValue(value, NATIVE_LIMITS);
    try {
      this.n.put(h, key, value, this.policy.lastSequence() + 1);
    } catch (e) {
      throw fromNative(e);
    }
    this.policy.afterWrite(20 + key.length + value.length);
  }

  delete(key: Uint8Array): void {
    const h = this.handle();
    checkKey(key, NATIVE_LIMITS);
    try {
      this.n.del(h, key, this.policy.lastSequence() + 1);
    } catch (e) {
      throw fromNative(e);
    }
    this.policy.afterWrite(20 + key.length);
  }

  write(batch: readonly BatchOp[]): void {
    const h = this.handle();
    checkBatch(batch, NATIVE_LIMITS);
    const packed = this.packer.ops(batch);
    try {
      this.n.write(h, packed, this.policy.lastSequence() + 1);
    } catch (e) {
      throw fromNative(e);
    }
    this.policy.afterWrite(packed.length + 12 * batch.length);
  }

  /**
   * Many gets in few native calls (keys packed into one buffer, values returned packed in the
   * scratch buffer). Same result as `keys.map(k => get(k))`.
   */
  getMany(keys: readonly Uint8Array[]): Array<Uint8Array | undefined> {
    const h = this.handle();
    if (!Array.isArray(keys)) throw invalidArgument('keys must be an array');
    for (const k of keys) checkKey(k, NATIVE_LIMITS);
    const packed = this.packer.keys(keys);
    const out: Array<Uint8Array | undefined> = [];
    const s = this.scratch;
    let from = 0;
    while (out.length < keys.length) {
      let count: number;
      try {
        count = this.n.getMany(h, packed, from);
      } catch (e) {
        throw fromNative(e);
      }
      if (count === 0) {
        // The next value does not fit the scratch buffer: fetch it alone.
        const k = keys[out.length]!;
        out.push(this.get(k));
        from += KEY_HEADER_BYTES + k.length;
        continue;
      }
      from += s.readUInt32LE(4);
      let at = 8;
      for (let i = 0; i < count; i++) {
        const len = s.readInt32LE(at);
        at += 4;
        if (len < 0) out.push(undefined);
        else {
          const v = Buffer.allocUnsafe(len);
          s.copy(v, 0, at, at + len);
          out.push(v);
          at += len;
        }
      }
    }
    return out;
  }

  /**
   * Many independent puts in one native call: each is its own acknowledged write (its own
   * sequence number, durable per the mode; under `always` one sync covers them all). Not atomic:
   * use write() for that. Same result as `keys.forEach((k, i) => put(k, values[i]))`.
   */
  putMany(keys: readonly Uint8Array[], values: readonly Uint8Array[]): void {
    const h = this.handle();
    if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length)
      throw invalidArgument('putMany takes two arrays of the same length');
    for (let i = 0; i < keys.length; i++) {
      checkKey(keys[i], NATIVE_LIMITS);
      checkValue(values[i], NATIVE_LIMITS);
    }
    const packed = this.packer.puts(keys, values);
    try {
      this.n.putMany(h, packed, this.policy.lastSequence() + 1);
      if (this.policy.mode === 'always' && keys.length > 0) this.n.sync(h);
    } catch (e) {
      throw fromNative(e);
    }
    this.covered = this.policy.mode === 'always';
    try {
      for (let i = 0; i < keys.length; i++) this.policy.afterWrite(20 + keys[i]!.length + values[i]!.length);
    } finally {
      this.covered = false;
    }
  }

  scan(): Array<[Uint8Array, Uint8Array]> {
    this.handle();
    throw notSupported('native has no ordered scan (hash index)');
  }

  sync(): void {
    this.handle();
    this.policy.commit();
  }

  lastSequence(): number {
    return this.policy.lastSequence();
  }

  durableSequence(): number {
    return this.policy.durableSequence();
  }

  /** Rolls the active segment if it holds records, then merges every immutable segment. Not part of the contract. */
  merge(): void {
    const h = this.handle();
    try {
      this.n.merge(h);
    } catch (e) {
      throw fromNative(e);
    }
  }

  stats(): EngineStats {
    const h = this.handle();
    const v = this.statsOut;
    try {
      this.n.stats(h, new Uint8Array(v.buffer));
    } catch (e) {
      throw fromNative(e);
    }
    const f = Object.fromEntries(STATS_FIELDS.map((name, i) => [name, v[i]!])) as Record<(typeof STATS_FIELDS)[number], number>;
    const s = emptyStats(['cacheHits', 'cacheMisses']);
    s.userBytesWritten = f.userBytesWritten;
    s.userBytesRead = f.userBytesRead;
    s.deviceBytesWritten = f.deviceBytesWritten;
    s.deviceBytesRead = f.deviceBytesRead;
    s.syncs = f.syncs;
    s.liveBytes = f.liveBytes;
    s.liveKeys = f.liveKeys;
    s.diskBytes = f.diskBytes;
    s.files = f.files;
    s.flushes = f.flushes;
    s.compactions = f.compactions;
    s.compactionBytesRead = f.compactionBytesRead;
    s.compactionBytesWritten = f.compactionBytesWritten;
    s.indexMemoryBytes = f.indexMemoryBytes;
    s.extra = {
      segments: f.segments,
      deadBytes: f.deadBytes,
      hintsLoadedAtOpen: f.hintsLoadedAtOpen,
      segmentsScannedAtOpen: f.segmentsScannedAtOpen,
      tornBytesTruncatedAtOpen: f.tornBytesTruncatedAtOpen,
    };
    return s;
  }

  close(): void {
    const h = this.h;
    if (h === undefined) return;
    this.h = undefined;
    this.policy.dispose();
    try {
      this.n.close(h);
      this.policy.markDurable();
    } catch (e) {
      throw fromNative(e);
    } finally {
      this.lock.release();
    }
  }
}
