/**
 * Operation traces: record a stream to a file and replay it, streaming in both directions
 * (memory is bounded by one chunk of {@link TRACE_CHUNK_OPS} operations).
 *
 * File format (on-disk: never change without a version bump; see workloads/README.md):
 *   magic "KVLTRACE" (8 bytes), then frames: u32 LE payload length, u32 LE crc32(payload),
 *   payload = one msgpackr value. Frame 1 is the header {format, version, seed, props, meta};
 *   then chunk frames {n, type, keynum, scan, rf, wf} whose columns are binary
 *   (type: u8 index into OP_TYPES; keynum: f64 LE; scan: u32 LE; rf, wf: i32 LE);
 *   the last frame is {end: true, count}. A file without the end frame is reported as
 *   truncated (CORRUPTION), never silently shortened.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Packr, unpack } from 'msgpackr';
import { KvError, closedError, corruption, ioError } from '../engines/errors.js';
import { parseWorkloadConfig, type WorkloadConfig } from './config.js';
import { KeyNamer } from './keyname.js';
import { OP_TYPES, type Operation, type OpType } from './operation.js';

/** File magic (on-disk: never change without a version bump). */
export const TRACE_MAGIC = Buffer.from('KVLTRACE', 'latin1');
/** Trace format version (on-disk). */
export const TRACE_VERSION = 1;
/** Operations per chunk frame. */
export const TRACE_CHUNK_OPS = 65536;
const FRAME_HEADER = 8;
/** Largest frame a reader accepts (guards against a corrupt length). */
const MAX_FRAME = 64 * 1024 * 1024;

/** What a trace's header holds. */
export interface TraceHeader {
  format: 'kvlab-trace';
  version: number;
  seed: number;
  props: Record<string, string>;
  /** Free-form (e.g. which phases were recorded). */
  meta: Record<string, unknown>;
}

const TYPE_INDEX: Record<OpType, number> = { READ: 0, UPDATE: 1, INSERT: 2, SCAN: 3, READMODIFYWRITE: 4 };

/** Opens a trace file (any format) for reading. Errors: NOT_FOUND (no such file), IO (another failure). */
export function openTraceFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new KvError('NOT_FOUND', `trace not found: ${path}`, { file: path, cause: e });
    throw ioError(e, 'open trace', path);
  }
}

/** Writes a trace file. Not thread-safe; call close() to make the trace complete and durable. */
export class TraceWriter {
  private fd: number | undefined;
  private n = 0;
  private count = 0;
  private readonly type = Buffer.alloc(TRACE_CHUNK_OPS);
  private readonly keynum = Buffer.alloc(TRACE_CHUNK_OPS * 8);
  private readonly scan = Buffer.alloc(TRACE_CHUNK_OPS * 4);
  private readonly rf = Buffer.alloc(TRACE_CHUNK_OPS * 4);
  private readonly wf = Buffer.alloc(TRACE_CHUNK_OPS * 4);
  /** Packs every frame into one reused buffer (frames are written before the next pack). */
  private readonly packr = new Packr({ useRecords: false });
  private readonly packBuffer = Buffer.allocUnsafe(TRACE_CHUNK_OPS * 21 + 65536) // 21 bytes of columns per operation;

  /** Creates (truncates) `path` and writes the header. Errors: IO. */
  constructor(
    readonly path: string,
    header: { seed: number; props: Record<string, string>; meta?: Record<string, unknown> },
  ) {
    try {
      this.fd = openSync(path, 'w');
      writeSync(this.fd, TRACE_MAGIC);
    } catch (e) {
      throw ioError(e, 'create trace', path);
    }
    const h: TraceHeader = { format: 'kvlab-trace', version: TRACE_VERSION, seed: header.seed, props: { ...header.props }, meta: header.meta ?? {} };
    this.writeFrame(h);
  }

  /** Operations appended so far. */
  get appended(): number {
    return this.count;
  }

  /** Appends one operation (its key is not stored: replay rebuilds it from the key number). */
  append(op: Operation): void {
    if (this.fd === undefined) throw closedError('trace writer');
    const i = this.n;
    this.type[i] = TYPE_INDEX[op.type];
    this.keynum.writeDoubleLE(op.keynum, i * 8);
    this.scan.writeUInt32LE(op.scanLength, i * 4);
    this.rf.writeInt32LE(op.readField, i * 4);
    this.wf.writeInt32LE(op.writeField, i * 4);
    this.count++;
    if (++this.n === TRACE_CHUNK_OPS) this.flushChunk();
  }

  /** Writes the pending chunk and the end frame, fsyncs and closes. Idempotent. Errors: IO. */
  close(): void {
    if (this.fd === undefined) return;
    this.flushChunk();
    this.writeFrame({ end: true, count: this.count });
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } catch (e) {
      throw ioError(e, 'fsync trace', this.path);
    } finally {
      closeSync(fd);
    }
  }

  private flushChunk(): void {
    const n = this.n;
    if (n === 0) return;
    this.writeFrame({
      n,
      type: this.type.subarray(0, n),
      keynum: this.keynum.subarray(0, n * 8),
      scan: this.scan.subarray(0, n * 4),
      rf: this.rf.subarray(0, n * 4),
      wf: this.wf.subarray(0, n * 4),
    });
    this.n = 0;
  }

  private writeFrame(value: unknown): void {
    this.packr.useBuffer(this.packBuffer);
    const payload = this.packr.pack(value);
    const head = Buffer.allocUnsafe(FRAME_HEADER);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt32LE(crc32(payload), 4);
    try {
      writeSync(this.fd!, head);
      writeSync(this.fd!, payload);
    } catch (e) {
      throw ioError(e, 'write trace', this.path);
    }
  }
}

interface Chunk {
  n: number;
  type: Uint8Array;
  keynum: Uint8Array;
  scan: Uint8Array;
  rf: Uint8Array;
  wf: Uint8Array;
}

/**
 * Replays a trace, filling an {@link Operation} like OperationStream does (op.key is a view
 * of a reused buffer). Errors: NOT_FOUND (no file), CORRUPTION with file and offset (bad
 * magic, checksum, frame, or a trace cut short), IO.
 */
export class TraceReader {
  readonly header: TraceHeader;
  /** The workload configuration recorded in the header. */
  readonly config: WorkloadConfig;
  private fd: number | undefined;
  private pos = 0;
  private buf = Buffer.alloc(1 << 20);
  private chunk: Chunk | undefined;
  private views: { keynum: DataView; scan: DataView; rf: DataView; wf: DataView } | undefined;
  private i = 0;
  private replayed = 0;
  private ended = false;
  private readonly keys: KeyNamer;

  constructor(readonly path: string) {
    this.fd = openTraceFile(path);
    const magic = Buffer.alloc(TRACE_MAGIC.length);
    const got = this.read(magic, 0);
    if (got !== TRACE_MAGIC.length || !magic.equals(TRACE_MAGIC)) {
      this.close();
      throw corruption('not a kvlab trace (bad magic)', path, 0);
    }
    this.pos = TRACE_MAGIC.length;
    const h = this.readFrame() as TraceHeader | undefined;
    if (!h || h.format !== 'kvlab-trace' || typeof h.props !== 'object' || typeof h.seed !== 'number') {
      this.close();
      throw corruption('trace header missing or malformed', path, TRACE_MAGIC.length);
    }
    if (h.version !== TRACE_VERSION) {
      this.close();
      throw corruption(`unsupported trace version ${h.version}`, path, TRACE_MAGIC.length);
    }
    this.header = h;
    try {
      this.config = parseWorkloadConfig(h.props);
    } catch (e) {
      this.close();
      throw e;
    }
    this.keys = new KeyNamer(this.config.zeropadding, this.config.hashedKeys);
  }

  /** Operations replayed so far. */
  get count(): number {
    return this.replayed;
  }

  /** Fills `op` with the next recorded operation; false at the (verified) end of the trace. */
  next(op: Operation): boolean {
    if (this.fd === undefined) throw closedError('trace reader');
    while (this.chunk === undefined || this.i >= this.chunk.n) {
      if (this.ended) return false;
      this.loadFrame();
    }
    const i = this.i++;
    const c = this.chunk;
    const v = this.views!;
    const t = OP_TYPES[c.type[i]!];
    if (t === undefined) throw corruption(`bad operation type ${c.type[i]}`, this.path, this.pos);
    op.type = t;
    op.keynum = v.keynum.getFloat64(i * 8, true);
    op.scanLength = v.scan.getUint32(i * 4, true);
    op.readField = v.rf.getInt32(i * 4, true);
    op.writeField = v.wf.getInt32(i * 4, true);
    op.key = this.keys.write(op.keynum);
    this.replayed++;
    return true;
  }

  /** No-op (a trace already holds the acknowledged key numbers); keeps the OperationStream shape. */
  acknowledge(_keynum: number): void {}

  /** Releases the file. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private loadFrame(): void {
    const at = this.pos;
    const f = this.readFrame();
    if (f === undefined) throw corruption(`trace truncated: no end frame after ${this.replayed} operations`, this.path, at);
    const o = f as Partial<Chunk> & { end?: boolean; count?: number };
    if (o.end === true) {
      if (o.count !== this.replayed) throw corruption(`trace end frame says ${o.count} operations, replayed ${this.replayed}`, this.path, at);
      this.ended = true;
      this.chunk = undefined;
      return;
    }
    const n = o.n;
    const ok =
      typeof n === 'number' &&
      n > 0 &&
      o.type instanceof Uint8Array && o.type.length === n &&
      o.keynum instanceof Uint8Array && o.keynum.length === n * 8 &&
      o.scan instanceof Uint8Array && o.scan.length === n * 4 &&
      o.rf instanceof Uint8Array && o.rf.length === n * 4 &&
      o.wf instanceof Uint8Array && o.wf.length === n * 4;
    if (!ok) throw corruption('malformed trace chunk', this.path, at);
    const c = o as Chunk;
    const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.chunk = c;
    this.views = { keynum: dv(c.keynum), scan: dv(c.scan), rf: dv(c.rf), wf: dv(c.wf) };
    this.i = 0;
  }

  /** Reads the frame at this.pos; undefined at a clean EOF. CORRUPTION for partial or bad frames. */
  private readFrame(): unknown {
    const at = this.pos;
    const head = Buffer.alloc(FRAME_HEADER);
    const got = this.read(head, at);
    if (got === 0) return undefined;
    if (got < FRAME_HEADER) throw corruption('trace truncated inside a frame header', this.path, at);
    const len = head.readUInt32LE(0);
    const crc = head.readUInt32LE(4);
    if (len > MAX_FRAME) throw corruption(`trace frame length ${len} is implausible`, this.path, at);
    if (this.buf.length < len) this.buf = Buffer.alloc(len);
    const payload = this.buf.subarray(0, len);
    if (this.read(payload, at + FRAME_HEADER) < len) throw corruption('trace truncated inside a frame', this.path, at);
    if (crc32(payload) !== crc) throw corruption('trace frame checksum mismatch', this.path, at);
    this.pos = at + FRAME_HEADER + len;
    try {
      return unpack(payload);
    } catch (e) {
      throw corruption(`trace frame does not decode: ${(e as Error).message}`, this.path, at);
    }
  }

  private read(into: Buffer, position: number): number {
    let total = 0;
    try {
      while (total < into.length) {
        const n = readSync(this.fd!, into, total, into.length - total, position + total);
        if (n === 0) break;
        total += n;
      }
    } catch (e) {
      throw ioError(e, 'read trace', this.path);
    }
    return total;
  }
}
