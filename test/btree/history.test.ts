import { describe, expect, it } from 'vitest';
import { inspect } from '../../engines/btree/inspect.js';
import { Oracle } from '../support/oracle.js';
import { tmpDir } from '../support/tmp.js';
import { b, openBtree, rng } from './helpers.js';

function randomKey(r: () => number, space: number): Buffer {
  const n = Math.floor(r() * space);
  return b(`k${n.toString().padStart(5, '0')}${'x'.repeat(n % 7)}`);
}

function randomValue(r: () => number, max: number): Buffer {
  const len = Math.floor(r() * r() * max);
  const v = Buffer.alloc(len);
  for (let i = 0; i < len; i++) v[i] = Math.floor(r() * 256);
  return v;
}

function check(e: ReturnType<typeof openBtree>, o: Oracle): void {
  const all = e.scan(b('\x00'), 1e9);
  expect(all.map(([k, v]) => [Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex')])).toEqual(
    o.scan(b('\x00'), 1e9).map(([k, v]) => [k.toString('hex'), v.toString('hex')]),
  );
  expect(e.stats().liveKeys).toBe(o.size);
}

describe('btree random histories (oracle + inspect)', () => {
  for (const [pageSize, seed] of [[256, 1], [512, 2], [1024, 3], [4096, 4]] as const) {
    it(`page ${pageSize}, seed ${seed}`, () => {
      const dir = tmpDir();
      const r = rng(seed);
      const o = new Oracle();
      const maxValue = pageSize * 3;
      let e = openBtree(dir, { pageSize, cacheSize: '64', maxDirtyPages: 16 });
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 400; i++) {
          const x = r();
          if (x < 0.55) {
            const k = randomKey(r, 600);
            const v = randomValue(r, maxValue);
            e.put(k, v);
            o.put(k, v);
          } else if (x < 0.85) {
            const k = randomKey(r, 600);
            e.delete(k);
            o.delete(k);
          } else if (x < 0.92) {
            const ops = Array.from({ length: 1 + Math.floor(r() * 8) }, () =>
              r() < 0.7 ? { type: 'put' as const, key: randomKey(r, 600), value: randomValue(r, maxValue) } : { type: 'del' as const, key: randomKey(r, 600) },
            );
            e.write(ops);
            o.write(ops);
          } else {
            const k = randomKey(r, 600);
            const got = e.get(k);
            const want = o.get(k);
            expect(got === undefined ? undefined : Buffer.from(got).toString('hex')).toBe(want?.toString('hex'));
            const n = Math.floor(r() * 20);
            expect(e.scan(k, n).map(([kk]) => Buffer.from(kk).toString('hex'))).toEqual(o.scan(k, n).map(([kk]) => kk.toString('hex')));
          }
        }
        check(e, o);
        e.sync();
        const rep = inspect(dir);
        expect(rep.violations).toEqual([]);
        expect(rep.summary.keys).toBe(o.size);
        if (round % 2 === 1) {
          e.close();
          e = openBtree(dir, { pageSize, cacheSize: '64', maxDirtyPages: 16 });
          check(e, o);
        }
      }
      // drain: delete everything, the tree collapses to an empty root leaf
      for (const [k] of o.entries()) {
        e.delete(k);
        o.delete(k);
      }
      check(e, o);
      e.close();
      const rep = inspect(dir);
      expect(rep.violations).toEqual([]);
      expect(rep.summary.height).toBe(1);
      expect(rep.summary.keys).toBe(0);
    });
  }
});
