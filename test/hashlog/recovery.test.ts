/**
 * Recovery: a torn tail (bytes beyond the durable length the state file records, cut at every
 * offset of the last record or batch) is truncated and nothing else is lost; corruption in the
 * middle gives CORRUPTION with file and offset; a damaged value is never returned (read-time
 * CRC); garbage after the tail is cut. Truncation below the recorded length, damage to the last
 * record of a cleanly closed store and missing files are CORRUPTION (test/hashlog/durable-length.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError, KvError } from '../../engines/errors.js';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../engines/hashlog/format.js';
import type { Durability } from '../../engines/engine.js';
import { openHashlog as openWith } from '../../engines/hashlog/index.js';
import { CrashFs } from '../../engines/testing/crash-fs.js';
import { tmpDir } from '../support/tmp.js';
import { durableLengthCases } from './durable-cases.js';
import { b, copyDir, dataFiles, flipByte, openHashlog, str } from './helpers.js';

/** hashlog with small segments over a given Fs (CrashFs for power-loss cases). */
const openHashlogFs = (dir: string, fs: CrashFs, durability: Durability) => openWith({ dir, durability, fs }, { segmentBytes: 4096, autoMerge: true, mergeRatio: 0.3 });

const value = (i: number) => `value-${i}-${'v'.repeat(i % 17)}`;

/**
 * A store with keys k0..k(n-1) (k3 overwritten, k5 deleted), synced, then `last` ran. `crashCopy`
 * receives a copy taken before close: what a SIGKILL leaves (the writes of `last` are in the file
 * but beyond the durable length the state file records). Returns the data file size before and
 * after `last`.
 */
function build(dir: string, n: number, last: (e: ReturnType<typeof openHashlog>) => void, crashCopy?: string): { before: number; after: number } {
  const e = openHashlog(dir);
  for (let i = 0; i < n; i++) e.put(b(`k${i}`), b(value(i)));
  e.put(b('k3'), b('k3-new'));
  e.delete(b('k5'));
  e.sync();
  const file = path.join(dir, dataFiles(dir)[0]!);
  const before = fs.statSync(file).size;
  last(e);
  if (crashCopy !== undefined) copyDir(dir, crashCopy);
  e.close();
  return { before, after: fs.statSync(file).size };
}

function expectBase(e: ReturnType<typeof openHashlog>, n: number): void {
  for (let i = 0; i < n; i++) {
    const want = i === 3 ? 'k3-new' : i === 5 ? undefined : value(i);
    expect(str(e.get(b(`k${i}`))), `k${i}`).toBe(want);
  }
}

describe('hashlog recovery: torn tails', () => {
  it('cuts a torn last record at every offset and loses nothing else', () => {
    const closed = tmpDir('kvlab-hl-');
    const base = tmpDir('kvlab-hl-');
    const { before, after } = build(closed, 20, (e) => e.put(b('k7'), b('the-last-write')), base);
    expect(after - before).toBe(RECORD_HEADER_BYTES + 2 + 14);
    for (let cut = before; cut < after; cut++) {
      const dir = tmpDir('kvlab-hl-');
      copyDir(base, dir);
      fs.truncateSync(path.join(dir, dataFiles(dir)[0]!), cut);
      let e = openHashlog(dir);
      expectBase(e, 20);
      expect(e.stats().extra.tornBytesTruncatedAtOpen).toBe(cut - before);
      e.put(b('after'), b(`cut-${cut}`)); // appends where the torn record was
      e.close();
      e = openHashlog(dir);
      expectBase(e, 20);
      expect(str(e.get(b('after')))).toBe(`cut-${cut}`);
      e.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const e = openHashlog(base);
    expect(str(e.get(b('k7')))).toBe('the-last-write');
    e.close();
  });

  it('drops a torn batch entirely, cut at every offset of it', () => {
    const closed = tmpDir('kvlab-hl-');
    const base = tmpDir('kvlab-hl-');
    const batch = () => [
      { type: 'put' as const, key: b('k1'), value: b('batch-1') },
      { type: 'del' as const, key: b('k2') },
      { type: 'put' as const, key: b('fresh'), value: b('batch-fresh') },
    ];
    const { before, after } = build(closed, 10, (e) => e.write(batch()), base);
    for (let cut = before; cut < after; cut++) {
      const dir = tmpDir('kvlab-hl-');
      copyDir(base, dir);
      fs.truncateSync(path.join(dir, dataFiles(dir)[0]!), cut);
      const e = openHashlog(dir);
      expectBase(e, 10);
      expect(e.get(b('fresh'))).toBeUndefined();
      expect(e.stats().extra.tornBytesTruncatedAtOpen).toBe(cut - before);
      e.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const e = openHashlog(base);
    expect([str(e.get(b('k1'))), e.get(b('k2')), str(e.get(b('fresh')))]).toEqual(['batch-1', undefined, 'batch-fresh']);
    e.close();
  });

  it('cuts zero-filled or garbage bytes after the last record', () => {
    for (const junk of [Buffer.alloc(4096), Buffer.from('garbage that is not a record at all, repeated'.repeat(20))]) {
      const dir = tmpDir('kvlab-hl-');
      build(dir, 10, () => {});
      fs.appendFileSync(path.join(dir, dataFiles(dir)[0]!), junk);
      const e = openHashlog(dir);
      expectBase(e, 10);
      expect(e.stats().extra.tornBytesTruncatedAtOpen).toBe(junk.length);
      e.close();
    }
  });

  it('recovers a segment file torn before its header was written', () => {
    const dir = tmpDir('kvlab-hl-');
    build(dir, 10, () => {});
    fs.writeFileSync(path.join(dir, '00000000000000ff.data'), Buffer.alloc(10));
    const e = openHashlog(dir);
    expectBase(e, 10);
    e.close();
  });
});

describe('hashlog recovery: corruption', () => {
  it('reports CORRUPTION with file and offset for any flipped byte of a middle record, never wrong data', () => {
    const base = tmpDir('kvlab-hl-');
    build(base, 12, (e) => e.put(b('tail'), b('tail-value')));
    const file0 = dataFiles(base)[0]!;
    // Record of k4: after the header and k0..k3.
    let start = SEGMENT_HEADER_BYTES;
    for (let i = 0; i < 4; i++) start += RECORD_HEADER_BYTES + `k${i}`.length + value(i).length;
    const len = RECORD_HEADER_BYTES + 2 + value(4).length;
    for (let at = start; at < start + len; at++) {
      const dir = tmpDir('kvlab-hl-');
      copyDir(base, dir);
      flipByte(path.join(dir, file0), at, 0x01);
      let err: unknown;
      try {
        openHashlog(dir).close();
      } catch (e) {
        err = e;
      }
      expect(isKvError(err, 'CORRUPTION'), `flip at ${at}: ${String(err)}`).toBe(true);
      expect((err as KvError).file).toBe(path.join(dir, file0));
      expect((err as KvError).offset).toBe(start);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a damaged segment header with CORRUPTION', () => {
    const dir = tmpDir('kvlab-hl-');
    build(dir, 5, () => {});
    flipByte(path.join(dir, dataFiles(dir)[0]!), 1);
    expect(() => openHashlog(dir)).toThrow(expect.objectContaining({ code: 'CORRUPTION', offset: 0 }));
  });

  it('never returns a value damaged after open: get throws CORRUPTION', () => {
    const dir = tmpDir('kvlab-hl-');
    build(dir, 8, () => {});
    const e = openHashlog(dir);
    const at = SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + 2 + 3; // inside k0's value
    flipByte(path.join(dir, dataFiles(dir)[0]!), at);
    expect(() => e.get(b('k0'))).toThrow(expect.objectContaining({ code: 'CORRUPTION', offset: SEGMENT_HEADER_BYTES }));
    expect(str(e.get(b('k1')))).toBe(value(1));
    e.close();
  });
});

durableLengthCases('hashlog', (dir, opts) => openHashlog(dir, opts ?? ''));

describe('hashlog recovery: power loss never makes a false CORRUPTION', () => {
  it('after a simulated power loss (CrashFs, random) the store opens and keeps every synced write', () => {
    // A first session (closed: the state file is fsynced), then a short one with a sync and a
    // few more puts, then the power loss: few unsynced overwrites of the state file are pending,
    // so the crash often keeps the newest one while it cuts the segment's unsynced tail.
    for (let seed = 1; seed <= 40; seed++) {
      const root = tmpDir('kvlab-hl-pl-');
      const cfs = new CrashFs(root);
      const synced = new Map<string, string>();
      const pending = new Map<string, string>();
      const put = (e: ReturnType<typeof openHashlogFs>, k: string, v: string) => {
        e.put(b(k), b(v));
        pending.set(k, v);
      };
      const sync = (e: ReturnType<typeof openHashlogFs>) => {
        e.sync();
        for (const [k, v] of pending) synced.set(k, v);
        pending.clear();
      };
      let e = openHashlogFs(root, cfs, 'none');
      const n = 50 + ((seed * 37) % 200);
      for (let i = 0; i < n; i++) {
        put(e, `k${(i * 7 + seed) % 90}`, `${seed}-${i}-${'x'.repeat((i * 13) % 300)}`);
        if (i % 17 === 16) sync(e);
        if (i === (seed * 11) % n && seed % 2 === 0) e.compact();
      }
      sync(e);
      e.close();
      e = openHashlogFs(root, cfs, seed % 3 === 0 ? 'always' : 'none');
      for (let i = 0; i < 1 + (seed % 3); i++) put(e, `k${i}`, `second-${seed}-${i}`);
      sync(e);
      for (let i = 0; i < 1 + (seed % 4); i++) put(e, `k${i + 10}`, `third-${seed}-${i}-${'y'.repeat(seed * 10)}`);
      const after = tmpDir('kvlab-hl-pl-');
      cfs.crash({ mode: 'random', seed, into: after }); // the abandoned instance keeps its lock on root
      const r = openHashlog(after, 'segmentBytes=4096');
      for (const [k, v] of synced) if (!pending.has(k)) expect(str(r.get(b(k))), `seed ${seed} ${k}`).toBe(v);
      r.close();
    }
  });
});
