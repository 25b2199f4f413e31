/** BufferPool (buffer-pool.ts) against a Map model: random put / get / take sequences. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../engines/btree/buffer-pool.js';

const opArb = (ids: number) =>
  fc.array(fc.tuple(fc.constantFrom('put', 'put', 'get', 'get', 'take'), fc.oneof(fc.nat(ids), fc.integer({ min: 0, max: 2 ** 31 - 1 })), fc.nat()), { maxLength: 400 });

describe('btree BufferPool', () => {
  it('without evictions returns exactly what was put and not taken', () => {
    fc.assert(
      fc.property(opArb(60), (ops) => {
        const pool = new BufferPool<number>(1000);
        const model = new Map<number, number>();
        for (const [kind, id, v] of ops) {
          if (kind === 'put') {
            pool.put(id, v);
            model.set(id, v);
          } else if (kind === 'take') {
            expect(pool.take(id)).toBe(model.get(id));
            model.delete(id);
          } else expect(pool.get(id)).toBe(model.get(id));
          expect(pool.size).toBe(model.size);
        }
        for (const [id, v] of model) expect(pool.get(id)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('under eviction never returns a wrong value and stays within capacity', () => {
    fc.assert(
      fc.property(opArb(40), fc.integer({ min: 1, max: 12 }), (ops, cap) => {
        const pool = new BufferPool<number>(cap);
        const model = new Map<number, number>();
        for (const [kind, id, v] of ops) {
          if (kind === 'put') {
            pool.put(id, v);
            model.set(id, v);
            expect(pool.get(id)).toBe(v); // just put: cached
          } else if (kind === 'take') {
            const got = pool.take(id);
            if (got !== undefined) expect(got).toBe(model.get(id));
            model.delete(id);
            expect(pool.get(id)).toBeUndefined();
          } else {
            const got = pool.get(id);
            if (got !== undefined) expect(got).toBe(model.get(id));
          }
          expect(pool.size).toBeLessThanOrEqual(cap);
        }
        let cached = 0;
        for (const id of model.keys()) if (pool.get(id) !== undefined) cached++;
        expect(cached).toBe(pool.size);
      }),
      { numRuns: 300 },
    );
  });
});
