/**
 * lsm WAL recovery against the MANIFEST's recorded synced length: a torn tail beyond it is cut,
 * damage followed by valid data is CORRUPTION, and a log shorter than the record (even cut at a
 * record boundary, which parses as a clean log) or damaged below it is CORRUPTION with file and
 * offset. The "crashed" states are copies of a store's files taken while it is still open: what
 * a SIGKILL leaves (the OS has every write).
 */
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { LOCK_FILE } from '../../engines/common.js';
import { openLsm } from '../../engines/lsm/index.js';
import { readManifest } from '../../engines/lsm/manifest.js';
import { NodeFs } from '../../engines/fs.js';
import { CrashFs } from '../../engines/testing/crash-fs.js';
import { WAL_RECORD_BYTES } from '../../engines/lsm/engine.js';
import { tmpDir } from '../support/tmp.js';
import { k } from './helpers.js';

const BIG = { memtableSize: 64 * 1024 * 1024 };
const VALUE = 1000;
const SYNCED = Math.ceil((WAL_RECORD_BYTES * 1.1) / VALUE);
const UNSYNCED = 6;
const val = (i: number) => Buffer.alloc(VALUE, i & 255);

function copyStore(from: string): string {
  const to = tmpDir();
  for (const name of nodefs.readdirSync(from)) if (name !== LOCK_FILE) nodefs.copyFileSync(path.join(from, name), path.join(to, name));
  return to;
}

function logOf(dir: string): string {
  const logs = nodefs.readdirSync(dir).filter((n) => n.endsWith('.log'));
  expect(logs).toHaveLength(1);
  return path.join(dir, logs[0]!);
}

/**
 * A store whose MANIFEST records a synced WAL length R (SYNCED writes, then sync()), with
 * UNSYNCED more writes after R; copied while open (the SIGKILL state). Returns the copy, R and
 * the WAL offsets where each unsynced record ends.
 */
function crashed(): { dir: string; log: string; recorded: number; ends: number[] } {
  const live = tmpDir();
  const e = openLsm({ dir: live }, BIG);
  for (let i = 0; i < SYNCED; i++) e.put(k(`key${i}`), val(i));
  e.sync();
  const ends: number[] = [];
  for (let i = 0; i < UNSYNCED; i++) {
    e.put(k(`key${SYNCED + i}`), val(SYNCED + i));
    ends.push(e.stats().extra.walBytes!);
  }
  const dir = copyStore(live);
  e.close();
  const m = readManifest(new NodeFs(), dir)!;
  expect(m.logSynced).toBeGreaterThan(WAL_RECORD_BYTES);
  expect(ends[0]).toBeGreaterThan(m.logSynced);
  return { dir, log: logOf(dir), recorded: m.logSynced, ends };
}

function openErr(dir: string): { code?: string; file?: string; offset?: number; message?: string } {
  try {
    openLsm({ dir }, BIG).close();
  } catch (e) {
    if (isKvError(e)) return { code: e.code, file: e.file, offset: e.offset, message: e.message };
    throw e;
  }
  return {};
}

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = nodefs.openSync(file, 'r+');
  nodefs.writeSync(fd, bytes, 0, bytes.length, offset);
  nodefs.closeSync(fd);
}

function keysPresent(dir: string, n: number): number {
  const e = openLsm({ dir }, BIG);
  let present = 0;
  try {
    for (let i = 0; i < n; i++) {
      const v = e.get(k(`key${i}`));
      if (v === undefined) continue;
      expect(Buffer.compare(Buffer.from(v), val(i)), `key${i}`).toBe(0);
      present++;
    }
  } finally {
    e.close();
  }
  return present;
}

describe('lsm recovery: torn tail vs damage vs truncation', () => {
  it('a SIGKILL state opens with every write', () => {
    const { dir } = crashed();
    expect(keysPresent(dir, SYNCED + UNSYNCED)).toBe(SYNCED + UNSYNCED);
  });

  it('a torn last record beyond the recorded length is cut (bounded loss), also with garbage after it', () => {
    const { dir, log, ends } = crashed();
    nodefs.truncateSync(log, ends[UNSYNCED - 1]! - 300); // the last write reached the disk only in part
    const copy = copyStore(dir);
    expect(keysPresent(dir, SYNCED + UNSYNCED)).toBe(SYNCED + UNSYNCED - 1);
    nodefs.appendFileSync(logOf(copy), Buffer.alloc(2000, 0xa7));
    expect(keysPresent(copy, SYNCED + UNSYNCED)).toBe(SYNCED + UNSYNCED - 1);
  });

  it('a damaged record beyond the recorded length followed by a valid one is CORRUPTION with file and offset', () => {
    const { dir, log, ends } = crashed();
    const at = ends[1]! + 100; // inside the third unsynced record; three valid ones follow
    patch(log, at, Buffer.from([0x5a]));
    const err = openErr(dir);
    expect(err.code).toBe('CORRUPTION');
    expect(err.file).toBe(log);
    expect(err.offset).toBeLessThanOrEqual(at);
    expect(err.offset).toBeGreaterThanOrEqual(ends[1]!);
  });

  it('a zeroed header beyond the recorded length followed by valid data is CORRUPTION', () => {
    const { dir, log, ends } = crashed();
    patch(log, ends[1]!, Buffer.alloc(16)); // a zero header claims length 0: the next fragment is found by scanning
    expect(openErr(dir).code).toBe('CORRUPTION');
  });

  it('a log shorter than the recorded length is CORRUPTION, even when cut at a record boundary', () => {
    const { dir, log, recorded } = crashed();
    const copy = copyStore(dir);
    const boundary = recorded - (VALUE + 40) * 3; // somewhere three records below R
    nodefs.truncateSync(log, boundary);
    nodefs.writeFileSync(path.join(dir, '999999.sst'), 'an orphan table'); // garbage a healthy open would delete
    const names = () => nodefs.readdirSync(dir).filter((n) => n !== LOCK_FILE).sort();
    const before = names();
    let err = openErr(dir);
    expect(names(), 'a CORRUPTION open deletes nothing').toEqual(before);
    expect(err.code).toBe('CORRUPTION');
    expect(err.file).toBe(log);
    expect(err.offset).toBe(boundary);
    // exactly at R minus one whole record: the log alone would parse as complete
    const copyLog = logOf(copy);
    const full = nodefs.readFileSync(copyLog);
    nodefs.truncateSync(copyLog, recordBoundaryBelow(full, recorded));
    err = openErr(copy);
    expect(err.code).toBe('CORRUPTION');
    expect(err.message).toMatch(/shorter than/);
  });

  it('damage below the recorded length is CORRUPTION even when nothing valid follows it', () => {
    const { dir, log, recorded } = crashed();
    nodefs.truncateSync(log, recorded); // drop the unsynced tail: the damaged record is then the last one
    patch(log, recorded - 10, Buffer.from([0xff, 0x00, 0xff]));
    const err = openErr(dir);
    expect(err.code).toBe('CORRUPTION');
    expect(err.offset).toBeLessThan(recorded);
  });

  it('a cleanly closed store: truncating the log at a record boundary or zeroing its end is CORRUPTION', () => {
    const dir = tmpDir();
    const e = openLsm({ dir }, BIG);
    for (let i = 0; i < 50; i++) e.put(k(`key${i}`), val(i));
    e.close();
    const log = logOf(dir);
    const full = nodefs.readFileSync(log);
    expect(readManifest(new NodeFs(), dir)!.logSynced).toBe(full.length);
    const copy = copyStore(dir);
    nodefs.truncateSync(log, recordBoundaryBelow(full, full.length));
    expect(openErr(dir).code).toBe('CORRUPTION');
    patch(logOf(copy), full.length - 512, Buffer.alloc(512));
    expect(openErr(copy).code).toBe('CORRUPTION');
  });

  it('after a power loss (strict and random, with garbage) the recorded length never causes a false CORRUPTION', () => {
    for (const [mode, seed] of [['strict', 1], ['random', 2], ['random', 3], ['random', 4], ['random', 5], ['random', 6]] as const) {
      const live = tmpDir();
      const fs = new CrashFs(live);
      const e = openLsm({ dir: live, fs }, BIG);
      for (let i = 0; i < SYNCED; i++) e.put(k(`key${i}`), val(i));
      e.sync(); // records the synced length in the MANIFEST
      for (let i = 0; i < UNSYNCED; i++) e.put(k(`key${SYNCED + i}`), val(SYNCED + i));
      const into = tmpDir();
      fs.crash({ mode, seed, into });
      expect(readManifest(new NodeFs(), into)!.logSynced, `${mode} ${seed}`).toBeGreaterThan(WAL_RECORD_BYTES);
      expect(keysPresent(into, SYNCED), `${mode} ${seed}: every synced write`).toBe(SYNCED);
      expect(keysPresent(into, SYNCED + UNSYNCED), `${mode} ${seed}: no CORRUPTION, a prefix of the rest`).toBeGreaterThanOrEqual(SYNCED);
    }
  });

  it('only logs the MANIFEST accounts for are deleted: an empty newer log goes, one holding data is CORRUPTION', () => {
    const dir = tmpDir();
    const e = openLsm({ dir }, BIG);
    e.put(k('a'), val(1));
    e.close();
    const m = readManifest(new NodeFs(), dir)!;
    const name = (n: number) => path.join(dir, `${String(n).padStart(6, '0')}.log`);
    nodefs.writeFileSync(name(m.nextFileNumber + 5), Buffer.alloc(0));
    expect(keysPresent(dir, 0)).toBe(0);
    expect(nodefs.existsSync(name(m.nextFileNumber + 5))).toBe(false);
    const m2 = readManifest(new NodeFs(), dir)!;
    nodefs.writeFileSync(name(m2.nextFileNumber + 5), Buffer.alloc(100, 1));
    const before = nodefs.readdirSync(dir).sort();
    expect(openErr(dir).code).toBe('CORRUPTION');
    expect(nodefs.readdirSync(dir).sort()).toEqual(before);
  });

  it('tables without a MANIFEST are CORRUPTION, not a new empty store that deletes them', () => {
    const dir = tmpDir();
    const e = openLsm({ dir }, { memtableSize: 4096 });
    for (let i = 0; i < 100; i++) e.put(k(`key${i}`), val(i));
    e.close();
    nodefs.unlinkSync(path.join(dir, 'MANIFEST'));
    const before = nodefs.readdirSync(dir).sort();
    expect(before.some((n) => n.endsWith('.sst'))).toBe(true);
    expect(openErr(dir).code).toBe('CORRUPTION');
    expect(nodefs.readdirSync(dir).sort()).toEqual(before);
  });
});

/** The end offset of the last whole record ending strictly before `limit` (walks FULL fragments). */
function recordBoundaryBelow(buf: Buffer, limit: number): number {
  let pos = 0;
  let last = 0;
  while (pos + 7 <= buf.length) {
    const left = 32768 - (pos % 32768);
    if (left < 7) {
      pos += left;
      continue;
    }
    const n = buf.readUInt16LE(pos + 4);
    const type = buf[pos + 6]!;
    pos += 7 + n;
    if ((type === 1 || type === 4) && pos < limit) last = pos;
    if (pos >= limit) break;
  }
  expect(last).toBeGreaterThan(0);
  return last;
}
