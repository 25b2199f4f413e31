import { describe, expect, it } from 'vitest';
import { btreeDescriptor } from '../../engines/btree/index.js';
import type { BTreeEngine } from '../../engines/btree/engine.js';
import { inspect } from '../../engines/btree/inspect.js';
import type { Durability } from '../../engines/engine.js';
import { isKvError } from '../../engines/errors.js';
import { NodeFs } from '../../engines/fs.js';
import type { Fd } from '../../engines/fs.js';
import { tmpDir } from '../support/tmp.js';
import { b, openBtree } from './helpers.js';

/** A NodeFs whose writes fail (EIO) once `failWrites` is set. */
class FailingFs extends NodeFs {
  failWrites = false;
  override write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    if (this.failWrites) throw Object.assign(new Error('injected EIO'), { code: 'EIO' });
    return super.write(fd, buf, offset, length, position);
  }
}

function openWith(dir: string, fs: NodeFs, durability: Durability, options: Record<string, string | number> = {}): BTreeEngine {
  const opts: Record<string, string | number | boolean> = {};
  for (const [k, spec] of Object.entries(btreeDescriptor.options)) opts[k] = options[k] ?? spec.default;
  return btreeDescriptor.open({ dir, durability, fs, options: opts, label: 'btree' }) as BTreeEngine;
}

describe('btree engine durability bookkeeping', () => {
  it('durableSequence is the last commit: none commits at sync and at maxDirtyPages', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 512, maxDirtyPages: 20 }, 'none');
    e.put(b('a'), b('1'));
    e.put(b('b'), b('2'));
    expect(e.lastSequence()).toBe(2);
    expect(e.durableSequence()).toBe(0);
    e.sync();
    expect(e.durableSequence()).toBe(2);
    // enough distinct pages to pass the dirty threshold commits without sync()
    for (let i = 0; i < 400; i++) e.put(b(`key${i}`), Buffer.alloc(100, i));
    expect(e.stats().extra['btree.commits']).toBeGreaterThan(1);
    expect(e.durableSequence()).toBeGreaterThan(2);
    expect(e.durableSequence()).toBeLessThanOrEqual(e.lastSequence());
    e.close();
  });

  it('always commits every write; the sequence survives reopen', () => {
    const dir = tmpDir();
    let e = openBtree(dir, {}, 'always');
    e.put(b('a'), b('1'));
    e.delete(b('missing'));
    e.write([{ type: 'put', key: b('c'), value: b('3') }, { type: 'del', key: b('a') }]);
    expect(e.durableSequence()).toBe(3);
    expect(e.stats().extra['btree.commits']).toBe(3);
    e.close();
    e = openBtree(dir, {}, 'always');
    expect(e.lastSequence()).toBe(3);
    e.put(b('d'), b('4'));
    expect(e.lastSequence()).toBe(4);
    expect(e.get(b('a'))).toBeUndefined();
    e.close();
  });

  it('group commits within the window', async () => {
    const dir = tmpDir();
    const e = openBtree(dir, {}, 'group');
    e.put(b('a'), b('1'));
    await new Promise((r) => setTimeout(r, 50)); // the idle timer closes the window
    expect(e.durableSequence()).toBe(1);
    e.close();
  });

  it('an I/O error during a commit poisons the engine; reopening recovers the last commit', () => {
    const dir = tmpDir();
    const fs = new FailingFs();
    const e = openWith(dir, fs, 'none');
    e.put(b('kept'), b('1'));
    e.sync();
    e.put(b('lost'), b('2'));
    fs.failWrites = true;
    let code: string | undefined;
    try {
      e.sync();
    } catch (err) {
      code = isKvError(err) ? err.code : 'other';
    }
    expect(code).toBe('IO');
    fs.failWrites = false;
    expect(() => e.get(b('kept'))).toThrow(/injected EIO/);
    e.close();
    expect(inspect(dir).violations).toEqual([]);
    const e2 = openBtree(dir);
    expect(Buffer.from(e2.get(b('kept'))!).toString()).toBe('1');
    expect(e2.get(b('lost'))).toBeUndefined();
    e2.close();
  });

  it('reports the btree stats', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 512, cacheSize: '32' });
    for (let i = 0; i < 2000; i++) e.put(b(`key${i}`), Buffer.alloc(60, 1));
    e.sync();
    for (let i = 0; i < 2000; i += 7) e.get(b(`key${i}`));
    const s = e.stats();
    expect(s.liveKeys).toBe(2000);
    expect(s.liveBytes).toBe(2000 * 60 + [...Array(2000).keys()].reduce((n, i) => n + `key${i}`.length, 0));
    expect(s.extra['btree.height']).toBeGreaterThanOrEqual(3);
    expect(s.extra['btree.pageWrites']).toBeGreaterThan(0);
    expect(s.cacheMisses).toBeGreaterThan(0); // a 32-page pool cannot hold the tree
    expect(s.cacheHits).toBeGreaterThan(0);
    expect(s.extra['btree.fillFactor']).toBeGreaterThan(0.2);
    expect(s.extra['btree.fillFactor']).toBeLessThanOrEqual(1);
    expect(s.extra['btree.writeAmplification']).toBeGreaterThan(1);
    expect(s.diskBytes).toBe(s.extra['btree.pages']! * 512);
    e.close();
  });

  it('rejects a bad pageSize or cacheSize with INVALID_ARGUMENT', () => {
    const dir = tmpDir();
    expect(() => openBtree(dir, { pageSize: 1000 })).toThrow(/pageSize/);
    expect(() => openBtree(dir, { cacheSize: 'lots' })).toThrow(/cacheSize/);
    // the lock was released: a good open still works
    openBtree(dir).close();
  });
});
