/**
 * Oracle-checked random histories with tiny memtables and tables, so flushes and compactions
 * happen every few writes, for both compaction styles; plus the tombstone and scan-consistency
 * properties compaction must keep.
 */
import { describe, expect, it } from 'vitest';
import type { BatchOp, Engine } from '../../engines/engine.js';
import { openSyncEngine } from '../../engines/registry.js';
import { Oracle } from '../support/oracle.js';
import { tmpDir } from '../support/tmp.js';
import { k, NoSyncFs, rng } from './helpers.js';

const TINY = 'memtableSize=1024,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=3';
const SPECS = [`lsm:${TINY}`, `lsm:${TINY},compaction=tiered`, `lsm:${TINY},bloomBits=0,cacheSize=0`];
const hex = (b: Uint8Array | undefined) => (b === undefined ? 'absent' : Buffer.from(b).toString('hex'));
const dump = (rows: Array<[Uint8Array, Uint8Array]>) => rows.map(([a, b]) => `${hex(a)}=${hex(b)}`);

/** Runs a random history checked step by step; returns flushes and compactions over all sessions. */
function randomHistory(spec: string, seed: number, steps: number): { flushes: number; compactions: number } {
  const r = rng(seed);
  const dir = tmpDir();
  let e = openSyncEngine(spec, { dir, fs: new NoSyncFs() });
  const o = new Oracle();
  const work = { flushes: 0, compactions: 0 };
  const count = (x: Engine) => {
    const s = x.stats();
    work.flushes += s.flushes;
    work.compactions += s.compactions;
  };
  const key = () => k(`k${Math.floor(r() * 300)}${r() < 0.2 ? '\x00' : ''}`);
  const value = () => Buffer.alloc(Math.floor(r() * (r() < 0.05 ? 3000 : 60)), Math.floor(r() * 256));
  for (let i = 0; i < steps; i++) {
    const x = r();
    if (x < 0.45) {
      const [kk, v] = [key(), value()];
      e.put(kk, v);
      o.put(kk, v);
    } else if (x < 0.6) {
      const kk = key();
      e.delete(kk);
      o.delete(kk);
    } else if (x < 0.67) {
      const ops: BatchOp[] = Array.from({ length: Math.floor(r() * 6) }, () => (r() < 0.7 ? { type: 'put', key: key(), value: value() } : { type: 'del', key: key() }));
      e.write(ops);
      o.write(ops);
    } else if (x < 0.85) {
      const kk = key();
      expect(hex(e.get(kk)), `step ${i} get ${kk}`).toBe(hex(o.get(kk)));
    } else if (x < 0.97) {
      const [kk, n] = [key(), Math.floor(r() * 40)];
      expect(dump(e.scan(kk, n)), `step ${i} scan`).toEqual(dump(o.scan(kk, n)));
    } else {
      count(e);
      e.close();
      e = openSyncEngine(spec, { dir, fs: new NoSyncFs() });
    }
  }
  count(e);
  e.close();
  e = openSyncEngine(spec, { dir, fs: new NoSyncFs() });
  expect(dump(e.scan(k('\x00'), 1e9))).toEqual(dump(o.entries()));
  for (const [kk, v] of o.entries()) expect(hex(e.get(kk))).toBe(hex(v));
  e.close();
  return work;
}

describe.each(SPECS)('lsm history %s', (spec) => {
  it('agrees with the oracle through constant flushes, compactions and reopens', () => {
    for (const seed of [1, 2, 3]) {
      const w = randomHistory(spec, seed, 3000);
      expect(w.flushes).toBeGreaterThan(0);
      expect(w.compactions).toBeGreaterThan(0);
    }
  });

  it('never resurrects a deleted key, and drops tombstones at the bottom', () => {
    const dir = tmpDir();
    let e = openSyncEngine(spec, { dir, fs: new NoSyncFs() });
    const val = Buffer.alloc(100, 1);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 400; i++) e.put(k(`key${i}`), val);
      for (let i = 0; i < 400; i += 2) e.delete(k(`key${i}`));
      // Push the deletes down through the levels with unrelated writes.
      for (let i = 0; i < 1500; i++) e.put(k(`other${round}-${i}`), val);
      for (let i = 0; i < 400; i++) expect(e.get(k(`key${i}`)) === undefined, `round ${round} key${i}`).toBe(i % 2 === 0);
      e.close();
      e = openSyncEngine(spec, { dir, fs: new NoSyncFs() });
      for (let i = 0; i < 400; i++) expect(e.get(k(`key${i}`)) === undefined, `reopened round ${round} key${i}`).toBe(i % 2 === 0);
      const keys = e.scan(k('key'), 1000).map(([kk]) => Buffer.from(kk).toString()).filter((s) => s.startsWith('key'));
      expect(keys.length).toBe(200);
    }
    // Delete everything: once compacted to the bottom, the tombstones themselves go away.
    for (let i = 0; i < 400; i++) e.delete(k(`key${i}`));
    for (let round = 0; round < 2; round++) for (let i = 0; i < 1500; i++) e.delete(k(`other${round}-${i}`));
    for (let i = 0; i < 3000; i++) e.put(k(`z${i}`), val);
    expect(e.stats().extra.tombstonesDropped).toBeGreaterThan(0);
    expect(e.scan(k('a'), 10).map(([kk]) => Buffer.from(kk).toString()).every((s) => s.startsWith('z'))).toBe(true);
    e.close();
  });

  it('scans see one consistent state while flushes and compactions run between them', () => {
    const dir = tmpDir();
    const e = openSyncEngine(spec, { dir, fs: new NoSyncFs() });
    const o = new Oracle();
    const r = rng(9);
    // Every write keeps the invariant: all live values of one generation are equal, so a scan
    // mixing two states would show two generations.
    for (let gen = 0; gen < 30; gen++) {
      const ops: BatchOp[] = [];
      for (let i = 0; i < 60; i++) ops.push({ type: 'put', key: k(`row${String(i).padStart(3, '0')}`), value: Buffer.alloc(30, gen) });
      e.write(ops);
      o.write(ops);
      const before = e.stats().compactions + e.stats().flushes;
      for (let i = 0; i < 50; i++) e.put(k(`fill${gen}-${i}-${Math.floor(r() * 1e6)}`), Buffer.alloc(50, 9));
      expect(e.stats().compactions + e.stats().flushes).toBeGreaterThan(before);
      const rows = e.scan(k('row'), 60);
      expect(rows.length).toBe(60);
      expect(new Set(rows.map(([, v]) => v[0])).size).toBe(1);
      expect(dump(rows)).toEqual(dump(o.scan(k('row'), 60)));
    }
    e.close();
  });
});
