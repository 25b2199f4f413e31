/**
 * Writes one sstable (sorted string table) file: data blocks, a bloom filter block, an index
 * block and a footer, each block followed by a 5-byte trailer `type(1) = 0 | crc32(4)` where the
 * crc covers the block contents and the type byte. Byte layout in FORMAT.md.
 *
 * Entries must be added in strictly ascending key order. {@link SstableBuilder.finish} writes
 * the tail, fdatasyncs and closes the file: on return the table is durable (its directory entry
 * becomes durable with the manifest's directory fsync). {@link SstableBuilder.abandon} removes it.
 */
import { crc32 } from 'node:zlib';
import type { Fd, Fs } from '../fs.js';
import { BlockBuilder, encodeHandle } from './block.js';
import { bloomHash, buildFilter } from './bloom.js';
import { ByteWriter, putFixed64 } from './coding.js';

/** on-disk: sstable footer magic "kvLSMsst". Never change without a version bump. */
export const SST_MAGIC = Buffer.from('kvLSMsst', 'latin1');
/** on-disk: footer size. Never change without a version bump. */
export const FOOTER_SIZE = 48;
/** on-disk: block trailer = type(1) + crc32(4). Never change without a version bump. */
export const BLOCK_TRAILER_SIZE = 5;
/** on-disk: sstable format version in the footer. */
export const SST_FORMAT_VERSION = 1;
/** on-disk block type: uncompressed. */
export const BLOCK_TYPE_RAW = 0;
/** Restart interval of data blocks (LevelDB's default); index blocks restart at every entry. */
export const DATA_RESTART_INTERVAL = 16;

/** Facts about a finished table, recorded in the manifest. */
export interface BuiltTable {
  size: number;
  entries: number;
  smallest: Buffer;
  largest: Buffer;
}

export interface BuilderOptions {
  blockSize: number;
  bloomBits: number;
}

const WRITE_CHUNK = 256 * 1024;

export class SstableBuilder {
  private readonly fd: Fd;
  private readonly data = new BlockBuilder(DATA_RESTART_INTERVAL);
  private readonly index = new BlockBuilder(1);
  private readonly pending = new ByteWriter(WRITE_CHUNK + 64 * 1024);
  private readonly hashes: number[] = [];
  private readonly handleScratch = Buffer.allocUnsafe(20);
  private fileOffset = 0;
  private written = 0;
  private lastKey: Buffer | undefined;
  private smallest: Buffer | undefined;
  private entries = 0;
  private closed = false;

  constructor(
    private readonly fs: Fs,
    readonly file: string,
    private readonly opts: BuilderOptions,
  ) {
    this.fd = fs.open(file, 'truncate');
  }

  /** Adds an entry; `key` is copied when needed (the caller may reuse it). */
  add(key: Uint8Array, kind: number, seq: number, value: Uint8Array, vStart = 0, vEnd = value.length): void {
    if (this.smallest === undefined) this.smallest = Buffer.from(key);
    this.data.add(key, kind, seq, value, vStart, vEnd);
    if (this.opts.bloomBits > 0) this.hashes.push(bloomHash(key));
    this.entries++;
    this.lastKey = key as Buffer;
    if (this.data.estimatedSize() >= this.opts.blockSize) this.finishDataBlock();
  }

  /** Bytes the file will have so far (data written or pending). */
  get estimatedSize(): number {
    return this.fileOffset + this.data.estimatedSize();
  }

  get entryCount(): number {
    return this.entries;
  }

  private finishDataBlock(): void {
    if (this.data.empty) return;
    const { offset, size } = this.emitBlock(this.data.finish());
    this.index.add(this.lastKey!, 1, 0, encodeHandle(this.handleScratch, offset, size));
    this.data.reset();
  }

  /** Appends block + trailer to the output; returns its handle (offset, size without trailer). */
  private emitBlock(contents: Buffer): { offset: number; size: number } {
    const offset = this.fileOffset;
    const p = this.pending;
    p.ensure(contents.length + BLOCK_TRAILER_SIZE);
    const start = p.pos;
    p.bytes(contents);
    p.u8(BLOCK_TYPE_RAW);
    p.u32(crc32(p.buf.subarray(start, p.pos)) >>> 0);
    this.fileOffset += contents.length + BLOCK_TRAILER_SIZE;
    if (p.pos >= WRITE_CHUNK) this.flushPending();
    return { offset, size: contents.length };
  }

  private flushPending(): void {
    const p = this.pending;
    if (p.pos === 0) return;
    this.fs.write(this.fd, p.buf, 0, p.pos, this.written);
    this.written += p.pos;
    p.reset();
  }

  /** Writes filter, index and footer, syncs and closes. The builder must hold at least one entry. */
  finish(): BuiltTable {
    // The last index key must be an owned copy: `lastKey` may be a caller's scratch buffer.
    this.lastKey = Buffer.from(this.lastKey!);
    this.finishDataBlock();
    const filter = this.opts.bloomBits > 0 ? buildFilter(this.hashes, this.opts.bloomBits) : Buffer.alloc(0);
    const f = this.emitBlock(filter);
    const ix = this.emitBlock(this.index.finish());
    const footer = Buffer.alloc(FOOTER_SIZE);
    putFixed64(footer, 0, f.offset);
    footer.writeUInt32LE(f.size, 8);
    putFixed64(footer, 12, ix.offset);
    footer.writeUInt32LE(ix.size, 20);
    putFixed64(footer, 24, this.entries);
    footer.writeUInt32LE(SST_FORMAT_VERSION, 32);
    footer.writeUInt32LE(crc32(footer.subarray(0, 36)) >>> 0, 36);
    SST_MAGIC.copy(footer, 40);
    this.pending.bytes(footer);
    this.fileOffset += FOOTER_SIZE;
    this.flushPending();
    this.fs.fdatasync(this.fd);
    this.fs.close(this.fd);
    this.closed = true;
    return { size: this.fileOffset, entries: this.entries, smallest: this.smallest!, largest: this.lastKey };
  }

  /** Closes and deletes a partial table (error paths). */
  abandon(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        this.fs.close(this.fd);
      } finally {
        this.fs.unlink(this.file);
      }
    }
  }
}
