/**
 * The hashlog core: Bitcask's design under the engine shell (engines/shell.ts owns checks,
 * sequence numbers, durability and the lock). Every mutation appends a record to the active
 * segment through a write buffer that is written to the file before the call returns (unless
 * `bufferWrites`), then points the keydir at it; a get is one keydir probe and one pread.
 * See README.md in this folder for a walk through a get and a put, FORMAT.md for the bytes.
 */
import * as path from 'node:path';
import type { BatchOp, Capabilities, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { corruption } from '../errors.js';
import type { SyncCore } from '../shell.js';
import type { Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import {
  fileName, FLAG_BATCH, FLAG_COMMIT, FLAG_TOMBSTONE, HINT_SUFFIX, KIND_LOG, MAX_KEY_BYTES, MAX_VALUE_BYTES, RECORD_HEADER_BYTES, recordCrcOk,
  SEGMENT_HEADER_BYTES,
} from './format.js';
import { applyRecord, hashKey, Keydir } from './keydir.js';
import { merge } from './merge.js';
import { recover } from './recovery.js';
import { createSegment, LogWriter, Segment } from './segment.js';
import { StateFile } from './state.js';

/** hashlog size limits: key length is a u16 on disk; values are capped at 64 MiB. */
export const HASHLOG_LIMITS: Limits = { maxKeyBytes: MAX_KEY_BYTES, maxValueBytes: MAX_VALUE_BYTES };
/** No ordered scan (hash index); atomic batches; persistent; all three durability modes. */
export const HASHLOG_CAPABILITIES: Capabilities = {
  orderedScan: false,
  atomicBatch: true,
  persistent: true,
  durability: ['none', 'group', 'always'],
};
/** Engine version (the on-disk format version is FORMAT_VERSION in format.ts). */
export const HASHLOG_VERSION = '1.0.0';

/** Engine-specific settings (validated by the registry against the descriptor's OptionSpecs). */
export interface HashlogSettings {
  segmentBytes: number;
  mergeRatio: number;
  mergeMinBytes: number;
  autoMerge: boolean;
  writeBufferBytes: number;
  verifyReads: boolean;
  /** Keep appends in the user-space buffer until it fills or sync() (process-crash-unsafe). */
  bufferWrites: boolean;
}

const KP_AFTER_APPEND = declareKillPoint('hashlog.append.before-keydir');
const KP_BATCH_MID = declareKillPoint('hashlog.batch.mid');
/** With a kill point armed, a batch is flushed half-way so a crash there leaves half a batch on disk. */
const KILL_ARMED = process.env.KVLAB_KILL_POINT !== undefined;

const recordBytes = (k: number, v: number): number => RECORD_HEADER_BYTES + k + v;
const EMPTY = new Uint8Array(0);

/** A hashlog store open on one directory (the shell holds its lock). */
export class HashlogCore implements SyncCore {
  readonly recoveredSequence: number;
  readonly unknownStats = ['cacheHits', 'cacheMisses'];
  private readonly fs: Fs;
  private readonly dir: string;
  private readonly kd: Keydir;
  private segments: Segment[];
  private readonly segs = new Map<number, Segment>();
  private writer: LogWriter;
  /** Records the active segment's durable length after each sync (state.ts). */
  private readonly state: StateFile;
  private readonly buffered: boolean;
  private readonly verifyReads: boolean;
  /** Sequence number of the newest record appended (stored in every record). */
  private lastSeq: number;
  private readonly totals: { liveBytes: number };
  private readonly hintBytes = new Map<number, number>();
  private merges = 0;
  private autoMerges = 0;
  private mergeBytesRead = 0;
  private mergeBytesWritten = 0;
  private flushesBefore = 0;
  private readonly recovery: { hintsLoaded: number; segmentsScanned: number; tornBytes: number };

  constructor(opts: ResolvedOpenOptions, private readonly cfg: HashlogSettings) {
    this.fs = opts.fs;
    this.dir = opts.dir;
    let opened: Segment[] = [];
    try {
      const r = recover(this.fs, opts.dir);
      opened = r.segments;
      this.kd = r.keydir;
      this.segments = r.segments;
      this.totals = { liveBytes: r.liveBytes };
      this.recovery = { hintsLoaded: r.hintsLoaded, segmentsScanned: r.segmentsScanned, tornBytes: r.tornBytes };
      for (const s of this.segments) {
        this.segs.set(s.id, s);
        const hint = path.join(opts.dir, fileName(s.id, HINT_SUFFIX));
        if (this.fs.exists(hint)) this.hintBytes.set(s.id, this.fs.fileSize(hint));
      }
      const last = this.segments[this.segments.length - 1];
      let active = last;
      if (last === undefined || last.kind !== KIND_LOG || last.size >= cfg.segmentBytes) {
        // A full log segment may hold bytes an earlier process never synced: make them durable
        // before the new header records its length.
        const prevLength = last?.kind === KIND_LOG ? last.size : 0;
        if (prevLength > 0) this.fs.fdatasync(last!.fd);
        active = createSegment(this.fs, opts.dir, (last?.id ?? 0) + 1, KIND_LOG, (last?.id ?? 0) + 1, 0, prevLength);
        this.addSegment(active);
        opened = this.segments;
      }
      this.writer = new LogWriter(this.fs, active!, cfg.writeBufferBytes);
      this.recoveredSequence = this.lastSeq = r.maxSeq;
      // A segment created here is durable (header, directory entry). An existing one is durable up
      // to what the state recorded (or its header, synced at creation); bytes an earlier process
      // handed to the OS beyond that may not be, so the first sync() fdatasyncs before recording.
      const known = r.state?.activeId === active!.id ? r.state.durableLength : SEGMENT_HEADER_BYTES;
      this.writer.dirty = active === last;
      this.state = StateFile.open(this.fs, opts.dir, r.state, active!.id, known);
    } catch (e) {
      for (const s of opened) this.fs.close(s.fd);
      throw e;
    }
    this.buffered = cfg.bufferWrites;
    this.verifyReads = cfg.verifyReads;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const kd = this.kd;
    const e = kd.find(key, hashKey(key));
    if (e < 0) return undefined;
    const segId = kd.segOf(e);
    const off = kd.offOf(e);
    const kl = kd.keyLenOf(e);
    const vl = kd.valueLenOf(e);
    if (!this.verifyReads) {
      const v = Buffer.allocUnsafe(vl);
      this.readAt(segId, off + RECORD_HEADER_BYTES + kl, v, vl);
      return v;
    }
    const n = RECORD_HEADER_BYTES + kl + vl;
    const rec = Buffer.allocUnsafe(n);
    this.readAt(segId, off, rec, n);
    if (rec.readUInt16LE(6) !== kl || rec.readUInt32LE(8) !== vl || !recordCrcOk(rec, 0, n))
      throw corruption('record failed its checksum on read', this.segs.get(segId)!.file, off);
    return rec.subarray(RECORD_HEADER_BYTES + kl);
  }

  /** Fills dst[0, len) from segment `segId` at `pos`: from the write buffer or by pread. */
  private readAt(segId: number, pos: number, dst: Buffer, len: number): void {
    const w = this.writer;
    if (segId === w.seg.id && w.readInto(pos, dst, len)) return;
    const seg = this.segs.get(segId)!;
    const n = this.fs.read(seg.fd, dst, 0, len, pos);
    if (n !== len) this.readRest(seg, pos, dst, len, n);
  }

  /** Completes a short read; CORRUPTION if the file ends first. */
  private readRest(seg: Segment, pos: number, dst: Buffer, len: number, got: number): void {
    while (got < len) {
      const n = this.fs.read(seg.fd, dst, got, len - got, pos + got);
      if (n === 0) throw corruption('record extends past the end of its segment', seg.file, pos);
      got += n;
    }
  }

  put(key: Uint8Array, value: Uint8Array, seq: number): void {
    this.appendOne(key, value, 0, seq);
  }

  del(key: Uint8Array, seq: number): void {
    this.appendOne(key, EMPTY, FLAG_TOMBSTONE, seq);
  }

  private appendOne(key: Uint8Array, value: Uint8Array, flags: number, seq: number): void {
    const len = recordBytes(key.length, value.length);
    this.maybeRoll(len);
    const w = this.writer;
    const off = w.append(flags, key, value, seq);
    this.lastSeq = seq;
    if (!this.buffered) w.flush();
    killPoint(KP_AFTER_APPEND);
    applyRecord(this.kd, this.segs, this.totals, recordBytes, w.seg.id, key, hashKey(key), flags !== 0, off, value.length);
  }

  write(batch: readonly BatchOp[], seq: number): void {
    const n = batch.length;
    if (n === 1) {
      const op = batch[0]!;
      this.appendOne(op.key, op.type === 'put' ? op.value : EMPTY, op.type === 'put' ? 0 : FLAG_TOMBSTONE, seq);
      return;
    }
    let total = 0;
    for (const op of batch) total += recordBytes(op.key.length, op.type === 'put' ? op.value.length : 0);
    if (n > 0) this.maybeRoll(total); // a batch never spans two segments
    const w = this.writer;
    this.lastSeq = seq;
    const offs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const op = batch[i]!;
      const flags = FLAG_BATCH | (op.type === 'del' ? FLAG_TOMBSTONE : 0) | (i === n - 1 ? FLAG_COMMIT : 0);
      offs[i] = w.append(flags, op.key, op.type === 'put' ? op.value : EMPTY, seq);
      if (KILL_ARMED && i === (n >> 1) - 1) {
        w.flush();
        killPoint(KP_BATCH_MID);
      }
    }
    if (!this.buffered) w.flush();
    killPoint(KP_AFTER_APPEND);
    for (let i = 0; i < n; i++) {
      const op = batch[i]!;
      const vl = op.type === 'put' ? op.value.length : 0;
      applyRecord(this.kd, this.segs, this.totals, recordBytes, w.seg.id, op.key, hashKey(op.key), op.type === 'del', offs[i]!, vl);
    }
  }

  /**
   * fdatasync of the active segment (immutable segments were synced when they rolled), then the
   * state file records its length as durable.
   */
  sync(): void {
    const w = this.writer;
    w.sync();
    this.state.record(w.seg.id, w.seg.size);
  }

  /**
   * compact(): rolls the active segment if it holds records, then merges every immutable
   * segment (whatever its dead-bytes ratio).
   */
  compact(): void {
    if (this.writer.seg.size > SEGMENT_HEADER_BYTES) this.roll();
    this.runMerge();
  }

  private maybeRoll(len: number): void {
    const size = this.writer.seg.size;
    if (size > SEGMENT_HEADER_BYTES && size + len > this.cfg.segmentBytes) {
      this.roll();
      this.maybeMerge();
    }
  }

  /** Makes the active segment immutable (flushed and synced) and starts a new one. */
  private roll(): void {
    const old = this.writer;
    this.sync();
    this.flushesBefore += old.flushes;
    const id = old.seg.id + 1;
    const seg = createSegment(this.fs, this.dir, id, KIND_LOG, id, 0, old.seg.size);
    this.addSegment(seg);
    this.writer = new LogWriter(this.fs, seg, this.cfg.writeBufferBytes);
    this.state.record(id, SEGMENT_HEADER_BYTES);
  }

  private addSegment(s: Segment): void {
    this.segments.push(s);
    this.segs.set(s.id, s);
  }

  private maybeMerge(): void {
    if (!this.cfg.autoMerge || this.segments.length < 2) return;
    let bytes = 0;
    let dead = 0;
    for (let i = 0; i < this.segments.length - 1; i++) {
      const s = this.segments[i]!;
      bytes += s.size - SEGMENT_HEADER_BYTES;
      dead += s.deadBytes();
    }
    if (bytes > 0 && bytes >= this.cfg.mergeMinBytes && dead >= this.cfg.mergeRatio * bytes) {
      this.autoMerges++;
      this.runMerge();
    }
  }

  private runMerge(): void {
    const inputs = this.segments.slice(0, -1);
    if (inputs.length === 0) return;
    const r = merge(this.fs, this.dir, this.kd, inputs, this.lastSeq, () => this.sync());
    for (const s of inputs) {
      this.segs.delete(s.id);
      this.hintBytes.delete(s.id);
    }
    this.segs.set(r.output.id, r.output);
    this.hintBytes.set(r.output.id, r.hintBytes);
    this.segments = [r.output, this.writer.seg];
    this.merges++;
    this.mergeBytesRead += r.bytesRead;
    this.mergeBytesWritten += r.bytesWritten + r.hintBytes;
  }

  fillStats(s: EngineStats): void {
    s.liveBytes = this.totals.liveBytes;
    s.liveKeys = this.kd.size;
    let disk = 0;
    let dead = 0;
    for (const seg of this.segments) {
      disk += seg.size;
      dead += seg.deadBytes();
    }
    let hints = 0;
    for (const h of this.hintBytes.values()) hints += h;
    s.diskBytes = disk + hints;
    s.files = this.segments.length + this.hintBytes.size;
    s.flushes = this.flushesBefore + this.writer.flushes;
    s.compactions = this.merges;
    s.compactionBytesRead = this.mergeBytesRead;
    s.compactionBytesWritten = this.mergeBytesWritten;
    s.indexMemoryBytes = this.kd.memoryBytes();
    s.extra = {
      segments: this.segments.length,
      mergesByDeadRatio: this.autoMerges,
      deadBytes: dead,
      keydirBytesPerKeyBeyondKeys: this.kd.size === 0 ? 0 : (this.kd.memoryBytes() - this.kd.keyBytes()) / this.kd.size,
      hintsLoadedAtOpen: this.recovery.hintsLoaded,
      segmentsScannedAtOpen: this.recovery.segmentsScanned,
      tornBytesTruncatedAtOpen: this.recovery.tornBytes,
    };
  }

  /** Closes the segment files. Unsynced (or buffered) bytes are not written: the shell syncs first when healthy. */
  close(): void {
    try {
      this.state.close();
    } finally {
      for (const s of this.segments) this.fs.close(s.fd);
    }
  }
}
