/**
 * The hashlog on-disk format: segment header, record, hint file, file names. FORMAT.md documents
 * every byte; this file is its executable form. All integers are little-endian; u64 fields are
 * written as two u32 halves and rejected on read when above 2^53 - 1.
 */
import { crc32 } from 'node:zlib';
import { corruption } from '../errors.js';

// ---- segment header -------------------------------------------------------------------------

/** on-disk: never change without a version bump. Bytes "KVHL" read as a LE u32. */
export const SEGMENT_MAGIC = 0x4c48564b;
/**
 * on-disk: never change without a version bump. 2: the state file (state.ts) records the active
 * segment's durable length, and a merged segment's minId is the lowest id it replaces transitively.
 */
export const FORMAT_VERSION = 2;
/** on-disk: never change without a version bump. Segment header length in bytes (version 1: 36). */
export const SEGMENT_HEADER_BYTES = 44;
/** on-disk: segment kind of a log segment (appended to; the newest may have a torn tail). */
export const KIND_LOG = 0;
/** on-disk: segment kind of a merge's output (complete when renamed into place; has a hint). */
export const KIND_MERGED = 1;

/** The decoded segment header. */
export interface SegmentHeader {
  /** KIND_LOG or KIND_MERGED. */
  kind: number;
  /** The segment's own id (must match its file name). */
  id: number;
  /** Merged: lowest segment id this file replaces (it replaces every id in [minId, id]). Log: = id. */
  minId: number;
  /** Merged: last sequence number acknowledged when the merge ran. Log: 0. */
  seqFloor: number;
  /** Log: the length of log segment id - 1 (durable, final) when this one was created; 0 if none. Merged: 0. */
  prevLength: number;
}

/** Encodes a segment header (44 bytes, CRC at byte 40 over bytes 0..39). */
export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.writeUInt32LE(SEGMENT_MAGIC, 0);
  b.writeUInt16LE(FORMAT_VERSION, 4);
  b.writeUInt16LE(h.kind, 6);
  writeU64(b, 8, h.id);
  writeU64(b, 16, h.minId);
  writeU64(b, 24, h.seqFloor);
  writeU64(b, 32, h.prevLength);
  b.writeUInt32LE(crc32(b.subarray(0, 40)), 40);
  return b;
}

/** Decodes and validates a segment header; throws CORRUPTION (file, offset 0) when invalid. */
export function decodeSegmentHeader(b: Buffer, file: string, expectId: number): SegmentHeader {
  if (b.length < SEGMENT_HEADER_BYTES) throw corruption('segment header truncated', file, 0);
  if (b.readUInt32LE(0) !== SEGMENT_MAGIC) throw corruption('bad segment magic', file, 0);
  if (b.readUInt32LE(40) !== crc32(b.subarray(0, 40))) throw corruption('segment header checksum mismatch', file, 0);
  const version = b.readUInt16LE(4);
  if (version !== FORMAT_VERSION) throw corruption(`unsupported segment format version ${version}`, file, 4);
  const kind = b.readUInt16LE(6);
  if (kind !== KIND_LOG && kind !== KIND_MERGED) throw corruption(`unknown segment kind ${kind}`, file, 6);
  const id = readU64(b, 8, file);
  const minId = readU64(b, 16, file);
  if (id !== expectId) throw corruption(`segment header id ${id} does not match file name`, file, 8);
  if (minId > id || (kind === KIND_LOG && minId !== id)) throw corruption('bad segment minId', file, 16);
  return { kind, id, minId, seqFloor: readU64(b, 24, file), prevLength: readU64(b, 32, file) };
}

// ---- record ---------------------------------------------------------------------------------

/** on-disk: never change without a version bump. Record header length in bytes. */
export const RECORD_HEADER_BYTES = 20;
/** on-disk: flag bit: the record deletes its key (value length is 0). */
export const FLAG_TOMBSTONE = 1;
/** on-disk: flag bit: the record is one of a multi-record atomic batch (all share one sequence). */
export const FLAG_BATCH = 2;
/** on-disk: flag bit: the last record of a batch; the batch counts only once this record is valid. */
export const FLAG_COMMIT = 4;
/** on-disk: every defined flag bit; any other bit set is corruption. */
export const FLAGS_KNOWN = FLAG_TOMBSTONE | FLAG_BATCH | FLAG_COMMIT;
/** on-disk: key length is a u16 (1..65535). */
export const MAX_KEY_BYTES = 0xffff;
/** Engine limit on value length (the field is a u32; this is the engine's chosen cap). */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

/**
 * Writes a record header into `b` at `at` with a zero CRC; the caller copies key and value after
 * it and then calls {@link sealRecord}. Layout: crc u32 | flags u8 | 0 u8 | keyLen u16 |
 * valueLen u32 | seq u64.
 */
export function writeRecordHeader(b: Buffer, at: number, flags: number, keyLen: number, valueLen: number, seq: number): void {
  b.writeUInt32LE(0, at);
  b[at + 4] = flags;
  b[at + 5] = 0;
  b.writeUInt16LE(keyLen, at + 6);
  b.writeUInt32LE(valueLen, at + 8);
  writeU64(b, at + 12, seq);
}

/** Computes and stores the CRC of the complete record at b[at, at + len). */
export function sealRecord(b: Buffer, at: number, len: number): void {
  b.writeUInt32LE(crc32(b.subarray(at + 4, at + len)), at);
}

/** CRC32 of a record whose header (without its CRC field) and payload are given separately. */
export function recordCrc(headerTail: Uint8Array, key: Uint8Array, value: Uint8Array): number {
  return crc32(value, crc32(key, crc32(headerTail)));
}

/** A record header read back: lengths and fields, no payload. */
export interface RecordHeader {
  crc: number;
  flags: number;
  keyLen: number;
  valueLen: number;
  seq: number;
}

/**
 * Parses the header at b[at..]; returns undefined when its fields are structurally impossible
 * (unknown flags, reserved byte set, key length 0, tombstone with a value, value over the cap,
 * sequence over 2^53). Does not check the CRC (see {@link recordCrcOk}).
 */
export function parseRecordHeader(b: Buffer, at: number): RecordHeader | undefined {
  const flags = b[at + 4]!;
  if ((flags & ~FLAGS_KNOWN) !== 0 || b[at + 5] !== 0) return undefined;
  if ((flags & FLAG_COMMIT) !== 0 && (flags & FLAG_BATCH) === 0) return undefined;
  const keyLen = b.readUInt16LE(at + 6);
  const valueLen = b.readUInt32LE(at + 8);
  if (keyLen === 0 || valueLen > MAX_VALUE_BYTES) return undefined;
  if ((flags & FLAG_TOMBSTONE) !== 0 && valueLen !== 0) return undefined;
  const hi = b.readUInt32LE(at + 16);
  if (hi > 0x1fffff) return undefined;
  return { crc: b.readUInt32LE(at), flags, keyLen, valueLen, seq: hi * 0x1_0000_0000 + b.readUInt32LE(at + 12) };
}

/** True when the record of `len` bytes at b[at..] matches its stored CRC. */
export function recordCrcOk(b: Buffer, at: number, len: number): boolean {
  return b.readUInt32LE(at) === crc32(b.subarray(at + 4, at + len));
}

// ---- hint file ------------------------------------------------------------------------------

/** on-disk: never change without a version bump. Bytes "KVHH" read as a LE u32. */
export const HINT_MAGIC = 0x4848564b;
/** on-disk: hint header length: magic u32, version u16, 0 u16, segId u64, dataBytes u64, count u64. */
export const HINT_HEADER_BYTES = 32;
/** on-disk: hint entry header: offset u64, seq u64, valueLen u32, keyLen u16, flags u8, 0 u8. */
export const HINT_ENTRY_BYTES = 24;

/**
 * Builds a hint file for one segment entry by entry (no object per entry). The last 4 bytes of
 * the file are a CRC32 of everything before them.
 */
export class HintBuilder {
  private b = Buffer.allocUnsafe(64 * 1024);
  private len = HINT_HEADER_BYTES;
  private count = 0;

  /** Adds the entry for a record at `offset` of the segment. */
  add(key: Uint8Array, offset: number, seq: number, valueLen: number, flags: number): void {
    const need = this.len + HINT_ENTRY_BYTES + key.length + 4;
    if (need > this.b.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.b.length * 2));
      this.b.copy(next, 0, 0, this.len);
      this.b = next;
    }
    const b = this.b;
    const at = this.len;
    writeU64(b, at, offset);
    writeU64(b, at + 8, seq);
    b.writeUInt32LE(valueLen, at + 16);
    b.writeUInt16LE(key.length, at + 20);
    b[at + 22] = flags;
    b[at + 23] = 0;
    b.set(key, at + HINT_ENTRY_BYTES);
    this.len = at + HINT_ENTRY_BYTES + key.length;
    this.count++;
  }

  /** The complete hint file for segment `segId` whose data file is `dataBytes` long. */
  finish(segId: number, dataBytes: number): Buffer {
    const b = this.b;
    b.writeUInt32LE(HINT_MAGIC, 0);
    b.writeUInt16LE(FORMAT_VERSION, 4);
    b.writeUInt16LE(0, 6);
    writeU64(b, 8, segId);
    writeU64(b, 16, dataBytes);
    writeU64(b, 24, this.count);
    b.writeUInt32LE(crc32(b.subarray(0, this.len)), this.len);
    return b.subarray(0, this.len + 4);
  }
}

/**
 * The `dataBytes` of a hint whose magic, version, CRC and segment id are valid, else undefined.
 * Such a hint was written after its merged segment was final and durable (and the previous hint
 * of that id was durably removed first), so a segment of another length was cut or extended.
 */
export function hintDataBytes(b: Buffer, segId: number): number | undefined {
  if (b.length < HINT_HEADER_BYTES + 4) return undefined;
  if (b.readUInt32LE(0) !== HINT_MAGIC || b.readUInt16LE(4) !== FORMAT_VERSION) return undefined;
  if (b.readUInt32LE(b.length - 4) !== crc32(b.subarray(0, b.length - 4))) return undefined;
  const n = tryU64(b, 16);
  return tryU64(b, 8) === segId && n >= 0 ? n : undefined;
}

/**
 * Decodes a hint file, calling `visit` per entry (key is a view into `b`, valid during the call).
 * Returns false, having visited nothing, when the hint is unusable: bad magic, version, CRC,
 * segment id or `dataBytes` (the data file changed since the hint was written). A bad hint is
 * never an error: the caller scans the segment instead.
 */
export function decodeHint(
  b: Buffer,
  segId: number,
  dataBytes: number,
  visit: (key: Buffer, offset: number, seq: number, valueLen: number, flags: number) => void,
): boolean {
  if (b.length < HINT_HEADER_BYTES + 4) return false;
  if (b.readUInt32LE(0) !== HINT_MAGIC || b.readUInt16LE(4) !== FORMAT_VERSION) return false;
  if (b.readUInt32LE(b.length - 4) !== crc32(b.subarray(0, b.length - 4))) return false;
  if (tryU64(b, 8) !== segId || tryU64(b, 16) !== dataBytes) return false;
  const count = tryU64(b, 24);
  // Validate the structure fully before visiting anything, so a bad hint has no effect.
  let at = HINT_HEADER_BYTES;
  const end = b.length - 4;
  for (let i = 0; i < count; i++) {
    if (at + HINT_ENTRY_BYTES > end) return false;
    const kl = b.readUInt16LE(at + 20);
    const off = tryU64(b, at);
    if (kl === 0 || off < 0 || off + RECORD_HEADER_BYTES + kl + b.readUInt32LE(at + 16) > dataBytes) return false;
    at += HINT_ENTRY_BYTES + kl;
  }
  if (at !== end) return false;
  at = HINT_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const kl = b.readUInt16LE(at + 20);
    const key = b.subarray(at + HINT_ENTRY_BYTES, at + HINT_ENTRY_BYTES + kl);
    visit(key, tryU64(b, at), tryU64(b, at + 8), b.readUInt32LE(at + 16), b[at + 22]!);
    at += HINT_ENTRY_BYTES + kl;
  }
  return true;
}

// ---- file names -----------------------------------------------------------------------------

/** on-disk: segment ids are printed as 16 lower-case hex digits. */
const ID_DIGITS = 16;
/** on-disk: segment file suffix. */
export const DATA_SUFFIX = '.data';
/** on-disk: hint file suffix. */
export const HINT_SUFFIX = '.hint';
/** A merge's output before it is renamed over its `.data` name; deleted on open. */
export const MERGE_SUFFIX = '.merge';

/** `0000000000000001.data` for id 1 (suffix one of the *_SUFFIX constants). */
export function fileName(id: number, suffix: string): string {
  return id.toString(16).padStart(ID_DIGITS, '0') + suffix;
}

/** The id and suffix of a hashlog file name, or undefined for any other name. */
export function parseFileName(name: string): { id: number; suffix: string } | undefined {
  const m = /^([0-9a-f]{16})(\.data|\.hint|\.merge|\.hint\.tmp)$/.exec(name);
  if (!m) return undefined;
  const id = Number.parseInt(m[1]!, 16);
  if (!Number.isSafeInteger(id)) return undefined;
  return { id, suffix: m[2]! };
}

// ---- helpers --------------------------------------------------------------------------------

/** Writes a non-negative safe integer as u64 LE. */
export function writeU64(b: Buffer, at: number, v: number): void {
  b.writeUInt32LE(v >>> 0, at);
  b.writeUInt32LE(Math.floor(v / 0x1_0000_0000), at + 4);
}

function readU64(b: Buffer, at: number, file: string): number {
  const v = tryU64(b, at);
  if (v < 0) throw corruption('u64 field above 2^53', file, at);
  return v;
}

/** Reads a u64 LE; -1 when it does not fit a safe integer. */
function tryU64(b: Buffer, at: number): number {
  const hi = b.readUInt32LE(at + 4);
  if (hi > 0x1fffff) return -1;
  return hi * 0x1_0000_0000 + b.readUInt32LE(at);
}
