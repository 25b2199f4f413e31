import * as nodefs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { bloomHash } from '../../engines/lsm/bloom.js';
import { keyString } from '../../engines/lsm/memtable.js';
import { RunIterator } from '../../engines/lsm/iterator.js';
import { Lookup, Table } from '../../engines/lsm/sstable-reader.js';
import { BlockCache } from '../../engines/lsm/block-cache.js';
import type { FileMeta } from '../../engines/lsm/version.js';
import { tmpDir } from '../support/tmp.js';
import { buildTable, counters, k, rng } from './helpers.js';
import type { Entry } from './helpers.js';

function entries(n: number, seed: number): Entry[] {
  const r = rng(seed);
  const m = new Map<string, Entry>();
  while (m.size < n) {
    const key = `user${Math.floor(r() * 1e9)}`;
    const kind = r() < 0.1 ? 0 : 1;
    m.set(key, [k(key), kind, kind === 0 ? Buffer.alloc(0) : Buffer.alloc(Math.floor(r() * 300), key)]);
  }
  return [...m.values()].sort((a, b) => Buffer.compare(a[0], b[0]));
}

const get = (t: Table, key: Buffer) => t.get(key, keyString(key), bloomHash(key));

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('lsm sstable', () => {
  for (const opts of [
    { blockSize: 256, bloomBits: 10 },
    { blockSize: 4096, bloomBits: 0 },
    { blockSize: 64 * 1024, bloomBits: 3 },
  ]) {
    it(`round-trips gets and ordered iteration (blockSize=${opts.blockSize}, bloomBits=${opts.bloomBits})`, () => {
      const dir = tmpDir();
      const es = entries(2000, opts.blockSize);
      const { table, built } = buildTable(dir, es, opts);
      expect(built.entries).toBe(es.length);
      expect(built.smallest.equals(es[0]![0])).toBe(true);
      expect(built.largest.equals(es[es.length - 1]![0])).toBe(true);
      for (const [key, kind, value] of es) {
        const r = get(table, key);
        expect(r).toBe(kind === 0 ? Lookup.Deleted : Lookup.Found);
        if (kind === 1) expect(table.value!.equals(value)).toBe(true);
      }
      for (let i = 0; i < 500; i++) expect(get(table, k(`user${i}x`))).toBe(Lookup.Absent);
      const meta = { table, smallestStr: keyString(built.smallest), largestStr: keyString(built.largest) } as unknown as FileMeta;
      const it = new RunIterator([meta], false);
      const got: string[] = [];
      for (it.seekToFirst(); it.valid; it.next()) got.push(`${it.key.toString('latin1')}:${it.kind}:${it.vbuf.subarray(it.vStart, it.vEnd).toString('hex')}`);
      expect(got).toEqual(es.map(([key, kind, v]) => `${key.toString('latin1')}:${kind}:${v.toString('hex')}`));
      const scan = new RunIterator([meta], true, 1000);
      scan.seek(es[700]![0]);
      expect(scan.key.equals(es[700]![0])).toBe(true);
      table.close();
    });
  }

  it('bloom filters answer most absent keys without reading a block', () => {
    const dir = tmpDir();
    const { table, counters: c } = buildTable(dir, entries(3000, 1), { blockSize: 256, bloomBits: 10 });
    for (let i = 0; i < 3000; i++) get(table, k(`absent${i}`));
    expect(c.bloomNegatives).toBeGreaterThan(2900);
    expect(c.getBlockReads).toBe(c.bloomFalsePositives);
    table.close();
  });

  it('detects a flipped byte in a data block as CORRUPTION naming the file', () => {
    const dir = tmpDir();
    const es = entries(500, 2);
    const { file, table } = buildTable(dir, es);
    table.close();
    const bytes = nodefs.readFileSync(file);
    bytes[100]! ^= 0x40;
    nodefs.writeFileSync(file, bytes);
    const t = Table.open(buildTable(tmpDir(), es).fs, file, 9, new BlockCache(0), counters());
    const errs = es.map(([key]) => errorOf(() => get(t, key))).filter((e) => e !== undefined);
    expect(errs.length).toBeGreaterThan(0);
    for (const e of errs) {
      expect(isKvError(e, 'CORRUPTION')).toBe(true);
      expect((e as { file?: string }).file).toBe(file);
    }
    t.close();
  });

  it('rejects a damaged footer, index or truncated file on open', () => {
    const dir = tmpDir();
    const { file, table, fs } = buildTable(dir, entries(500, 3));
    table.close();
    const good = nodefs.readFileSync(file);
    const damage = [
      (b: Buffer) => b.subarray(0, b.length - 1), // truncated
      (b: Buffer) => ((b[b.length - 3]! ^= 1), b), // magic
      (b: Buffer) => ((b[b.length - 48]! ^= 1), b), // footer field
      (b: Buffer) => ((b[b.length - 60]! ^= 1), b), // index block
      () => Buffer.alloc(10),
    ];
    for (const d of damage) {
      nodefs.writeFileSync(file, d(Buffer.from(good)));
      const e = errorOf(() => Table.open(fs, file, 1, new BlockCache(0), counters()));
      expect(isKvError(e, 'CORRUPTION'), String(e)).toBe(true);
    }
  });
});
