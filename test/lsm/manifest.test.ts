import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { NodeFs } from '../../engines/fs.js';
import { decodeManifest, encodeManifest, readManifest, writeManifest } from '../../engines/lsm/manifest.js';
import type { ManifestState } from '../../engines/lsm/manifest.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { k } from './helpers.js';

const state: ManifestState = {
  nextFileNumber: 2 ** 40 + 3,
  lastSequence: 2 ** 45 + 7,
  logNumber: 17,
  logSynced: 12345,
  compaction: 'tiered',
  levels: [
    [[{ number: 5, size: 1000, entries: 10, smallest: k('a'), largest: k('m') }], [{ number: 4, size: 900, entries: 9, smallest: k('b'), largest: k('z') }]],
    [],
    [[{ number: 1, size: 5, entries: 1, smallest: k('\x00'), largest: k('\xff\xff') }, { number: 2, size: 6, entries: 2, smallest: k('\xff\xff\x00'), largest: k('\xff\xff\xff') }]],
  ],
  compactPointers: [Buffer.alloc(0), k('q'), Buffer.alloc(0)],
};

describe('lsm manifest', () => {
  it('round-trips every field', () => {
    const back = decodeManifest(encodeManifest(state), 'M');
    expect(JSON.stringify(back)).toBe(JSON.stringify(state));
  });

  it('detects any flipped byte or truncation as CORRUPTION', () => {
    const bytes = encodeManifest(state);
    for (let i = 0; i < bytes.length; i++) {
      const bad = Buffer.from(bytes);
      bad[i]! ^= 0x10;
      expect(() => decodeManifest(bad, 'M'), `byte ${i}`).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    }
    for (let n = 0; n < bytes.length; n += 7)
      expect(() => decodeManifest(bytes.subarray(0, n), 'M')).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
  });

  it('is replaced atomically: a leftover MANIFEST.tmp is ignored and the last renamed one wins', () => {
    const dir = tmpDir();
    const fs = new NodeFs();
    writeManifest(fs, dir, state);
    nodefs.writeFileSync(path.join(dir, 'MANIFEST.tmp'), 'half-written');
    expect(readManifest(fs, dir)?.logNumber).toBe(17);
    writeManifest(fs, dir, { ...state, logNumber: 18 });
    expect(readManifest(fs, dir)?.logNumber).toBe(18);
    expect(nodefs.existsSync(path.join(dir, 'MANIFEST.tmp'))).toBe(false);
  });

  it('is replayed on open: the same tables per level come back, and their data', () => {
    const dir = tmpDir();
    const spec = 'lsm:memtableSize=2048,targetFileSize=4096,blockSize=256,l0Trigger=3,sizeRatio=3';
    let e = openSyncEngine(spec, { dir });
    for (let i = 0; i < 2000; i++) e.put(k(`key${(i * 37) % 701}`), Buffer.alloc(40, i));
    const shape = (x: Record<string, number>) => Object.keys(x).filter((n) => /^L\d+\.(files|bytes|runs)$/.test(n)).map((n) => `${n}=${x[n]}`).sort();
    e.close();
    const m = readManifest(new NodeFs(), dir)!;
    // the shape the closed store left (close waited for and installed any background job)
    const before: Record<string, number> = {};
    m.levels.forEach((runs, i) => {
      before[`L${i}.files`] = runs.flat().length;
      before[`L${i}.bytes`] = runs.flat().reduce((a, f) => a + f.size, 0);
      before[`L${i}.runs`] = runs.length;
    });
    const names = nodefs.readdirSync(dir).filter((n) => n.endsWith('.sst')).map((n) => Number(n.slice(0, -4))).sort((a, b) => a - b);
    expect(m.levels.flat(2).map((f) => f.number).sort((a, b) => a - b)).toEqual(names);
    e = openSyncEngine(spec, { dir });
    // Reopen flushes the replayed WAL as one more level-0 table; the deeper levels are as they were.
    const after = e.stats().extra;
    expect(shape(after).filter((s) => !s.startsWith('L0') && !s.startsWith('L1'))).toEqual(shape(before).filter((s) => !s.startsWith('L0') && !s.startsWith('L1')));
    for (let i = 0; i < 701; i++) expect(Buffer.from(e.get(k(`key${i}`))!).equals(Buffer.alloc(40, [...Array(2000).keys()].filter((j) => (j * 37) % 701 === i).pop()!))).toBe(true);
    e.close();
  });

  it('a damaged MANIFEST makes open fail with CORRUPTION, not silently empty', () => {
    const dir = tmpDir();
    const e = openSyncEngine('lsm:memtableSize=2048', { dir });
    for (let i = 0; i < 200; i++) e.put(k(`key${i}`), Buffer.alloc(40, i));
    e.close();
    const file = path.join(dir, 'MANIFEST');
    const b = nodefs.readFileSync(file);
    b[20]! ^= 1;
    nodefs.writeFileSync(file, b);
    let err: unknown;
    try {
      openSyncEngine('lsm:memtableSize=2048', { dir });
    } catch (x) {
      err = x;
    }
    expect(isKvError(err, 'CORRUPTION')).toBe(true);
    // The lock was released: after repairing, the store opens.
    nodefs.writeFileSync(file, (b[20]! ^= 1, b));
    openSyncEngine('lsm:memtableSize=2048', { dir }).close();
  });
});
