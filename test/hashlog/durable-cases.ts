/**
 * Recovery cases shared by hashlog and native (one on-disk format): what the state file's
 * recorded durable length changes. Below it every byte must be intact (a cut, a damaged last
 * record: CORRUPTION with file and offset); beyond it is a tail that may be torn (a bad last
 * record is cut, a bad record followed by a valid one is CORRUPTION); a missing segment or
 * state file is CORRUPTION; a damaged record behind an index entry is never an absent key.
 * Each test copies a store before damaging it, so every case starts from the same bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { isKvError, KvError } from '../../engines/errors.js';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../engines/hashlog/format.js';
import { STATE_FILE, STATE_SLOT_BYTES } from '../../engines/hashlog/state.js';
import { tmpDir } from '../support/tmp.js';
import { b, copyDir, dataFiles, flipByte, str } from './helpers.js';

/** Opens the engine under test on `dir` with engine options in spec syntax (`segmentBytes=4096`). */
export type Opener = (dir: string, opts?: string) => Engine;

const val = (i: number) => `val-${i}-`.padEnd(40 + (i % 23), String.fromCharCode(97 + (i % 26)));
const recLen = (i: number) => RECORD_HEADER_BYTES + `k${i}`.length + val(i).length;

/** The error `f` throws (undefined if none); closes what it opened. */
function openError(open: Opener, dir: string, opts?: string): unknown {
  try {
    const e = open(dir, opts);
    e.close();
    return undefined;
  } catch (err) {
    return err;
  }
}

function expectCorruption(err: unknown, file: string, offset?: number): void {
  expect(isKvError(err, 'CORRUPTION'), String(err)).toBe(true);
  expect((err as KvError).file).toBe(file);
  if (offset !== undefined) expect((err as KvError).offset).toBe(offset);
}

/** Puts k0..k(n-1) into a fresh store; `crashAfter` more puts after a sync land only in `crash` (copied before close). */
function build(open: Opener, n: number, opts = '', crashAfter = 0): { closed: string; crash: string } {
  const closed = tmpDir('kvlab-dl-');
  const crash = tmpDir('kvlab-dl-');
  const e = open(closed, opts);
  for (let i = 0; i < n; i++) e.put(b(`k${i}`), b(val(i)));
  e.sync();
  for (let i = n; i < n + crashAfter; i++) e.put(b(`k${i}`), b(val(i)));
  copyDir(closed, crash); // a SIGKILL now: the last puts are in the file, beyond the recorded length
  e.close();
  return { closed, crash };
}

function copy(from: string): string {
  const d = tmpDir('kvlab-dl-');
  copyDir(from, d);
  return d;
}

/** Registers the shared cases for one engine. */
export function durableLengthCases(name: string, open: Opener): void {
  describe(`${name} recovery: the recorded durable length`, () => {
    it('a cleanly closed active segment cut anywhere (record boundaries, mid-record, inside the header, to 0) is CORRUPTION at the cut', () => {
      const { closed } = build(open, 30);
      const seg = dataFiles(closed).pop()!;
      const size = fs.statSync(path.join(closed, seg)).size;
      const cuts = new Set([0, 1, SEGMENT_HEADER_BYTES - 1, SEGMENT_HEADER_BYTES, SEGMENT_HEADER_BYTES + 5, size - 1]);
      let at = SEGMENT_HEADER_BYTES;
      for (let i = 0; i < 30; i++) cuts.add((at += recLen(i)));
      cuts.delete(size);
      for (const cut of cuts) {
        const dir = copy(closed);
        fs.truncateSync(path.join(dir, seg), cut);
        expectCorruption(openError(open, dir), path.join(dir, seg), cut);
      }
    });

    it('damage to the last record of a cleanly closed store is CORRUPTION, not a torn tail', () => {
      const { closed } = build(open, 30);
      const seg = dataFiles(closed).pop()!;
      const size = fs.statSync(path.join(closed, seg)).size;
      const last = size - recLen(29);
      for (const at of [size - 1, last, last + 4, last + RECORD_HEADER_BYTES]) {
        const dir = copy(closed);
        flipByte(path.join(dir, seg), at, 0x10);
        expectCorruption(openError(open, dir), path.join(dir, seg), last);
      }
      const dir = copy(closed);
      fs.writeFileSync(path.join(dir, seg), Buffer.concat([fs.readFileSync(path.join(dir, seg)).subarray(0, size - 100), Buffer.alloc(100)]));
      expectCorruption(openError(open, dir), path.join(dir, seg));
    });

    it('beyond the recorded length: a bad last record is a torn tail (cut), a bad record before a valid one is CORRUPTION', () => {
      const { crash } = build(open, 20, '', 3);
      const seg = dataFiles(crash).pop()!;
      const size = fs.statSync(path.join(crash, seg)).size;
      const third = size - recLen(22);
      const first = third - recLen(21) - recLen(20);
      // The last unsynced record damaged: cut, everything before it kept.
      let dir = copy(crash);
      flipByte(path.join(dir, seg), third + RECORD_HEADER_BYTES + 1, 0x01);
      const e = open(dir);
      for (let i = 0; i < 22; i++) expect(str(e.get(b(`k${i}`))), `k${i}`).toBe(val(i));
      expect(e.get(b('k22'))).toBeUndefined();
      expect(e.stats().extra.tornBytesTruncatedAtOpen).toBe(recLen(22));
      e.close();
      // The first unsynced record damaged, valid ones after it: CORRUPTION at its offset.
      dir = copy(crash);
      flipByte(path.join(dir, seg), first + RECORD_HEADER_BYTES + 1, 0x01);
      expectCorruption(openError(open, dir), path.join(dir, seg), first);
      // Truncated inside the unsynced tail: a torn write, cut.
      dir = copy(crash);
      fs.truncateSync(path.join(dir, seg), first + 3);
      const t = open(dir);
      for (let i = 0; i < 20; i++) expect(str(t.get(b(`k${i}`))), `k${i}`).toBe(val(i));
      expect(t.get(b('k20'))).toBeUndefined();
      t.close();
    });

    it('a missing segment file (newest, middle, oldest, merged) or a missing state file is CORRUPTION', () => {
      const opts = 'segmentBytes=4096,autoMerge=false';
      const { closed } = build(open, 300, opts);
      const segs = dataFiles(closed);
      expect(segs.length).toBeGreaterThan(3);
      for (const victim of [segs[segs.length - 1]!, segs[1]!, segs[0]!, STATE_FILE]) {
        const dir = copy(closed);
        fs.unlinkSync(path.join(dir, victim));
        const err = openError(open, dir, opts);
        expect(isKvError(err, 'CORRUPTION'), `${victim} deleted: ${String(err)}`).toBe(true);
      }
      const merged = copy(closed);
      const e = open(merged, opts);
      e.compact();
      e.put(b('after-merge'), b('x'));
      e.close();
      const mergedFile = fs.readdirSync(merged).find((f) => f.endsWith('.hint'))!.replace('.hint', '.data');
      fs.unlinkSync(path.join(merged, mergedFile));
      expect(isKvError(openError(open, merged, opts), 'CORRUPTION')).toBe(true);
    });

    it('an older log segment cut at a record boundary is CORRUPTION: the header of the next segment records its length', () => {
      const opts = 'segmentBytes=4096,autoMerge=false';
      const { closed } = build(open, 300, opts);
      const segs = dataFiles(closed);
      expect(segs.length).toBeGreaterThan(3);
      const file = path.join(closed, segs[1]!);
      const bytes = fs.readFileSync(file);
      let lastStart = SEGMENT_HEADER_BYTES;
      for (let at = SEGMENT_HEADER_BYTES; at < bytes.length; at += RECORD_HEADER_BYTES + bytes.readUInt16LE(at + 6) + bytes.readUInt32LE(at + 8)) lastStart = at;
      for (const cut of [lastStart, SEGMENT_HEADER_BYTES]) {
        const dir = copy(closed);
        fs.truncateSync(path.join(dir, segs[1]!), cut);
        expectCorruption(openError(open, dir, opts), path.join(dir, segs[1]!), cut);
      }
    });

    it('the state file: one damaged slot falls back to the other; both damaged, or a wrong size, is CORRUPTION', () => {
      const { closed } = build(open, 30);
      for (const slot of [0, 1]) {
        const dir = copy(closed);
        flipByte(path.join(dir, STATE_FILE), slot * STATE_SLOT_BYTES + 20, 0x04);
        const e = open(dir);
        for (let i = 0; i < 30; i++) expect(str(e.get(b(`k${i}`))), `k${i}`).toBe(val(i));
        e.close();
      }
      let dir = copy(closed);
      flipByte(path.join(dir, STATE_FILE), 20, 0x04);
      flipByte(path.join(dir, STATE_FILE), STATE_SLOT_BYTES + 20, 0x04);
      expectCorruption(openError(open, dir), path.join(dir, STATE_FILE), 0);
      dir = copy(closed);
      fs.truncateSync(path.join(dir, STATE_FILE), STATE_SLOT_BYTES);
      expectCorruption(openError(open, dir), path.join(dir, STATE_FILE));
    });

    it('a damaged key or zeroed block in a merged segment (loaded from its hint) is CORRUPTION on get, never an absent key', () => {
      const { closed } = build(open, 200);
      const e = open(closed);
      e.compact();
      e.close();
      const merged = fs.readdirSync(closed).find((f) => f.endsWith('.hint'))!.replace('.hint', '.data');
      // Records are copied in order: k0 is the first record of the merged segment.
      let dir = copy(closed);
      flipByte(path.join(dir, merged), SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + 1, 0x01);
      let s = open(dir);
      expect(s.stats().extra.hintsLoadedAtOpen).toBe(1);
      expect(() => s.get(b('k0'))).toThrow(expect.objectContaining({ code: 'CORRUPTION', offset: SEGMENT_HEADER_BYTES }));
      s.close();
      dir = copy(closed);
      const file = path.join(dir, merged);
      const bytes = fs.readFileSync(file);
      bytes.fill(0, 4096, 4096 + 512);
      fs.writeFileSync(file, bytes);
      s = open(dir);
      let detected = 0;
      for (let i = 0; i < 200; i++) {
        try {
          expect(str(s.get(b(`k${i}`))), `k${i}`).toBe(val(i));
        } catch (err) {
          if (!isKvError(err, 'CORRUPTION')) throw err;
          detected++;
        }
      }
      expect(detected).toBeGreaterThan(0);
      s.close();
    });

    it('a merged segment cut at a record boundary is CORRUPTION: its hint records its length', () => {
      const { closed } = build(open, 200);
      const e = open(closed);
      e.compact();
      e.close();
      const merged = fs.readdirSync(closed).find((f) => f.endsWith('.hint'))!.replace('.hint', '.data');
      let cut = SEGMENT_HEADER_BYTES;
      for (let i = 0; i < 120; i++) cut += recLen(i);
      const dir = copy(closed);
      fs.truncateSync(path.join(dir, merged), cut);
      expectCorruption(openError(open, dir), path.join(dir, merged), cut);
    });
  });
}
