/**
 * Segment files: the append-only logs that hold every record. A segment is immutable once the
 * writer has rolled to a newer one; the newest is the active segment, appended to through a
 * {@link LogWriter}. Reads are positioned reads (pread) on the segment's descriptor.
 */
import * as path from 'node:path';
import type { Fd, Fs } from '../fs.js';
import {
  encodeSegmentHeader, fileName, DATA_SUFFIX, RECORD_HEADER_BYTES, recordCrc, SEGMENT_HEADER_BYTES,
  sealRecord, writeRecordHeader,
} from './format.js';

/** One open segment file and its space accounting. */
export class Segment {
  /** Bytes of records the keydir points at (live data). Dead bytes = size - header - live. */
  live = 0;
  constructor(
    readonly id: number,
    readonly file: string,
    readonly fd: Fd,
    readonly kind: number,
    /** Logical length: bytes on disk plus bytes still in the writer's buffer. */
    public size: number,
    /** Merged segments: lowest id this one replaces (header minId). Log segments: = id. */
    readonly minId: number = id,
    /** Header prevLength: the final length of log segment id - 1 when this one was created (0: none). */
    readonly prevLength: number = 0,
  ) {}

  /** Bytes of records no longer referenced (overwritten, deleted, tombstones, dropped batches). */
  deadBytes(): number {
    return this.size - SEGMENT_HEADER_BYTES - this.live;
  }
}

/**
 * Creates a new segment file with its header, durable (file data and directory entry).
 * `prevLength`: the final, durable length of log segment id - 1 (0 when there is none).
 */
export function createSegment(fs: Fs, dir: string, id: number, kind: number, minId: number, seqFloor: number, prevLength: number, suffix = DATA_SUFFIX): Segment {
  const file = path.join(dir, fileName(id, suffix));
  const fd = fs.open(file, 'exclusive');
  const h = encodeSegmentHeader({ kind, id, minId, seqFloor, prevLength });
  fs.write(fd, h, 0, h.length, 0);
  fs.fdatasync(fd);
  fs.syncDir(dir);
  return new Segment(id, file, fd, kind, SEGMENT_HEADER_BYTES, minId, prevLength);
}

/**
 * Appends records to one segment through a write buffer. Bytes sit in the buffer until
 * {@link flush} (called by the engine per call under `group`/`always`, when the buffer fills
 * under `none`, and before any sync); {@link readInto} serves reads of not-yet-flushed bytes.
 * Records larger than half the buffer are written directly (header+key, then value).
 */
export class LogWriter {
  private readonly buf: Buffer;
  private bufLen = 0;
  /** File offset of buf[0] (= bytes of the segment already handed to the OS). */
  private flushed: number;
  /** Buffer flushes (write calls) issued. */
  flushes = 0;
  /** True when bytes were handed to the OS since the last fdatasync. */
  dirty = false;

  constructor(private readonly fs: Fs, readonly seg: Segment, bufferBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(bufferBytes, 4096));
    this.flushed = seg.size;
  }

  /** Appends one record; returns its file offset. Does not flush (see class doc). */
  append(flags: number, key: Uint8Array, value: Uint8Array, seq: number): number {
    const klen = key.length;
    const vlen = value.length;
    const len = RECORD_HEADER_BYTES + klen + vlen;
    const pos = this.seg.size;
    if (len > this.buf.length >>> 1) {
      this.flush();
      const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES + klen);
      writeRecordHeader(head, 0, flags, klen, vlen, seq);
      head.set(key, RECORD_HEADER_BYTES);
      head.writeUInt32LE(recordCrc(head.subarray(4, RECORD_HEADER_BYTES), key, value), 0);
      this.fs.write(this.seg.fd, head, 0, head.length, pos);
      this.fs.write(this.seg.fd, value, 0, vlen, pos + head.length);
      this.flushed = pos + len;
      this.dirty = true;
      this.flushes++;
    } else {
      if (this.bufLen + len > this.buf.length) this.flush();
      const b = this.buf;
      const at = this.bufLen;
      writeRecordHeader(b, at, flags, klen, vlen, seq);
      b.set(key, at + RECORD_HEADER_BYTES);
      if (vlen > 0) b.set(value, at + RECORD_HEADER_BYTES + klen);
      sealRecord(b, at, len);
      this.bufLen = at + len;
    }
    this.seg.size = pos + len;
    return pos;
  }

  /** Hands buffered bytes to the OS (one write call). */
  flush(): void {
    if (this.bufLen === 0) return;
    this.fs.write(this.seg.fd, this.buf, 0, this.bufLen, this.flushed);
    this.flushed += this.bufLen;
    this.bufLen = 0;
    this.dirty = true;
    this.flushes++;
  }

  /** Flushes, then fdatasyncs the segment if anything was written since the last sync. */
  sync(): void {
    this.flush();
    if (!this.dirty) return;
    this.fs.fdatasync(this.seg.fd);
    this.dirty = false;
  }

  /**
   * Copies `len` bytes at file offset `pos` into `dst` when they are still in the buffer and
   * returns true; false when they are on disk (read them with pread).
   */
  readInto(pos: number, dst: Uint8Array, len: number): boolean {
    if (pos < this.flushed) return false;
    const at = pos - this.flushed;
    dst.set(this.buf.subarray(at, at + len));
    return true;
  }
}
