/**
 * The manifest: one small file, `MANIFEST`, describing the whole live state: which sstables
 * form which sorted runs of which levels (with their key ranges), the next file number, the last
 * sequence number made durable in tables, the WAL number recovery starts from, and the
 * compaction style. It is replaced atomically on every flush and compaction: write
 * `MANIFEST.tmp`, fsync, rename over `MANIFEST`, fsync the directory. Open replays it.
 * Byte layout in FORMAT.md.
 */
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { corruption } from '../errors.js';
import { readFileIfExists, type Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { ByteReader, ByteWriter } from './coding.js';

/** on-disk: manifest magic "kvLSMman". Never change without a version bump. */
export const MANIFEST_MAGIC = Buffer.from('kvLSMman', 'latin1');
/**
 * on-disk: manifest format version written (2: adds `logSynced`). Never change without a
 * version bump.
 */
export const MANIFEST_VERSION = 2;
/** Manifest versions this code reads (1: no `logSynced`, read as -1 = not recorded). */
export const MANIFEST_READABLE: readonly number[] = [1, 2];
export const MANIFEST_NAME = 'MANIFEST';

const KP_BEFORE_RENAME = declareKillPoint('lsm.manifest.before-rename');

/** A table as the manifest records it. */
export interface ManifestFile {
  number: number;
  size: number;
  entries: number;
  smallest: Buffer;
  largest: Buffer;
}

/** The manifest's contents. */
export interface ManifestState {
  nextFileNumber: number;
  lastSequence: number;
  /** WALs numbered >= this hold writes not yet in tables; older ones are obsolete. */
  logNumber: number;
  /**
   * Bytes of WAL `logNumber` that were fdatasynced before this manifest was written (the log
   * must be at least this long at open; damage below it is CORRUPTION). -1: not recorded
   * (a version-1 manifest).
   */
  logSynced: number;
  compaction: 'leveled' | 'tiered';
  /** levels[level][run][file]. */
  levels: ManifestFile[][][];
  /** Leveled compaction's round-robin position per level (key after which to pick next). */
  compactPointers: Buffer[];
}

/** Serializes a manifest (see FORMAT.md). */
export function encodeManifest(m: ManifestState): Buffer {
  const w = new ByteWriter(1024);
  w.bytes(MANIFEST_MAGIC);
  w.u32(MANIFEST_VERSION);
  w.u32(0); // payload length, patched below
  const start = w.pos;
  w.u64(m.nextFileNumber);
  w.u64(m.lastSequence);
  w.u64(m.logNumber);
  w.u64(Math.max(0, m.logSynced));
  w.u8(m.compaction === 'tiered' ? 1 : 0);
  w.varint(m.levels.length);
  for (let i = 0; i < m.levels.length; i++) {
    w.lengthPrefixed(m.compactPointers[i] ?? Buffer.alloc(0));
    const runs = m.levels[i]!;
    w.varint(runs.length);
    for (const run of runs) {
      w.varint(run.length);
      for (const f of run) {
        w.varint(f.number);
        w.varint(f.size);
        w.varint(f.entries);
        w.lengthPrefixed(f.smallest);
        w.lengthPrefixed(f.largest);
      }
    }
  }
  const payloadLen = w.pos - start;
  w.u32(crc32(w.buf.subarray(start, w.pos)) >>> 0);
  const out = Buffer.from(w.view());
  out.writeUInt32LE(payloadLen, 12);
  return out;
}

/** Parses a manifest; CORRUPTION (with offset) on any damage. */
export function decodeManifest(buf: Buffer, file: string): ManifestState {
  const fail = (offset: number, what: string): never => {
    throw corruption(`manifest ${what}`, file, offset);
  };
  if (buf.length < 20 || !buf.subarray(0, 8).equals(MANIFEST_MAGIC)) fail(0, 'magic missing');
  const version = buf.readUInt32LE(8);
  if (!MANIFEST_READABLE.includes(version)) fail(8, `unknown version ${version}`);
  const payloadLen = buf.readUInt32LE(12);
  const start = 16;
  if (start + payloadLen + 4 !== buf.length) fail(12, 'length mismatch');
  if ((crc32(buf.subarray(start, start + payloadLen)) >>> 0) !== buf.readUInt32LE(start + payloadLen)) fail(start + payloadLen, 'checksum mismatch');
  const r = new ByteReader(buf, fail, start, start + payloadLen);
  const nextFileNumber = r.u64();
  const lastSequence = r.u64();
  const logNumber = r.u64();
  const logSynced = version >= 2 ? r.u64() : -1;
  const style = r.u8();
  if (style > 1) fail(r.pos - 1, `unknown compaction style ${style}`);
  const numLevels = r.varint();
  const levels: ManifestFile[][][] = [];
  const compactPointers: Buffer[] = [];
  for (let i = 0; i < numLevels; i++) {
    compactPointers.push(r.lengthPrefixed());
    const runs: ManifestFile[][] = [];
    const nruns = r.varint();
    for (let j = 0; j < nruns; j++) {
      const run: ManifestFile[] = [];
      const nfiles = r.varint();
      for (let k = 0; k < nfiles; k++) {
        run.push({ number: r.varint(), size: r.varint(), entries: r.varint(), smallest: r.lengthPrefixed(), largest: r.lengthPrefixed() });
      }
      runs.push(run);
    }
    levels.push(runs);
  }
  if (r.pos !== start + payloadLen) fail(r.pos, 'trailing bytes');
  return { nextFileNumber, lastSequence, logNumber, logSynced, compaction: style === 1 ? 'tiered' : 'leveled', levels, compactPointers };
}

/** Reads `dir/MANIFEST`, or undefined when the store is new. */
export function readManifest(fs: Fs, dir: string): ManifestState | undefined {
  const file = path.join(dir, MANIFEST_NAME);
  const buf = readFileIfExists(fs, file);
  if (buf === undefined) return undefined;
  return decodeManifest(Buffer.from(buf.buffer, buf.byteOffset, buf.length), file);
}

/** Replaces `dir/MANIFEST` atomically and durably (write tmp, fsync, rename, fsync dir). */
export function writeManifest(fs: Fs, dir: string, m: ManifestState): void {
  const file = path.join(dir, MANIFEST_NAME);
  const tmp = `${file}.tmp`;
  const data = encodeManifest(m);
  const fd = fs.open(tmp, 'truncate');
  try {
    fs.write(fd, data, 0, data.length, 0);
    fs.fsync(fd);
  } finally {
    fs.close(fd);
  }
  killPoint(KP_BEFORE_RENAME);
  fs.rename(tmp, file);
  fs.syncDir(dir);
}
