/**
 * A synchronous, streaming line reader for text traces: the harness's sync loops pull one
 * operation at a time without a promise, so the file is read with readSync in 256 KiB chunks.
 * Memory: one chunk plus the longest line (a line over {@link MAX_LINE_BYTES} is an error).
 * Bytes are decoded as latin1, so every byte of a line maps to one character and
 * `Buffer.from(s, 'latin1')` gives the line's bytes back exactly (keys are bytes).
 */
import { closeSync, readSync } from 'node:fs';
import { KvError, closedError, ioError, notSupported } from '../../engines/errors.js';
import { openTraceFile } from '../trace.js';
import { SyncGunzip } from './gunzip.js';

const CHUNK = 256 * 1024;
/** The longest line accepted (a trace line is ~50 bytes; longer means this is not a trace). */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Opens `path` for line reading; a gzip file (by its magic bytes) is decompressed on the fly
 * (gunzip.ts: a worker thread, memory bounded). Errors: NOT_FOUND (no file), NOT_SUPPORTED
 * (zstd: Node 20's zlib has no zstd; decompress first with `zstd -d`), CORRUPTION (bad or
 * truncated gzip), IO.
 */
export class LineReader {
  private fd: number | undefined;
  private buf = Buffer.alloc(CHUNK);
  private text = '';
  private pos = 0;
  private filePos = 0;
  private eof = false;
  /** 1-based number of the line last returned. */
  line = 0;
  /** Byte offset of the line last returned. */
  offset = 0;
  private nextOffset = 0;

  constructor(readonly path: string) {
    this.fd = openTraceFile(path);
    const head = Buffer.alloc(4);
    const n = this.readAt(head, 0);
    const gz = n >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const zst = n >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
    if (zst || path.endsWith('.zst')) {
      this.close();
      throw notSupported(`${path}: zstd-compressed traces are not read directly (Node 20's zlib has no zstd): decompress first, e.g. zstd -d ${path}`);
    }
    if (gz) this.gz = new SyncGunzip(path);
  }

  private gz: SyncGunzip | undefined;

  /** The next line without its line ending (\n or \r\n), or undefined at the end of the file. */
  next(): string | undefined {
    if (this.fd === undefined) throw closedError('trace');
    for (;;) {
      const nl = this.text.indexOf('\n', this.pos);
      if (nl >= 0 || (this.eof && this.pos < this.text.length)) {
        const end = nl >= 0 ? nl : this.text.length;
        let s = this.text.slice(this.pos, end);
        this.offset = this.nextOffset;
        this.nextOffset += end - this.pos + (nl >= 0 ? 1 : 0);
        this.pos = end + 1;
        this.line++;
        if (s.endsWith('\r')) s = s.slice(0, -1);
        return s;
      }
      if (this.eof) return undefined;
      if (this.text.length - this.pos > MAX_LINE_BYTES)
        throw new KvError('INVALID_ARGUMENT', `${this.path}:${this.line + 1}: line longer than ${MAX_LINE_BYTES} bytes: not a text trace`, { file: this.path, offset: this.nextOffset });
      const n = this.readAt(this.buf, this.filePos);
      this.filePos += n;
      if (n === 0) this.eof = true;
      this.text = this.text.slice(this.pos) + this.buf.toString('latin1', 0, n);
      this.pos = 0;
    }
  }

  /** Releases the file. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.gz?.close();
    closeSync(fd);
  }

  private readAt(into: Buffer, position: number): number {
    if (this.gz !== undefined) return this.gz.read(into);
    try {
      return readSync(this.fd!, into, 0, into.length, position);
    } catch (e) {
      throw ioError(e, 'read trace', this.path);
    }
  }
}
