/** PageCrcMap (page-set.ts) against a JS Map model: random set / delete / clear sequences. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageCrcMap } from '../../engines/btree/page-set.js';

describe('btree PageCrcMap', () => {
  it('behaves as a Map<number, u32> under set, delete and clear', () => {
    // mostly a few ids (so deletes and re-sets hit present ones), sometimes far ones (growth)
    const idArb = fc.oneof({ weight: 5, arbitrary: fc.nat(40) }, { weight: 1, arbitrary: fc.nat(5000) });
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.constant('set' as const), idArb, fc.nat(0xffffffff)) },
      { weight: 3, arbitrary: fc.tuple(fc.constant('delete' as const), idArb, fc.constant(0)) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('clear' as const), fc.constant(0), fc.constant(0)) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const m = new PageCrcMap();
        const model = new Map<number, number>();
        for (const [kind, id, v] of ops) {
          if (kind === 'set') {
            m.set(id, v);
            model.set(id, v);
          } else if (kind === 'delete') expect(m.delete(id)).toBe(model.delete(id));
          else {
            m.clear();
            model.clear();
          }
          expect(m.size).toBe(model.size);
          expect(m.get(id)).toBe(model.get(id));
        }
        for (let id = 0; id <= 5000; id += 97) expect(m.get(id)).toBe(model.get(id));
        for (const [id, v] of model) expect(m.get(id)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });
});
