/**
 * Opening a hashlog directory: find the segments, finish or discard an interrupted merge, and
 * rebuild the keydir from hint files (merged segments) or by scanning records.
 *
 * Rules (FORMAT.md, "Recovery"):
 * - `*.merge` and `*.hint.tmp` files are leftovers of an interrupted merge or hint write: deleted.
 * - A merged segment `b` with header minId `a` replaces every segment id in [a, b): any such
 *   file still present (a crash after the merge's swap) is deleted.
 * - Segments load in id order, records in file order; the later record of a key wins; a
 *   tombstone removes the key. A batch (FLAG_BATCH records ending with FLAG_COMMIT) applies only
 *   once its commit record is read.
 * - The state file (state.ts) names the newest segment and a durable length of it. Segment ids
 *   must cover 1..newest without a gap and the newest must be at least the state's; the state's
 *   segment must be at least its durable length; an older log segment must be exactly the length
 *   its successor's header records. Otherwise CORRUPTION: a file is missing or cut.
 * - Only the bytes of the newest log segment beyond its recorded durable length may be a torn
 *   tail: an invalid or incomplete record (or an unfinished batch) there with no valid record
 *   after it is truncated away. An invalid record anywhere else (below the durable length, in an
 *   older or merged segment), or one followed by a valid record, is CORRUPTION (file + offset).
 */
import * as path from 'node:path';
import { corruption, KvError } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import {
  DATA_SUFFIX, decodeHint, decodeSegmentHeader, hintDataBytes, FLAG_BATCH, FLAG_COMMIT, FLAG_TOMBSTONE, fileName, HINT_SUFFIX, KIND_LOG, KIND_MERGED,
  parseFileName, parseRecordHeader, RECORD_HEADER_BYTES, recordCrcOk, SEGMENT_HEADER_BYTES,
} from './format.js';
import { applyRecord, hashKey, Keydir } from './keydir.js';
import { Segment } from './segment.js';
import { readState, STATE_FILE, type StoreState } from './state.js';

/** What open found. `segments` are ascending by id, all open; the last may be appended to. */
export interface Recovered {
  segments: Segment[];
  keydir: Keydir;
  /** Highest sequence number found (records and merged headers). */
  maxSeq: number;
  /** Key + value bytes of live entries. */
  liveBytes: number;
  hintsLoaded: number;
  segmentsScanned: number;
  /** Bytes cut from the newest segment's torn tail. */
  tornBytes: number;
  /** What the state file recorded; undefined for a new store (no state file yet). */
  state: StoreState | undefined;
}

/** Largest tail that is searched for a later valid record before declaring a torn tail. */
const MAX_TAIL_SEARCH = 256 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

/** Reads `len` bytes at `pos` into a new buffer; throws CORRUPTION if the file is shorter. */
function readExact(fs: Fs, fd: Fd, file: string, pos: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = fs.read(fd, b, got, len - got, pos + got);
    if (n === 0) throw corruption('unexpected end of file', file, pos + got);
    got += n;
  }
  return b;
}

/** Recovers `dir` (which exists and is locked). Throws CORRUPTION or IO; on error, opened fds are closed. */
export function recover(fs: Fs, dir: string): Recovered {
  const names = fs.list(dir);
  const ids: number[] = [];
  const hints = new Set<number>();
  for (const name of names) {
    if (name === `${STATE_FILE}.tmp`) fs.unlink(path.join(dir, name)); // an interrupted creation
    const p = parseFileName(name);
    if (!p) continue;
    if (p.suffix === DATA_SUFFIX) ids.push(p.id);
    else if (p.suffix === HINT_SUFFIX) hints.add(p.id);
    else fs.unlink(path.join(dir, name));
  }
  ids.sort((a, b) => a - b);
  const segments: Segment[] = [];
  const keydir = new Keydir();
  const state = readState(fs, dir);
  const out: Recovered = { segments, keydir, maxSeq: 0, liveBytes: 0, hintsLoaded: 0, segmentsScanned: 0, tornBytes: 0, state };
  try {
    // Open every segment and read its header.
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const file = path.join(dir, fileName(id, DATA_SUFFIX));
      const last = i === ids.length - 1;
      const fd = fs.open(file, 'rw');
      const size = fs.size(fd);
      if (size < SEGMENT_HEADER_BYTES) {
        // Only a newest segment the state does not know yet can be a torn creation (createSegment
        // syncs the header before the state records the segment).
        if (!last || (state !== undefined && id <= state.activeId)) {
          fs.close(fd);
          throw corruption(`segment shorter than its header (${size} bytes)`, file, size);
        }
        fs.close(fd);
        fs.unlink(file);
        continue;
      }
      let h;
      try {
        h = decodeSegmentHeader(readExact(fs, fd, file, 0, SEGMENT_HEADER_BYTES), file, id);
      } catch (e) {
        fs.close(fd);
        throw e;
      }
      segments.push(new Segment(id, file, fd, h.kind, size, h.minId, h.prevLength));
      if (h.seqFloor > out.maxSeq) out.maxSeq = h.seqFloor;
    }
    // Finish an interrupted merge: drop segments a merged segment replaces.
    const replaced = (id: number) => segments.some((m) => m.minId <= id && id < m.id);
    let removed = false;
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i]!;
      if (!replaced(s.id)) continue;
      fs.close(s.fd);
      fs.unlink(s.file);
      fs.unlink(path.join(dir, fileName(s.id, HINT_SUFFIX)));
      hints.delete(s.id);
      segments.splice(i, 1);
      removed = true;
    }
    if (removed) fs.syncDir(dir);
    const durable = checkFiles(dir, segments, state);
    const segs = new Map(segments.map((s) => [s.id, s]));
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (seg.kind === KIND_MERGED && hints.has(seg.id) && loadHint(fs, dir, seg, keydir, segs, out)) out.hintsLoaded++;
      else {
        const tail = i === segments.length - 1 && seg.kind === KIND_LOG;
        scanSegment(fs, seg, keydir, segs, out, tail ? Math.max(SEGMENT_HEADER_BYTES, seg.id === state?.activeId ? durable : 0) : -1);
        out.segmentsScanned++;
      }
    }
  } catch (e) {
    for (const s of segments) {
      try {
        fs.close(s.fd);
      } catch {
        /* already failing */
      }
    }
    throw e;
  }
  return out;
}

/**
 * Checks that no segment file is missing or cut below what the state recorded: ids cover
 * 1..newest without a gap (a merged segment covers [minId, id]), each older log segment has the
 * length its log successor's header records, the newest is at least the state's active id, and
 * that segment (if still a log segment) is at least its durable length.
 * Without a state file the store must be new (at most one segment, holding no record). Returns
 * the durable length recorded for the state's segment. Throws CORRUPTION naming the file.
 */
function checkFiles(dir: string, segments: readonly Segment[], state: StoreState | undefined): number {
  const name = (id: number) => path.join(dir, fileName(id, DATA_SUFFIX));
  if (state === undefined) {
    const s = segments[0];
    if (segments.length > 1 || (s !== undefined && (s.kind !== KIND_LOG || s.size > SEGMENT_HEADER_BYTES)))
      throw corruption('state file missing from a store that holds data', path.join(dir, STATE_FILE), 0);
    return 0;
  }
  let next = 1;
  let prev: Segment | undefined;
  for (const s of segments) {
    if (s.minId !== next) throw corruption(`segment file${s.minId - next > 1 ? `s ${next}..${s.minId - 1}` : ` ${next}`} missing`, name(next), 0);
    // A log segment's header records its log predecessor's final length (a merged one has its hint).
    if (prev?.kind === KIND_LOG && s.kind === KIND_LOG && prev.size !== s.prevLength)
      throw corruption(`segment is ${prev.size} bytes, the next segment's header records ${s.prevLength}`, prev.file, Math.min(prev.size, s.prevLength));
    next = s.id + 1;
    prev = s;
  }
  if (next - 1 < state.activeId) throw corruption(`segment file ${next}${next < state.activeId ? `..${state.activeId}` : ''} missing (the state file records segment ${state.activeId})`, name(next), 0);
  const active = segments.find((s) => s.id === state.activeId);
  // A merged segment with that id replaced the recorded one (the state lagged a merge): nothing to check.
  if (active === undefined || active.kind !== KIND_LOG) return 0;
  if (active.size < state.durableLength)
    throw corruption(`segment is ${active.size} bytes, shorter than its recorded durable length ${state.durableLength}`, active.file, active.size);
  return state.durableLength;
}

const recordBytes = (k: number, v: number): number => RECORD_HEADER_BYTES + k + v;

/** Applies one put or tombstone to the keydir with space accounting. */
function apply(keydir: Keydir, segs: Map<number, Segment>, out: Recovered, seg: Segment, key: Uint8Array, flags: number, off: number, vlen: number): void {
  applyRecord(keydir, segs, out, recordBytes, seg.id, key, hashKey(key), (flags & FLAG_TOMBSTONE) !== 0, off, vlen);
}

/**
 * Loads a merged segment's hint file; false (nothing applied) when the hint is unusable. A valid
 * hint that records another length than the segment's is CORRUPTION (the segment was cut).
 */
function loadHint(fs: Fs, dir: string, seg: Segment, keydir: Keydir, segs: Map<number, Segment>, out: Recovered): boolean {
  let data: Uint8Array;
  try {
    data = fs.readFile(path.join(dir, fileName(seg.id, HINT_SUFFIX)));
  } catch (e) {
    if (e instanceof KvError && e.code === 'NOT_FOUND') return false;
    throw e;
  }
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  const recorded = hintDataBytes(b, seg.id);
  if (recorded !== undefined && recorded !== seg.size)
    throw corruption(`merged segment is ${seg.size} bytes, its hint records ${recorded}`, seg.file, Math.min(seg.size, recorded));
  return decodeHint(b, seg.id, seg.size, (key, offset, seq, valueLen, flags) => {
    if (seq > out.maxSeq) out.maxSeq = seq;
    apply(keydir, segs, out, seg, key, flags & FLAG_TOMBSTONE, offset, valueLen);
  });
}

interface Pending {
  key: Buffer;
  flags: number;
  off: number;
  vlen: number;
}

/**
 * Scans every record of `seg`. `tailFrom` >= 0 only for the newest log segment: bytes from there on
 * may be a torn tail, cut when no valid record follows; below it (and in every other segment,
 * `tailFrom` -1) an invalid record is CORRUPTION.
 */
function scanSegment(fs: Fs, seg: Segment, keydir: Keydir, segs: Map<number, Segment>, out: Recovered, tailFrom: number): void {
  const size = seg.size;
  let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 64)));
  let bufPos = 0; // file offset of buf[0]
  let bufLen = 0;
  /** Makes file bytes [pos, pos+len) available in buf; false if the file ends first. */
  const ensure = (pos: number, len: number): boolean => {
    if (pos + len > size) return false;
    if (pos >= bufPos && pos + len <= bufPos + bufLen) return true;
    if (len > buf.length) buf = Buffer.allocUnsafe(len);
    bufPos = pos;
    bufLen = Math.min(buf.length, size - pos);
    let got = 0;
    while (got < bufLen) {
      const n = fs.read(seg.fd, buf, got, bufLen - got, pos + got);
      if (n === 0) throw corruption('segment shrank while being read', seg.file, pos + got);
      got += n;
    }
    return true;
  };
  let pos = SEGMENT_HEADER_BYTES;
  let batch: Pending[] = [];
  let batchStart = -1;
  let batchSeq = -1;
  let bad = -1;
  while (pos < size) {
    if (!ensure(pos, RECORD_HEADER_BYTES)) {
      bad = pos;
      break;
    }
    const h = parseRecordHeader(buf, pos - bufPos);
    const len = h === undefined ? 0 : RECORD_HEADER_BYTES + h.keyLen + h.valueLen;
    if (h === undefined || !ensure(pos, len) || !recordCrcOk(buf, pos - bufPos, len)) {
      bad = pos;
      break;
    }
    const at = pos - bufPos;
    const key = buf.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + h.keyLen);
    if (h.seq > out.maxSeq) out.maxSeq = h.seq;
    if ((h.flags & FLAG_BATCH) !== 0) {
      if (batchStart < 0) {
        batchStart = pos;
        batchSeq = h.seq;
      } else if (h.seq !== batchSeq) throw corruption('batch record with a different sequence inside a batch', seg.file, pos);
      batch.push({ key: Buffer.from(key), flags: h.flags, off: pos, vlen: h.valueLen });
      if ((h.flags & FLAG_COMMIT) !== 0) {
        for (const p of batch) apply(keydir, segs, out, seg, p.key, p.flags, p.off, p.vlen);
        batch = [];
        batchStart = -1;
      }
    } else {
      if (batchStart >= 0) throw corruption('unfinished batch followed by another record', seg.file, batchStart);
      apply(keydir, segs, out, seg, key, h.flags, pos, h.valueLen);
    }
    pos += len;
  }
  if (bad < 0 && batchStart < 0) return;
  const cut = batchStart >= 0 ? batchStart : bad;
  const what = bad >= 0 ? 'invalid record' : 'unfinished batch at end of segment';
  if (tailFrom < 0) throw corruption(what, seg.file, bad >= 0 ? bad : batchStart);
  if (cut < tailFrom) throw corruption(`${what} below the recorded durable length ${tailFrom}`, seg.file, cut);
  if (bad >= 0 && validRecordAfter(fs, seg, bad)) throw corruption('invalid record followed by valid records', seg.file, bad);
  fs.truncate(seg.fd, cut);
  fs.fsync(seg.fd);
  out.tornBytes += size - cut;
  seg.size = cut;
}

/** True when some offset in (from, size) starts a complete, CRC-valid record. */
function validRecordAfter(fs: Fs, seg: Segment, from: number): boolean {
  const start = from + 1;
  const n = seg.size - start;
  if (n < RECORD_HEADER_BYTES + 1) return false;
  if (n > MAX_TAIL_SEARCH) return true; // too long to be a torn write: treat as corruption
  const b = readExact(fs, seg.fd, seg.file, start, n);
  for (let at = 0; at + RECORD_HEADER_BYTES < n; at++) {
    const h = parseRecordHeader(b, at);
    if (h === undefined) continue;
    const len = RECORD_HEADER_BYTES + h.keyLen + h.valueLen;
    if (at + len <= n && recordCrcOk(b, at, len)) return true;
  }
  return false;
}
