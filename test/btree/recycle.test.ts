/**
 * Page-buffer reuse under a tiny buffer pool (tx.ts reuses evicted pages' buffers for later
 * reads): deep trees at 256-byte pages with 16 cached pages, so nearly every page read evicts.
 * Scans, gets and writes (splits, merges, overflow values) must see exactly the model's data.
 */
import { describe, expect, it } from 'vitest';
import { inspect } from '../../engines/btree/inspect.js';
import { tmpDir } from '../support/tmp.js';
import { openBtree, rng } from './helpers.js';

const key = (i: number): Buffer => Buffer.from(`k${String(i).padStart(5, '0')}`);
const value = (i: number, gen: number, r: () => number): Buffer => {
  const len = r() < 0.1 ? 300 + Math.floor(r() * 400) : Math.floor(r() * 40);
  return Buffer.alloc(len, `${i}:${gen};`);
};

describe('btree page buffers reused across evictions', () => {
  for (const bufferWrites of [false, true]) {
    it(`scans and gets agree with a model under churn (bufferWrites=${bufferWrites})`, () => {
      const dir = tmpDir();
      const e = openBtree(dir, { pageSize: 256, cacheSize: 16, maxDirtyPages: 8, bufferWrites });
      const r = rng(7);
      const model = new Map<string, Buffer>();
      for (let round = 0; round < 6; round++) {
        for (let n = 0; n < 400; n++) {
          const i = Math.floor(r() * 600);
          const k = key(i);
          if (r() < 0.3) {
            e.delete(k);
            model.delete(k.toString('latin1'));
          } else {
            const v = value(i, round, r);
            e.put(k, v);
            model.set(k.toString('latin1'), v);
          }
        }
        const want = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        const got = e.scan(Buffer.from([0]), want.length + 10);
        expect(got.map(([k]) => Buffer.from(k).toString('latin1'))).toEqual(want.map(([k]) => k));
        got.forEach(([, v], j) => expect(Buffer.from(v).equals(want[j]![1])).toBe(true));
        // a scan from the middle, then point reads in random order
        const mid = want[want.length >> 1];
        if (mid) expect(Buffer.from(e.scan(Buffer.from(mid[0], 'latin1'), 1)[0]![1]).equals(mid[1])).toBe(true);
        for (let j = 0; j < 200; j++) {
          const k = key(Math.floor(r() * 600));
          const v = e.get(k);
          const m = model.get(k.toString('latin1'));
          if (m === undefined) expect(v).toBeUndefined();
          else expect(Buffer.from(v!).equals(m)).toBe(true);
        }
      }
      e.sync();
      e.close();
      expect(inspect(dir).violations).toEqual([]);
    });
  }
});
