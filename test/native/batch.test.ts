/**
 * The batch entry points: getMany and putMany give the same results as the single calls
 * (values larger than the scratch buffer included), take one sequence number per put, and
 * validate every item before touching the store.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { rng } from './helpers.js';

const open = (durability: 'none' | 'group' | 'always' = 'none') => openSyncEngine('native', { dir: tmpDir(), durability }) as Engine;

describe('native batch entry points', () => {
  it('getMany equals get per key, across scratch refills and values larger than the scratch', () => {
    const e = open();
    const r = rng(3);
    const keys: Buffer[] = [];
    for (let i = 0; i < 500; i++) {
      const k = Buffer.from(`key-${i}`);
      keys.push(k);
      if (i % 4 === 3) continue; // absent
      const len = i === 10 || i === 11 ? 300 * 1024 : Math.floor(r() * 5000);
      e.put(k, Buffer.alloc(len, i % 251));
    }
    const many = e.getMany(keys);
    expect(many.length).toBe(keys.length);
    const hex = (b: Uint8Array | undefined) => (b === undefined ? 'absent' : `${b.length}:${Buffer.from(b).toString('hex')}`);
    const mismatched = keys.filter((k, i) => hex(many[i]) !== hex(e.get(k)));
    expect(mismatched.map(String)).toEqual([]);
    expect(many[10]!.length).toBe(300 * 1024);
    expect(many[3]).toBeUndefined();
    expect(e.getMany([])).toEqual([]);
    e.close();
  });

  it('putMany writes every pair with its own sequence number, durable per the mode', () => {
    for (const mode of ['none', 'always'] as const) {
      const e = open(mode);
      const keys = Array.from({ length: 50 }, (_, i) => Buffer.from(`k${i}`));
      const values = keys.map((_, i) => Buffer.from(`v${i}`.repeat(i + 1)));
      e.put(Buffer.from('k0'), Buffer.from('old'));
      e.putMany(keys, values);
      expect(e.lastSequence()).toBe(51);
      expect(e.durableSequence()).toBe(mode === 'always' ? 51 : 0);
      keys.forEach((k, i) => expect(Buffer.from(e.get(k)!).toString()).toBe(values[i]!.toString()));
      expect(e.stats().liveKeys).toBe(50);
      e.close();
    }
  });

  it('rejects a bad item before writing any of the batch', () => {
    const e = open();
    expect(() => e.putMany([Buffer.from('a'), Buffer.alloc(0)], [Buffer.from('1'), Buffer.from('2')])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => e.putMany([Buffer.from('a')], [])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => e.getMany([Buffer.from('a'), 'b' as unknown as Uint8Array])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(e.get(Buffer.from('a'))).toBeUndefined();
    expect(e.lastSequence()).toBe(0);
    e.close();
  });
});
