/**
 * The write-ahead log, in LevelDB's log format: the file is a sequence of 32 KiB blocks; each
 * logical record (one write batch) is stored as one or more physical fragments
 * `crc32(4) | length(2) | type(1) | data`, type FULL, or FIRST, MIDDLE..., LAST when it spans
 * blocks. A block tail shorter than a header is zero-filled. crc32 (node:zlib) covers the type
 * byte and the data. See FORMAT.md.
 *
 * Recovery ({@link readWal}) returns every complete record in order. The MANIFEST records how
 * many bytes of the current log were fdatasynced (`durable`): the log must be at least that
 * long, and any damage below it is CORRUPTION (file, offset). Beyond it, a damaged record with
 * nothing valid after it is a torn tail (a write cut short by a crash): it and anything after
 * it are dropped (bounded loss: only writes that were never synced can be torn). A damaged
 * record followed by a checksum-valid fragment (searched at every byte offset of the damaged
 * fragment's block, and at every later block start) is CORRUPTION too.
 */
import { crc32 } from 'node:zlib';
import { corruption } from '../errors.js';
import type { Fd, Fs } from '../fs.js';

/** on-disk: never change without a version bump. */
export const WAL_BLOCK_SIZE = 32 * 1024;
/** on-disk: crc32(4) + length(2) + type(1). Never change without a version bump. */
export const WAL_HEADER_SIZE = 7;
/** on-disk fragment types: never change without a version bump. */
export const enum FragmentType {
  Zero = 0,
  Full = 1,
  First = 2,
  Middle = 3,
  Last = 4,
}

/** crc32 of the single type byte, the seed for a fragment's checksum. */
const TYPE_CRC = [0, 1, 2, 3, 4].map((t) => crc32(Buffer.of(t)));

function fragmentCrc(buf: Uint8Array, start: number, end: number, type: number): number {
  return crc32(buf.subarray(start, end), TYPE_CRC[type]!) >>> 0;
}

/**
 * Appends records to one log file. Each {@link append} is one `write` call handing the record's
 * bytes to the OS (durable after {@link sync}). The writer owns `fd` and closes it.
 */
export class WalWriter {
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(
    private readonly fs: Fs,
    readonly file: string,
    private readonly fd: Fd,
    /** Current file length (where the next fragment goes). */
    public offset = 0,
  ) {}

  /** Appends one logical record (bytes are copied before return). */
  append(payload: Uint8Array): void {
    // Worst case: one header per block touched plus padding.
    const maxOut = payload.length + WAL_HEADER_SIZE * (Math.ceil(payload.length / (WAL_BLOCK_SIZE - WAL_HEADER_SIZE)) + 2) + WAL_HEADER_SIZE;
    if (this.scratch.length < maxOut) this.scratch = Buffer.allocUnsafe(maxOut * 2);
    const out = this.scratch;
    let o = 0;
    let pos = this.offset;
    let left = payload.length;
    let src = 0;
    let first = true;
    do {
      const blockLeft = WAL_BLOCK_SIZE - (pos % WAL_BLOCK_SIZE);
      if (blockLeft < WAL_HEADER_SIZE) {
        out.fill(0, o, o + blockLeft);
        o += blockLeft;
        pos += blockLeft;
        continue;
      }
      const avail = blockLeft - WAL_HEADER_SIZE;
      const n = Math.min(avail, left);
      const last = n === left;
      const type = first && last ? FragmentType.Full : first ? FragmentType.First : last ? FragmentType.Last : FragmentType.Middle;
      out.set(payload.subarray(src, src + n), o + WAL_HEADER_SIZE);
      out.writeUInt32LE(fragmentCrc(out, o + WAL_HEADER_SIZE, o + WAL_HEADER_SIZE + n, type), o);
      out.writeUInt16LE(n, o + 4);
      out[o + 6] = type;
      o += WAL_HEADER_SIZE + n;
      pos += WAL_HEADER_SIZE + n;
      src += n;
      left -= n;
      first = false;
    } while (left > 0);
    this.fs.write(this.fd, out, 0, o, this.offset);
    this.offset = pos;
  }

  /** fdatasync: every appended record is durable on return. */
  sync(): void {
    this.fs.fdatasync(this.fd);
  }

  close(): void {
    this.fs.close(this.fd);
  }
}

/** What {@link readWal} recovered. */
export interface WalContents {
  /** Complete logical records, in order (views into one buffer; copy to keep). */
  records: Buffer[];
  /** Length of the valid prefix; bytes after it were a torn tail. */
  validEnd: number;
  /** True when a torn tail was dropped. */
  torn: boolean;
}

/**
 * Reads and verifies a whole log file. `durable`: bytes of it known fdatasynced (the MANIFEST's
 * record; 0 when unknown). Throws CORRUPTION (file, offset) when the log is shorter than
 * `durable`, for any damage below `durable`, and for damage followed by valid data.
 */
export function readWal(fs: Fs, file: string, durable = 0): WalContents {
  const buf = Buffer.from(fs.readFile(file));
  return parseWal(buf, file, durable);
}

/** Parses log bytes (exported for tests); see {@link readWal}. */
export function parseWal(buf: Buffer, file: string, durable = 0): WalContents {
  const len = buf.length;
  if (len < durable) throw corruption(`WAL is ${len} bytes, shorter than the ${durable} bytes the MANIFEST records as synced`, file, len);
  const records: Buffer[] = [];
  let pending: Buffer[] | null = null;
  let recordStart = 0;
  let pos = 0;
  let validEnd = 0;
  const bad = (at: number, why: string, next: number): WalContents => {
    const start = pending === null ? at : recordStart;
    if (start < durable) throw corruption(`WAL damaged below its synced length ${durable} (${why})`, file, at);
    if (validRecordAfter(buf, at, next)) throw corruption(`WAL damaged (${why}) and followed by valid data`, file, at);
    return { records, validEnd: start, torn: true };
  };
  while (pos < len) {
    const blockLeft = WAL_BLOCK_SIZE - (pos % WAL_BLOCK_SIZE);
    if (blockLeft < WAL_HEADER_SIZE) {
      const end = Math.min(pos + blockLeft, len);
      for (let i = pos; i < end; i++) if (buf[i] !== 0) return bad(pos, 'non-zero block padding', end);
      pos += blockLeft;
      if (pending === null) validEnd = Math.min(pos, len);
      continue;
    }
    if (pos + WAL_HEADER_SIZE > len) return bad(pos, 'partial header', len);
    const crc = buf.readUInt32LE(pos);
    const n = buf.readUInt16LE(pos + 4);
    const type = buf[pos + 6]!;
    const dataStart = pos + WAL_HEADER_SIZE;
    const next = dataStart + n;
    if (type < FragmentType.Full || type > FragmentType.Last) return bad(pos, `bad fragment type ${type}`, pos + blockLeft);
    if (WAL_HEADER_SIZE + n > blockLeft) return bad(pos, 'fragment crosses a block', pos + blockLeft);
    if (next > len) return bad(pos, 'truncated fragment', len);
    if (fragmentCrc(buf, dataStart, next, type) !== crc) return bad(pos, 'checksum mismatch', next);
    const data = buf.subarray(dataStart, next);
    if (type === FragmentType.Full || type === FragmentType.First) {
      if (pending !== null) return bad(recordStart, 'record without its last fragment', pos);
      if (type === FragmentType.Full) records.push(data);
      else {
        pending = [data];
        recordStart = pos;
      }
    } else {
      if (pending === null) return bad(pos, 'continuation fragment without a first', next);
      pending.push(data);
      if (type === FragmentType.Last) {
        records.push(Buffer.concat(pending));
        pending = null;
      }
    }
    pos = next;
    if (pending === null) validEnd = pos;
  }
  if (pending !== null) {
    if (recordStart < durable) throw corruption(`WAL record without its last fragment below the synced length ${durable}`, file, recordStart);
    return { records, validEnd: recordStart, torn: true };
  }
  return { records, validEnd, torn: false };
}

/**
 * True when a checksum-valid fragment exists after a damaged one at `at`: tried at `next`
 * (where the damaged fragment's own length says the next header is), at every byte offset
 * after `at` in its block (a zeroed or overwritten header says nothing about where the next
 * fragment starts), and at every later block start (fragments never cross blocks, so each
 * block begins with a header). Bounded: at most one block of offsets plus one per block.
 */
function validRecordAfter(buf: Buffer, at: number, next: number): boolean {
  if (next > at && next < buf.length && validFragmentAt(buf, next)) return true;
  const blockEnd = Math.min((Math.floor(at / WAL_BLOCK_SIZE) + 1) * WAL_BLOCK_SIZE, buf.length);
  for (let p = at + 1; p < blockEnd; p++) if (validFragmentAt(buf, p)) return true;
  for (let b = blockEnd; b < buf.length; b += WAL_BLOCK_SIZE) if (validFragmentAt(buf, b)) return true;
  return false;
}

/** A checksum-valid, non-empty fragment header at `p` that fits its block and the file. */
function validFragmentAt(buf: Buffer, p: number): boolean {
  const blockLeft = WAL_BLOCK_SIZE - (p % WAL_BLOCK_SIZE);
  if (blockLeft < WAL_HEADER_SIZE || p + WAL_HEADER_SIZE > buf.length) return false;
  const type = buf[p + 6]!;
  if (type < FragmentType.Full || type > FragmentType.Last) return false;
  const n = buf.readUInt16LE(p + 4);
  if (n === 0 || WAL_HEADER_SIZE + n > blockLeft || p + WAL_HEADER_SIZE + n > buf.length) return false;
  return fragmentCrc(buf, p + WAL_HEADER_SIZE, p + WAL_HEADER_SIZE + n, type) === buf.readUInt32LE(p);
}
