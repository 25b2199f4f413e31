/**
 * Rollover, merge and hint files: merged stores agree with an oracle across reopen, deleted keys
 * never come back (also when their tombstone sits in the unmerged active segment), reopen after
 * a merge reads the hint instead of values, a damaged hint falls back to scanning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEGMENT_HEADER_BYTES } from '../../engines/hashlog/format.js';
import { tmpDir } from '../support/tmp.js';
import { b, dataFiles, flipByte, hintFiles, openHashlog, str } from './helpers.js';

const SMALL = 'segmentBytes=4096,autoMerge=false';

function fill(e: ReturnType<typeof openHashlog>, prefix: string, n: number, size = 100): void {
  for (let i = 0; i < n; i++) e.put(b(`${prefix}${i}`), b(`${prefix}${i}=`.padEnd(size, '.')));
}

describe('hashlog rollover', () => {
  it('rolls to a new segment at the size limit; a record larger than the limit gets its own segment', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, SMALL);
    fill(e, 'a', 200);
    const big = Buffer.alloc(10_000, 7);
    e.put(b('big'), big);
    fill(e, 'c', 10);
    e.close();
    const files = dataFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(6);
    const sizes = files.map((f) => fs.statSync(path.join(dir, f)).size);
    expect(sizes.filter((s) => s > 4096)).toEqual([SEGMENT_HEADER_BYTES + 20 + 3 + 10_000]);
    const r = openHashlog(dir, SMALL);
    for (let i = 0; i < 200; i++) expect(str(r.get(b(`a${i}`)))).toBe(`a${i}=`.padEnd(100, '.'));
    expect(Buffer.from(r.get(b('big'))!).equals(big)).toBe(true);
    expect(r.stats().extra.segments).toBe(files.length);
    r.close();
  });
});

describe('hashlog merge', () => {
  it('reclaims dead bytes, keeps every live key, writes a hint, and reopen uses it without reading values', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, SMALL);
    for (let round = 0; round < 5; round++) fill(e, 'k', 100, 200 + round);
    for (let i = 0; i < 100; i += 4) e.delete(b(`k${i}`));
    const before = e.stats();
    expect(before.extra.deadBytes).toBeGreaterThan(before.liveBytes * 3);
    e.compact();
    const after = e.stats();
    expect(after.compactions).toBe(1);
    expect(after.diskBytes).toBeLessThan(before.diskBytes / 3);
    expect(after.extra.deadBytes).toBe(0);
    expect(after.liveKeys).toBe(75);
    expect(dataFiles(dir).length).toBe(2); // merged + active
    expect(hintFiles(dir).length).toBe(1);
    e.close();
    const r = openHashlog(dir, SMALL);
    const s = r.stats();
    expect(s.extra.hintsLoadedAtOpen).toBe(1);
    expect(s.extra.segmentsScannedAtOpen).toBe(1); // only the (empty) active segment
    expect(s.deviceBytesRead).toBeLessThan(75 * 204); // hint + headers, not the values
    for (let i = 0; i < 100; i++) expect(str(r.get(b(`k${i}`)))).toBe(i % 4 === 0 ? undefined : `k${i}=`.padEnd(204, '.'));
    r.close();
  });

  it('never resurrects a deleted key: tombstone merged with its value, or left in the active segment', () => {
    const dir = tmpDir('kvlab-hl-');
    let e = openHashlog(dir, SMALL);
    e.put(b('gone-merged'), b('old'));
    e.put(b('gone-active'), b('old'));
    fill(e, 'pad', 60);
    e.delete(b('gone-merged'));
    fill(e, 'pad2-', 60);
    e.delete(b('gone-active')); // in the active segment when merging below
    e.compact(); // rolls first, so the tombstone of gone-active is an input too
    e.put(b('x'), b('1'));
    e.delete(b('pad0'));
    e.close();
    for (let round = 0; round < 3; round++) {
      e = openHashlog(dir, SMALL);
      expect(e.get(b('gone-merged'))).toBeUndefined();
      expect(e.get(b('gone-active'))).toBeUndefined();
      expect(e.get(b('pad0'))).toBeUndefined();
      expect(str(e.get(b('pad1')))).toBe('pad1='.padEnd(100, '.'));
      fill(e, 'more', 30);
      e.compact();
      e.close();
    }
  });

  it('merges automatically only when the dead-bytes ratio and minimum size are reached', () => {
    const fresh = (opts: string, overwrite: boolean) => {
      const e = openHashlog(tmpDir('kvlab-hl-'), opts);
      for (let i = 0; i < 400; i++) e.put(b(overwrite ? `k${i % 10}` : `k${i}`), b('x'.repeat(100)));
      const s = e.stats();
      e.close();
      return s;
    };
    expect(fresh('segmentBytes=4096,mergeRatio=0.5', false).compactions).toBe(0); // nothing dead
    const merged = fresh('segmentBytes=4096,mergeRatio=0.5', true);
    expect(merged.compactions).toBeGreaterThan(0);
    expect(merged.extra.mergesByDeadRatio).toBe(merged.compactions);
    expect(fresh('segmentBytes=4096,mergeRatio=0.5,mergeMinBytes=1000000', true).compactions).toBe(0);
    expect(fresh('segmentBytes=4096,autoMerge=false', true).compactions).toBe(0);
  });

  it('a damaged hint file is ignored and the segment is scanned instead', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, SMALL);
    fill(e, 'k', 120);
    e.compact();
    e.close();
    flipByte(path.join(dir, hintFiles(dir)[0]!), 40);
    const r = openHashlog(dir, SMALL);
    expect(r.stats().extra.hintsLoadedAtOpen).toBe(0);
    for (let i = 0; i < 120; i++) expect(str(r.get(b(`k${i}`)))).toBe(`k${i}=`.padEnd(100, '.'));
    r.close();
  });

  it('agrees with an oracle on random histories with small segments, auto merges, merges and reopens', () => {
    let autoMerges = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 10, arbitrary: fc.tuple(fc.constant('put' as const), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 300 })) },
            { weight: 4, arbitrary: fc.tuple(fc.constant('del' as const), fc.integer({ min: 0, max: 40 }), fc.constant(0)) },
            { weight: 2, arbitrary: fc.tuple(fc.constant('batch' as const), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 2, max: 6 })) },
            { weight: 1, arbitrary: fc.tuple(fc.constant('merge' as const), fc.constant(0), fc.constant(0)) },
            { weight: 1, arbitrary: fc.tuple(fc.constant('reopen' as const), fc.constant(0), fc.constant(0)) },
          ),
          { minLength: 150, maxLength: 400 },
        ),
        (ops) => {
          const dir = tmpDir('kvlab-hl-');
          const spec = 'segmentBytes=4096,mergeRatio=0.3';
          let e = openHashlog(dir, spec);
          const oracle = new Map<string, string>();
          let n = 0;
          for (const [op, k, x] of ops) {
            n++;
            const key = `key${k}`;
            if (op === 'put') {
              const v = `${n}:`.padEnd(x, 'v');
              e.put(b(key), b(v));
              oracle.set(key, v);
            } else if (op === 'del') {
              e.delete(b(key));
              oracle.delete(key);
            } else if (op === 'batch') {
              const batch = Array.from({ length: x }, (_, j) => {
                const bk = `key${(k + j * 7) % 41}`;
                return j % 3 === 2 ? { type: 'del' as const, key: b(bk) } : { type: 'put' as const, key: b(bk), value: b(`${n}.${j}`) };
              });
              e.write(batch);
              for (const o of batch) o.type === 'put' ? oracle.set(o.key.toString(), o.value.toString()) : oracle.delete(o.key.toString());
            } else if (op === 'merge') {
              e.compact();
            } else {
              autoMerges += e.stats().extra.mergesByDeadRatio!;
              e.close();
              e = openHashlog(dir, spec);
            }
          }
          autoMerges += e.stats().extra.mergesByDeadRatio!;
          e.close();
          e = openHashlog(dir, spec);
          for (let k = 0; k <= 41; k++) expect(str(e.get(b(`key${k}`))), `key${k}`).toBe(oracle.get(`key${k}`));
          expect(e.stats().liveKeys).toBe(oracle.size);
          expect(e.stats().liveBytes).toBe([...oracle].reduce((s, [k, v]) => s + k.length + v.length, 0));
          e.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 25 },
    );
    expect(autoMerges).toBeGreaterThan(0); // the dead-bytes trigger fired, not only explicit merges
  });
});
