/**
 * Reads one sstable: on open, the footer (magic, crc), the bloom filter and the index block are
 * read, verified and kept in memory; data blocks are read on demand through the block cache and
 * verified (crc32) whenever they come from the file. Any damage is a CORRUPTION KvError naming the
 * file and offset; a table never returns wrong data.
 */
import { crc32 } from 'node:zlib';
import { corruption } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { Block, BlockCursor } from './block.js';
import { BlockCache, blockKey } from './block-cache.js';
import { filterMayContain } from './bloom.js';
import { getFixed64, getVarint } from './coding.js';
import { BLOCK_TRAILER_SIZE, BLOCK_TYPE_RAW, FOOTER_SIZE, SST_FORMAT_VERSION, SST_MAGIC } from './sstable-builder.js';

/** Read-path counters shared by every table of an engine. */
export interface ReadCounters {
  /** Tables a get consulted (its filter, or its index when it has none): the runs a lookup probes. */
  tableProbes: number;
  /** Gets a bloom filter answered "absent". */
  bloomNegatives: number;
  /** Gets a bloom filter let through to a table that did not hold the key. */
  bloomFalsePositives: number;
  /** Data blocks consulted by gets (cache hits included). */
  getBlockReads: number;
  /** Data blocks read from files (any reader). */
  blockFileReads: number;
}

/** Consecutive data blocks read in one call (see {@link Table.readBlocks}). */
export interface BlockWindow {
  readonly table: Table;
  readonly first: number;
  readonly last: number;
  /** File offset of buf[0]. */
  readonly base: number;
  readonly buf: Buffer;
}

/** Result of {@link Table.get}. */
export const enum Lookup {
  /** The table does not hold the key. */
  Absent = 0,
  /** The table holds a live value (in `GetResult.value`). */
  Found = 1,
  /** The table holds a deletion marker for the key. */
  Deleted = 2,
}

export class Table {
  /** Last key of each data block, as latin1 strings (code-unit order = byte order). */
  private readonly indexKeys: string[] = [];
  private readonly blockOffsets: number[] = [];
  private readonly blockSizes: number[] = [];
  private readonly filter: Buffer | undefined;
  private readonly cursor: BlockCursor | undefined;
  /** The value found by the last successful {@link get} (a copy owned by the caller). */
  value: Buffer | undefined;
  readonly entries: number;
  readonly dataEnd: number;
  private closed = false;

  private constructor(
    private readonly fs: Fs,
    readonly file: string,
    readonly number: number,
    private readonly fd: Fd,
    readonly size: number,
    private readonly cache: BlockCache,
    private readonly counters: ReadCounters,
  ) {
    if (size < FOOTER_SIZE) throw corruption('sstable shorter than its footer', file, 0);
    const footer = Buffer.allocUnsafe(FOOTER_SIZE);
    this.readExact(footer, size - FOOTER_SIZE);
    if (!footer.subarray(40).equals(SST_MAGIC)) throw corruption('sstable magic missing', file, size - 8);
    if ((crc32(footer.subarray(0, 36)) >>> 0) !== footer.readUInt32LE(36)) throw corruption('sstable footer checksum mismatch', file, size - FOOTER_SIZE);
    if (footer.readUInt32LE(32) !== SST_FORMAT_VERSION) throw corruption(`unknown sstable format ${footer.readUInt32LE(32)}`, file, size - FOOTER_SIZE + 32);
    const filterOffset = getFixed64(footer, 0);
    const filterSize = footer.readUInt32LE(8);
    const indexOffset = getFixed64(footer, 12);
    const indexSize = footer.readUInt32LE(20);
    this.entries = getFixed64(footer, 24);
    this.dataEnd = filterOffset;
    if (filterOffset + filterSize + BLOCK_TRAILER_SIZE !== indexOffset || indexOffset + indexSize + BLOCK_TRAILER_SIZE + FOOTER_SIZE !== size)
      throw corruption('sstable footer handles inconsistent', file, size - FOOTER_SIZE);
    const filter = this.readBlockBytes(filterOffset, filterSize);
    this.filter = filter.length > 0 ? filter : undefined;
    const index = new BlockCursor(new Block(this.readBlockBytes(indexOffset, indexSize), file, indexOffset));
    const cur = { pos: 0 };
    let prevEnd = 0;
    for (index.seekToFirst(); index.valid; index.next()) {
      const d = index.data;
      const off = getVarint(d, index.valueStart, index.valueEnd, cur);
      const sz = getVarint(d, cur.pos, index.valueEnd, cur);
      if (off !== prevEnd || sz < 0 || off + sz + BLOCK_TRAILER_SIZE > filterOffset) throw corruption('sstable index entry out of range', file, indexOffset);
      prevEnd = off + sz + BLOCK_TRAILER_SIZE;
      this.indexKeys.push(index.key.toString('latin1'));
      this.blockOffsets.push(off);
      this.blockSizes.push(sz);
    }
    if (this.indexKeys.length === 0 || prevEnd !== filterOffset) throw corruption('sstable index does not cover the data', file, indexOffset);
    this.cursor = new BlockCursor(index.block, true);
  }

  /** Opens and verifies a table file (CORRUPTION if damaged). The table owns its descriptor. */
  static open(fs: Fs, file: string, number: number, cache: BlockCache, counters: ReadCounters): Table {
    const fd = fs.open(file, 'r');
    try {
      return new Table(fs, file, number, fd, fs.size(fd), cache, counters);
    } catch (e) {
      fs.close(fd);
      throw e;
    }
  }

  private readExact(buf: Buffer, position: number): void {
    const n = this.fs.read(this.fd, buf, 0, buf.length, position);
    if (n !== buf.length) throw corruption(`sstable truncated (wanted ${buf.length} bytes)`, this.file, position);
  }

  /** Reads a block's contents and verifies its trailer. */
  private readBlockBytes(offset: number, size: number): Buffer {
    const buf = Buffer.allocUnsafe(size + BLOCK_TRAILER_SIZE);
    this.readExact(buf, offset);
    return verifyBlock(buf, 0, size, this.file, offset);
  }

  /** Number of data blocks. */
  get blockCount(): number {
    return this.indexKeys.length;
  }

  /** Data block `i`, from the cache when `fillCache` (gets, scans) or straight from the file. */
  dataBlock(i: number, fillCache: boolean): Block {
    const off = this.blockOffsets[i]!;
    const key = blockKey(this.number, off);
    if (fillCache) {
      const hit = this.cache.get(key);
      if (hit !== undefined) return hit;
    }
    this.counters.blockFileReads++;
    const b = new Block(this.readBlockBytes(off, this.blockSizes[i]!), this.file, off);
    if (fillCache) this.cache.insert(key, b);
    return b;
  }

  /** Index of the first data block whose last key is >= keyStr (blockCount if none). */
  findBlock(keyStr: string): number {
    const keys = this.indexKeys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < keyStr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Point lookup. `hash` is bloomHash(key). On Found, `this.value` holds a fresh copy of the value.
   */
  get(key: Uint8Array, keyStr: string, hash: number): Lookup {
    const c = this.counters;
    c.tableProbes++;
    if (this.filter !== undefined && !filterMayContain(this.filter, hash)) {
      c.bloomNegatives++;
      return Lookup.Absent;
    }
    const i = this.findBlock(keyStr);
    if (i < this.indexKeys.length) {
      c.getBlockReads++;
      const cur = this.cursor!;
      cur.reset(this.dataBlock(i, true));
      cur.seek(key);
      if (cur.keyEquals(key)) {
        if (cur.kind === 0) return Lookup.Deleted;
        const v = Buffer.allocUnsafe(cur.valueEnd - cur.valueStart);
        cur.data.copy(v, 0, cur.valueStart, cur.valueEnd);
        this.value = v;
        return Lookup.Found;
      }
    }
    if (this.filter !== undefined) c.bloomFalsePositives++;
    return Lookup.Absent;
  }

  /** Bytes of memory held by the index and the filter. */
  get memoryBytes(): number {
    let n = (this.filter?.length ?? 0) + this.indexKeys.length * 48;
    for (const k of this.indexKeys) n += k.length;
    return n;
  }

  /** Block `i` if cached (counted as a cache hit or miss). */
  cachedBlock(i: number): Block | undefined {
    return this.cache.get(blockKey(this.number, this.blockOffsets[i]!));
  }

  /** Puts block `i` in the cache. */
  cacheBlock(i: number, b: Block): void {
    this.cache.insert(blockKey(this.number, this.blockOffsets[i]!), b);
  }

  /**
   * Reads data blocks `first`.. in one call: as many whole blocks as fit in `maxBytes` (at least
   * one). Blocks are verified when taken out with {@link blockFrom}.
   */
  readBlocks(first: number, maxBytes: number): BlockWindow {
    const base = this.blockOffsets[first]!;
    let last = first;
    const limit = base + maxBytes;
    while (last + 1 < this.blockOffsets.length && this.blockOffsets[last + 1]! + this.blockSizes[last + 1]! + BLOCK_TRAILER_SIZE <= limit) last++;
    const end = this.blockOffsets[last]! + this.blockSizes[last]! + BLOCK_TRAILER_SIZE;
    const buf = Buffer.allocUnsafe(end - base);
    this.readExact(buf, base);
    this.counters.blockFileReads += last - first + 1;
    return { table: this, first, last, base, buf };
  }

  /** Block `i` (within the window) parsed and crc-verified. */
  blockFrom(w: BlockWindow, i: number): Block {
    const off = this.blockOffsets[i]!;
    return new Block(verifyBlock(w.buf, off - w.base, this.blockSizes[i]!, this.file, off), this.file, off);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fs.close(this.fd);
  }
}

/** Checks a block's trailer at buf[start+size..]; returns the contents view. */
function verifyBlock(buf: Buffer, start: number, size: number, file: string, fileOffset: number): Buffer {
  const end = start + size;
  if (end + BLOCK_TRAILER_SIZE > buf.length) throw corruption('sstable block truncated', file, fileOffset);
  if (buf[end] !== BLOCK_TYPE_RAW) throw corruption(`unknown sstable block type ${buf[end]}`, file, fileOffset + size);
  if ((crc32(buf.subarray(start, end + 1)) >>> 0) !== buf.readUInt32LE(end + 1)) throw corruption('sstable block checksum mismatch', file, fileOffset);
  return buf.subarray(start, end);
}
