import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../engines/btree/inspect.js';
import { DATA_FILE } from '../../engines/btree/db.js';
import { tmpDir } from '../support/tmp.js';
import { b, openBtree, rng } from './helpers.js';

const key = (i: number) => b(`k${String(i).padStart(6, '0')}`);

function expectClean(dir: string) {
  const r = inspect(dir);
  expect(r.violations).toEqual([]);
  return r;
}

describe('btree split and merge at page boundaries (256-byte pages)', () => {
  for (const order of ['ascending', 'descending', 'shuffled'] as const) {
    it(`grows and shrinks a deep tree, ${order}`, () => {
      const dir = tmpDir();
      const e = openBtree(dir, { pageSize: 256, cacheSize: '8' });
      const ids = Array.from({ length: 1500 }, (_, i) => i);
      if (order === 'descending') ids.reverse();
      if (order === 'shuffled') {
        const r = rng(9);
        for (let i = ids.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [ids[i], ids[j]] = [ids[j]!, ids[i]!];
        }
      }
      // values straddling the inline limit (maxInlineEntry = 116 bytes at 256-byte pages)
      for (const i of ids) e.put(key(i), Buffer.alloc(90 + (i % 30), i & 0xff));
      e.sync();
      const grown = expectClean(dir);
      expect(grown.summary.height).toBeGreaterThanOrEqual(4);
      expect(grown.summary.keys).toBe(1500);
      expect(grown.summary.overflowPages).toBeGreaterThan(0);
      // every value reads back, scans are ordered across pages
      for (const i of [0, 1, 749, 1499]) expect(Buffer.from(e.get(key(i))!)).toEqual(Buffer.alloc(90 + (i % 30), i & 0xff));
      const all = e.scan(key(0), 5000).map(([k]) => Buffer.from(k).toString());
      expect(all).toEqual(Array.from({ length: 1500 }, (_, i) => key(i).toString()));
      // delete in the same order: merges and redistributions all the way to one leaf
      for (let n = 0; n < ids.length; n++) {
        e.delete(key(ids[n]!));
        if (n % 250 === 0) {
          e.sync();
          expectClean(dir);
        }
      }
      e.close();
      const r = expectClean(dir);
      expect(r.summary.keys).toBe(0);
      expect(r.summary.height).toBe(1);
      expect(r.summary.overflowPages).toBe(0);
    });
  }

  it('handles the largest key and entries exactly at the inline limit', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 256 });
    const max = e.info.limits.maxKeyBytes;
    expect(max).toBe(Math.floor((256 - 24) / 8) - 12);
    const inlineMax = Math.floor((256 - 24) / 2) - 7;
    for (let i = 0; i < 300; i++) {
      const k = Buffer.alloc(max, 0x61);
      k.writeUInt16BE(i, max - 2);
      e.put(k, Buffer.alloc(inlineMax - max + (i % 3) - 1, 1)); // one below, at, one above the limit
    }
    e.sync();
    const r = expectClean(dir);
    expect(r.summary.keys).toBe(300);
    expect(r.summary.overflowPages).toBe(100);
    e.close();
  });
});

describe('btree overflow values', () => {
  it('stores, replaces and frees multi-page values', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 512 });
    const big = (n: number, fill: number) => Buffer.alloc(n, fill);
    e.put(b('a'), big(10_000, 1));
    e.put(b('b'), big(700, 2));
    e.put(b('c'), big(100, 3));
    e.sync();
    let r = expectClean(dir);
    expect(r.summary.overflowPages).toBe(Math.ceil(10_000 / 488) + Math.ceil(700 / 488));
    e.put(b('a'), big(50, 4)); // big -> inline
    e.put(b('c'), big(3000, 5)); // inline -> big
    e.sync();
    r = expectClean(dir);
    expect(r.summary.overflowPages).toBe(Math.ceil(3000 / 488) + Math.ceil(700 / 488));
    expect(Buffer.from(e.get(b('a'))!)).toEqual(big(50, 4));
    expect(Buffer.from(e.get(b('c'))!)).toEqual(big(3000, 5));
    expect(e.scan(b('b'), 1).map(([, v]) => v.length)).toEqual([700]);
    e.delete(b('c'));
    e.delete(b('b'));
    e.close();
    r = expectClean(dir);
    expect(r.summary.overflowPages).toBe(0);
    const e2 = openBtree(dir, { pageSize: 512 });
    expect(e2.get(b('c'))).toBeUndefined();
    expect(Buffer.from(e2.get(b('a'))!)).toEqual(big(50, 4));
    e2.close();
  });
});

describe('btree free-page reuse', () => {
  it('stops growing the file under steady-size update/delete churn', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 1024, maxDirtyPages: 64 });
    const r = rng(5);
    const live = 1500;
    // a key's value size depends on its number mod 10, so any window of `live` consecutive
    // keys holds the same bytes: the live data size is exactly steady (some values overflow)
    const value = (n: number) => Buffer.alloc(50 + (n % 10) * 130, n & 0xff);
    for (let i = 0; i < live; i++) e.put(key(i), value(i));
    const file = path.join(dir, DATA_FILE);
    const sizes: number[] = [];
    let next = live;
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < 2000; i++) {
        if (r() < 0.5) {
          const n = next - live + Math.floor(r() * live);
          e.put(key(n), value(n));
        } else {
          e.delete(key(next - live));
          e.put(key(next), value(next));
          next++;
        }
      }
      e.sync();
      sizes.push(nodefs.statSync(file).size);
    }
    e.close();
    expectClean(dir);
    // after warm-up (half the rounds) the file no longer grows
    const warm = sizes[7]!;
    expect(sizes.slice(8).every((s) => s === warm)).toBe(true);
    expect(sizes[0]!).toBeGreaterThan(0);
  });
});
