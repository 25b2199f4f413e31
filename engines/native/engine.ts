/**
 * The `native` core: the TypeScript side of the Rust hash core, under the engine shell
 * (engines/shell.ts owns checks, sequence numbers, durability and the lock). The Rust side
 * (native/) does the Bitcask work (segments, keydir, merge, hints, recovery) with std::fs and
 * mmap directly, in the same on-disk format as engines/hashlog; every append is written to the
 * file before the call returns unless `bufferWrites`. This wrapper converts native errors to
 * KvError. It does NOT go through the Fs seam (see README.md), so its device counters are the
 * core's own. getMany/putMany cross into native once for many operations.
 */
import type { Capabilities, EngineStats, Limits, ResolvedOpenOptions, BatchOp } from '../engine.js';
import { HASHLOG_CAPABILITIES, HASHLOG_LIMITS, type HashlogSettings } from '../hashlog/engine.js';
import type { SyncCore } from '../shell.js';
import { fromNative, loadBinding, STATS_FIELDS, type Handle, type NativeBinding } from './binding.js';
import { KEY_HEADER_BYTES, Packer } from './packing.js';

/** The same file format as hashlog, so the same limits (key length is a u16 on disk) and capabilities. */
export const NATIVE_LIMITS: Limits = HASHLOG_LIMITS;
export const NATIVE_CAPABILITIES: Capabilities = HASHLOG_CAPABILITIES;
export const NATIVE_VERSION = '1.0.0';

/** Engine-specific settings: hashlog's names and meanings. */
export type NativeSettings = HashlogSettings;

/** Values up to this size come back through the scratch buffer; larger ones as a new Buffer. */
const SCRATCH_BYTES = 256 * 1024;

/** A native store open on one directory (the shell holds its lock). */
export class NativeCore implements SyncCore {
  readonly recoveredSequence: number;
  readonly unknownStats = ['cacheHits', 'cacheMisses'];
  private readonly n: NativeBinding;
  private readonly h: Handle;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private readonly statsOut = new Float64Array(STATS_FIELDS.length);
  private readonly packer = new Packer();

  constructor(opts: ResolvedOpenOptions, settings: NativeSettings) {
    this.n = loadBinding();
    let h: Handle | undefined;
    try {
      h = this.n.open(
        opts.dir, settings.segmentBytes, settings.writeBufferBytes, settings.mergeRatio, settings.mergeMinBytes,
        settings.autoMerge ? 1 : 0, settings.verifyReads ? 1 : 0, settings.bufferWrites ? 1 : 0,
      );
      this.n.setScratch(h, this.scratch);
      this.recoveredSequence = this.n.maxSeq(h);
    } catch (e) {
      if (h !== undefined) this.n.close(h);
      throw fromNative(e);
    }
    this.h = h;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    let r: number | Buffer;
    try {
      r = this.n.get(this.h, key);
    } catch (e) {
      throw fromNative(e);
    }
    if (typeof r !== 'number') return r;
    if (r < 0) return undefined;
    const v = Buffer.allocUnsafe(r);
    this.scratch.copy(v, 0, 0, r);
    return v;
  }

  put(key: Uint8Array, value: Uint8Array, seq: number): void {
    try {
      this.n.put(this.h, key, value, seq);
    } catch (e) {
      throw fromNative(e);
    }
  }

  del(key: Uint8Array, seq: number): void {
    try {
      this.n.del(this.h, key, seq);
    } catch (e) {
      throw fromNative(e);
    }
  }

  write(batch: readonly BatchOp[], seq: number): void {
    const packed = this.packer.ops(batch);
    try {
      this.n.write(this.h, packed, seq);
    } catch (e) {
      throw fromNative(e);
    }
  }

  sync(): void {
    try {
      this.n.sync(this.h);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /**
   * Many gets in few native calls (keys packed into one buffer, values returned packed in the
   * scratch buffer). Same result as `keys.map(k => get(k))`.
   */
  getMany(keys: readonly Uint8Array[]): Array<Uint8Array | undefined> {
    const h = this.h;
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

  /** Many independent puts in one native call, with sequences firstSeq, firstSeq+1, ... */
  putMany(keys: readonly Uint8Array[], values: readonly Uint8Array[], firstSeq: number): void {
    const packed = this.packer.puts(keys, values);
    try {
      this.n.putMany(this.h, packed, firstSeq);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** compact(): rolls the active segment if it holds records, then merges every immutable segment. */
  compact(): void {
    try {
      this.n.merge(this.h);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** The core's own counters (it does its own I/O, so the Fs deltas the shell filled are replaced). */
  fillStats(s: EngineStats): void {
    const v = this.statsOut;
    try {
      this.n.stats(this.h, new Uint8Array(v.buffer));
    } catch (e) {
      throw fromNative(e);
    }
    const f = Object.fromEntries(STATS_FIELDS.map((name, i) => [name, v[i]!])) as Record<(typeof STATS_FIELDS)[number], number>;
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
  }

  /** Releases the store (the Rust side flushes and syncs what it holds; the shell has synced first when healthy). */
  close(): void {
    try {
      this.n.close(this.h);
    } catch (e) {
      throw fromNative(e);
    }
  }
}
