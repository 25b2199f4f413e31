import { describe, expect, it } from 'vitest';
import { bloomHash, buildFilter, filterMayContain, probesFor } from '../../engines/lsm/bloom.js';

const key = (prefix: string, i: number) => Buffer.from(`${prefix}${i}`);

describe('lsm bloom filter', () => {
  it('never gives a false negative', () => {
    const hashes = Array.from({ length: 5000 }, (_, i) => bloomHash(key('in', i)));
    const f = buildFilter(hashes, 10);
    for (const h of hashes) expect(filterMayContain(f, h)).toBe(true);
  });

  it('keeps the false-positive rate within theory for several bits-per-key settings', () => {
    const n = 10_000;
    const probes = 50_000;
    for (const bits of [4, 6, 10, 16]) {
      const f = buildFilter(Array.from({ length: n }, (_, i) => bloomHash(key('member-', i))), bits);
      let fp = 0;
      for (let i = 0; i < probes; i++) if (filterMayContain(f, bloomHash(key('absent-', i)))) fp++;
      const kk = probesFor(bits);
      const theory = Math.pow(1 - Math.exp(-kk / bits), kk);
      const rate = fp / probes;
      // Within 50% of the theoretical rate plus sampling slack (3 standard deviations).
      const slack = 3 * Math.sqrt((theory * (1 - theory)) / probes);
      expect(rate, `bits=${bits} rate=${rate} theory=${theory}`).toBeLessThan(theory * 1.5 + slack);
      expect(rate, `bits=${bits} rate=${rate} theory=${theory}`).toBeGreaterThan(theory * 0.5 - slack);
    }
  });

  it('answers maybe for a filter it cannot interpret', () => {
    expect(filterMayContain(Buffer.alloc(0), 123)).toBe(true);
    expect(filterMayContain(Buffer.from([0, 0, 0, 31]), 123)).toBe(true);
  });
});
