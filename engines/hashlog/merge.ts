/**
 * Merge (compaction): rewrites the live records of every immutable segment into one merged
 * segment and writes its hint file, so the dead bytes (overwritten values, tombstones, dropped
 * batches) are reclaimed and reopening reads hints instead of values.
 *
 * Why no deleted key can come back: the inputs are ALL immutable segments, i.e. every segment
 * older than the active one. A tombstone is dropped only together with every older record of
 * its key (they are all inputs), and the output replaces all inputs atomically: it is written
 * as `<b>.merge` (b = newest input), synced, then renamed over `<b>.data`; its header says it
 * replaces ids [a, b] (a = the oldest input's minId), so a crash before the inputs are unlinked is finished
 * by recovery (deletes them), and a crash before the rename leaves the inputs untouched.
 *
 * Sequence of a merge (kill points in brackets):
 *   write + fdatasync `<b>.merge` [hashlog.merge.before-swap] -> sync the active segment ->
 *   unlink `<b>.hint`, fsync dir -> rename `<b>.merge` over `<b>.data`, fsync dir [hashlog.merge.after-rename]
 *   -> repoint keydir -> unlink inputs a..b-1 and their hints, fsync dir -> write `<b>.hint`
 *   atomically [hashlog.merge.after-hint].
 */
import * as path from 'node:path';
import { corruption } from '../errors.js';
import type { Fs } from '../fs.js';
import { writeFileAtomic } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import {
  DATA_SUFFIX, FLAG_TOMBSTONE, fileName, HINT_SUFFIX, HintBuilder, KIND_MERGED, MERGE_SUFFIX, parseRecordHeader,
  RECORD_HEADER_BYTES, recordCrcOk, sealRecord, SEGMENT_HEADER_BYTES,
} from './format.js';
import type { Keydir } from './keydir.js';
import { createSegment, Segment } from './segment.js';

const KP_BEFORE_SWAP = declareKillPoint('hashlog.merge.before-swap');
const KP_AFTER_RENAME = declareKillPoint('hashlog.merge.after-rename');
const KP_AFTER_HINT = declareKillPoint('hashlog.merge.after-hint');

const OUT_BUFFER = 1024 * 1024;

/** What a merge did, for stats. */
export interface MergeResult {
  /** The merged segment (open), replacing every input. */
  output: Segment;
  bytesRead: number;
  bytesWritten: number;
  /** Size of the hint file written. */
  hintBytes: number;
}

/**
 * Merges `inputs` (all immutable segments, ascending ids, non-empty) into one merged segment.
 * `seqFloor` is the last acknowledged sequence number (kept in the header so reopen never
 * reuses one). `syncActive` makes the active segment durable before the swap. Throws
 * CORRUPTION (file + offset) if a live record fails its CRC; the inputs are then untouched.
 */
export function merge(fs: Fs, dir: string, keydir: Keydir, inputs: readonly Segment[], seqFloor: number, syncActive: () => void): MergeResult {
  const a = inputs[0]!.minId; // the lowest id replaced, transitively (FORMAT.md: always 1)
  const b = inputs[inputs.length - 1]!.id;
  const rank = new Map(inputs.map((s, i) => [s.id, i]));
  // Live entries in the inputs, in (segment, offset) order so inputs are read sequentially.
  const picked: number[] = [];
  for (let e = 0; e < keydir.size; e++) if (rank.has(keydir.segOf(e))) picked.push(e);
  picked.sort((x, y) => rank.get(keydir.segOf(x))! - rank.get(keydir.segOf(y))! || keydir.offOf(x) - keydir.offOf(y));

  fs.unlink(path.join(dir, fileName(b, MERGE_SUFFIX)));
  const out = createSegment(fs, dir, b, KIND_MERGED, a, seqFloor, 0, MERGE_SUFFIX);
  const hint = new HintBuilder();
  const newOff = new Float64Array(picked.length);
  const buf = Buffer.allocUnsafe(OUT_BUFFER);
  let bufLen = 0;
  let bytesRead = 0;
  const flushOut = () => {
    fs.write(out.fd, buf, 0, bufLen, out.size - bufLen);
    bufLen = 0;
  };
  try {
    for (let i = 0; i < picked.length; i++) {
      const e = picked[i]!;
      const src = inputs[rank.get(keydir.segOf(e))!]!;
      const off = keydir.offOf(e);
      const len = RECORD_HEADER_BYTES + keydir.keyLenOf(e) + keydir.valueLenOf(e);
      if (len > buf.length - bufLen && bufLen > 0) flushOut();
      const inBuf = len <= buf.length;
      const rec = inBuf ? buf.subarray(bufLen, bufLen + len) : Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = fs.read(src.fd, rec, got, len - got, off + got);
        if (n === 0) throw corruption('live record beyond end of segment', src.file, off);
        got += n;
      }
      bytesRead += len;
      const h = parseRecordHeader(rec, 0);
      if (h === undefined || !recordCrcOk(rec, 0, len) || h.keyLen !== keydir.keyLenOf(e) || h.valueLen !== keydir.valueLenOf(e))
        throw corruption('live record failed its checksum during merge', src.file, off);
      if (h.flags !== 0) {
        rec[4] = h.flags & FLAG_TOMBSTONE; // batch markers mean nothing outside their batch
        sealRecord(rec, 0, len);
      }
      newOff[i] = out.size;
      hint.add(rec.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + h.keyLen), out.size, h.seq, h.valueLen, 0);
      out.size += len;
      if (inBuf) bufLen += len;
      else fs.write(out.fd, rec, 0, len, out.size - len);
    }
    if (bufLen > 0) flushOut();
    fs.fdatasync(out.fd);
    killPoint(KP_BEFORE_SWAP);
    syncActive();
  } catch (err) {
    fs.close(out.fd);
    fs.unlink(out.file);
    throw err;
  }
  const hintFile = path.join(dir, fileName(b, HINT_SUFFIX));
  const dataFile = path.join(dir, fileName(b, DATA_SUFFIX));
  fs.unlink(hintFile);
  fs.syncDir(dir); // the old hint is durably gone before the data changes (a valid hint matches its segment)
  fs.rename(out.file, dataFile);
  fs.syncDir(dir);
  killPoint(KP_AFTER_RENAME);
  const merged = new Segment(b, dataFile, out.fd, KIND_MERGED, out.size, a);
  for (let i = 0; i < picked.length; i++) {
    const e = picked[i]!;
    keydir.relocate(e, b, newOff[i]!);
  }
  merged.live = merged.size - SEGMENT_HEADER_BYTES;
  for (const s of inputs) {
    fs.close(s.fd);
    if (s.id !== b) {
      fs.unlink(s.file);
      fs.unlink(path.join(dir, fileName(s.id, HINT_SUFFIX)));
    }
  }
  fs.syncDir(dir);
  const hintData = hint.finish(b, merged.size);
  writeFileAtomic(fs, hintFile, hintData);
  killPoint(KP_AFTER_HINT);
  return { output: merged, bytesRead, bytesWritten: merged.size, hintBytes: hintData.length };
}
