/** The keydir against a Map oracle: inserts, updates, removes (backward shift), growth, arena compaction. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKey, Keydir } from '../../engines/hashlog/keydir.js';

function check(kd: Keydir, oracle: Map<string, [number, number, number]>): void {
  expect(kd.size).toBe(oracle.size);
  const wrong: string[] = [];
  for (const [k, [seg, off, vlen]] of oracle) {
    const key = Buffer.from(k, 'latin1');
    const e = kd.find(key, hashKey(key));
    if (e < 0) wrong.push(`${k}: missing`);
    else if (kd.segOf(e) !== seg || kd.offOf(e) !== off || kd.valueLenOf(e) !== vlen || kd.keyLenOf(e) !== key.length || !kd.keyOf(e).equals(key))
      wrong.push(`${k}: wrong entry`);
  }
  expect(wrong).toEqual([]);
}

describe('hashlog keydir', () => {
  it('agrees with a Map on random histories (small key space: heavy collisions and removals)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 2 ** 40 })), { minLength: 500, maxLength: 2000 }),
        (ops) => {
          const kd = new Keydir();
          const oracle = new Map<string, [number, number, number]>();
          for (const [del, n, off] of ops) {
            const k = `k${n}`.repeat((n % 7) + 1); // lengths 2..35+: both compare paths
            const key = Buffer.from(k, 'latin1');
            const h = hashKey(key);
            const e = kd.find(key, h);
            if ((e >= 0) !== oracle.has(k)) throw new Error(`find(${k}) disagrees with the oracle`);
            if (del) {
              if (e >= 0) kd.remove(e);
              oracle.delete(k);
            } else if (e >= 0) {
              kd.update(e, n, off, n * 3);
              oracle.set(k, [n, off, n * 3]);
            } else {
              kd.insert(key, h, n, off, n * 3);
              oracle.set(k, [n, off, n * 3]);
            }
          }
          check(kd, oracle);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('grows past many table and arena resizes and compacts the arena after removals', () => {
    const kd = new Keydir();
    const oracle = new Map<string, [number, number, number]>();
    for (let i = 0; i < 60_000; i++) {
      const key = Buffer.from(`key-${i}-${'x'.repeat(i % 40)}`, 'latin1');
      kd.insert(key, hashKey(key), i % 13, i * 100, i % 1000);
      oracle.set(key.toString('latin1'), [i % 13, i * 100, i % 1000]);
    }
    check(kd, oracle);
    const memBefore = kd.memoryBytes();
    for (let round = 0; round < 3; round++) {
      for (const k of [...oracle.keys()]) {
        if (k.length % 3 === round) continue;
        const key = Buffer.from(k, 'latin1');
        kd.remove(kd.find(key, hashKey(key)));
        oracle.delete(k);
      }
      for (let i = 0; i < 20_000; i++) {
        const key = Buffer.from(`new-${round}-${i}`, 'latin1');
        kd.insert(key, hashKey(key), 1, i, 2);
        oracle.set(key.toString('latin1'), [1, i, 2]);
      }
      check(kd, oracle);
    }
    expect(kd.keyBytes()).toBe([...oracle.keys()].reduce((n, k) => n + k.length, 0));
    expect(kd.memoryBytes()).toBeLessThanOrEqual(memBefore * 2);
  });

  it('reports memory within the budget: at most 80 bytes per key beyond key bytes at 200,000 keys of 23 bytes', () => {
    const kd = new Keydir();
    for (let i = 0; i < 200_000; i++) {
      const key = Buffer.from(`user${String(i).padStart(19, '0')}`);
      kd.insert(key, hashKey(key), 1, i, 1024);
    }
    expect((kd.memoryBytes() - kd.keyBytes()) / kd.size).toBeLessThanOrEqual(80);
  });
});
