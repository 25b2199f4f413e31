import { describe, expect, it } from 'vitest';
import { Block, BlockBuilder, BlockCursor } from '../../engines/lsm/block.js';
import { isKvError } from '../../engines/errors.js';
import { k, rng } from './helpers.js';

function build(keys: string[], interval: number) {
  const b = new BlockBuilder(interval);
  keys.forEach((key, i) => b.add(k(key), i % 3 === 0 ? 0 : 1, i + 1, Buffer.from(`value-${i}`)));
  return new Block(Buffer.from(b.finish()), 'test', 0);
}

const sortedKeys = (n: number, seed: number) => {
  const r = rng(seed);
  const set = new Set<string>();
  while (set.size < n) set.add(`key/${Math.floor(r() * 1e6).toString(36)}/${'x'.repeat(Math.floor(r() * 5))}`);
  return [...set].sort();
};

describe('lsm block', () => {
  it('round-trips every entry in order with kind, sequence and value', () => {
    for (const interval of [1, 2, 16]) {
      const keys = sortedKeys(300, interval);
      const c = new BlockCursor(build(keys, interval));
      const got: string[] = [];
      for (c.seekToFirst(); c.valid; c.next()) {
        const i = got.length;
        expect(c.kind).toBe(i % 3 === 0 ? 0 : 1);
        expect(c.seq).toBe(i + 1);
        expect(c.data.subarray(c.valueStart, c.valueEnd).toString()).toBe(`value-${i}`);
        got.push(c.key.toString('latin1'));
      }
      expect(got).toEqual(keys);
    }
  });

  it('prefix-compresses keys and stores restart points every interval', () => {
    const keys = Array.from({ length: 64 }, (_, i) => `a-long-common-prefix/${String(i).padStart(4, '0')}`);
    const raw = keys.reduce((n, key) => n + key.length, 0);
    const b16 = build(keys, 16);
    const b1 = build(keys, 1);
    expect(b16.numRestarts).toBe(4);
    expect(b1.numRestarts).toBe(64);
    // With restarts every 16 keys, most keys store only their 4-byte suffix.
    expect(b16.data.length).toBeLessThan(raw);
    expect(b16.data.length).toBeLessThan(b1.data.length - 15 * 48);
    // Restart entries store the key whole (shared = 0).
    for (let i = 0; i < b16.numRestarts; i++) expect(b16.data[b16.restartOffset(i)]).toBe(0);
  });

  it('seeks to the first key >= target, for present keys, gaps, and the ends', () => {
    const keys = sortedKeys(200, 7);
    for (const interval of [1, 4, 16]) {
      const c = new BlockCursor(build(keys, interval));
      for (const [i, key] of keys.entries()) {
        c.seek(k(key));
        expect(c.keyEquals(k(key))).toBe(true);
        c.seek(k(`${key}\x00`)); // just after key: lands on the next key
        if (i + 1 < keys.length) expect(c.key.toString('latin1')).toBe(keys[i + 1]);
        else expect(c.valid).toBe(false);
      }
      c.seek(k(''));
      expect(c.key.toString('latin1')).toBe(keys[0]);
      c.seek(k('\xff'));
      expect(c.valid).toBe(false);
    }
  });

  it('reports a damaged restart array as CORRUPTION', () => {
    const block = build(sortedKeys(10, 3), 2);
    const data = Buffer.from(block.data);
    data.writeUInt32LE(1e6, data.length - 4);
    let err: unknown;
    try {
      new Block(data, 'f.sst', 123);
    } catch (e) {
      err = e;
    }
    expect(isKvError(err, 'CORRUPTION')).toBe(true);
    expect((err as { file?: string }).file).toBe('f.sst');
  });
});
