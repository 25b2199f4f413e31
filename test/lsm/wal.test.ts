import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { NodeFs } from '../../engines/fs.js';
import { parseWal, readWal, WAL_BLOCK_SIZE, WalWriter } from '../../engines/lsm/wal.js';
import { tmpDir } from '../support/tmp.js';
import { rng } from './helpers.js';

/** Records of varied sizes: tiny, around a block, and spanning several blocks. */
function records(seed: number): Buffer[] {
  const r = rng(seed);
  const sizes = [1, 10, 100, 1000, WAL_BLOCK_SIZE - 7, WAL_BLOCK_SIZE - 14, WAL_BLOCK_SIZE, 3 * WAL_BLOCK_SIZE + 5, 0, 5];
  for (let i = 0; i < 30; i++) sizes.push(Math.floor(r() * 3000));
  return sizes.map((n, i) => {
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = (i * 31 + j) & 255;
    return b;
  });
}

function writeLog(recs: Buffer[]): { file: string; ends: number[] } {
  const fs = new NodeFs();
  const file = path.join(tmpDir(), 'test.log');
  const w = new WalWriter(fs, file, fs.open(file, 'truncate'));
  const ends: number[] = [];
  for (const r of recs) {
    w.append(r);
    ends.push(w.offset);
  }
  w.sync();
  w.close();
  return { file, ends };
}

const hexes = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

describe('lsm WAL', () => {
  it('round-trips records of every size, including multi-block fragments', () => {
    const recs = records(1);
    const { file } = writeLog(recs);
    const got = readWal(new NodeFs(), file);
    expect(got.torn).toBe(false);
    expect(hexes(got.records)).toEqual(hexes(recs));
  });

  it('drops a torn tail at any truncation offset and keeps every complete record before it', () => {
    const recs = records(2);
    const { file, ends } = writeLog(recs);
    const full = nodefs.readFileSync(file);
    const offsets = new Set<number>();
    for (let o = 0; o <= full.length; o += 331) offsets.add(o);
    for (const e of ends) for (const d of [-8, -7, -1, 0, 1, 6, 7, 8]) if (e + d >= 0 && e + d <= full.length) offsets.add(e + d);
    for (const cut of offsets) {
      const got = parseWal(full.subarray(0, cut), file);
      const complete = ends.filter((e) => e <= cut).length;
      // Every record fully inside the prefix is recovered; nothing after it; nothing invented.
      expect(got.records.length, `cut at ${cut}`).toBe(complete);
      expect(hexes(got.records)).toEqual(hexes(recs.slice(0, complete)));
      expect(got.validEnd).toBeLessThanOrEqual(cut);
    }
  });

  it('treats a zero-filled or garbage tail after the last record as torn', () => {
    const recs = records(3).slice(0, 12);
    const { file } = writeLog(recs);
    const full = nodefs.readFileSync(file);
    for (const tail of [Buffer.alloc(5000), Buffer.alloc(100, 0xab)]) {
      const got = parseWal(Buffer.concat([full, tail]), file);
      expect(hexes(got.records)).toEqual(hexes(recs));
      expect(got.torn).toBe(true);
    }
  });

  it('reports damage followed by valid records as CORRUPTION with the offset', () => {
    const recs = records(4);
    const { file, ends } = writeLog(recs);
    const full = nodefs.readFileSync(file);
    let detected = 0;
    // Flip a byte inside each record except the last few (those are indistinguishable from a torn tail).
    for (let i = 1; i < recs.length - 3; i++) {
      if (recs[i]!.length === 0) continue;
      const bad = Buffer.from(full);
      const at = ends[i - 1]! + 7 + Math.floor(recs[i]!.length / 2);
      bad[at]! ^= 0x01;
      let err: unknown;
      try {
        parseWal(bad, file);
      } catch (e) {
        err = e;
      }
      expect(isKvError(err, 'CORRUPTION'), `record ${i}`).toBe(true);
      expect((err as { file?: string }).file).toBe(file);
      expect((err as { offset?: number }).offset).toBeLessThanOrEqual(at);
      detected++;
    }
    expect(detected).toBeGreaterThan(20);
  });
});
