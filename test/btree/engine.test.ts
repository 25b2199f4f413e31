import { describe, expect, it } from 'vitest';
import { inspect } from '../../engines/btree/inspect.js';
import type { Durability, Engine } from '../../engines/engine.js';
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

function openWith(dir: string, fs: NodeFs, durability: Durability, options: Record<string, string | number | boolean> = {}): Engine {
  return openBtree(dir, options, durability, fs);
}

describe('btree engine under the shell', () => {
  it('none: every write is committed to the file (no fdatasync); sync() makes it durable', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 512 }, 'none');
    const s0 = e.stats();
    e.put(b('a'), b('1'));
    e.put(b('b'), b('2'));
    e.delete(b('missing'));
    const s1 = e.stats();
    expect(e.lastSequence()).toBe(3);
    expect(e.durableSequence()).toBe(0);
    expect(s1.extra['btree.commits']! - s0.extra['btree.commits']!).toBe(3);
    expect(s1.extra['btree.dirtyPages']).toBe(0);
    expect(s1.syncs).toBe(s0.syncs);
    expect(e.info.crashSafety).toBe('process-crash-safe');
    // another reader of the file sees the writes already: they were handed to the OS
    const rep = inspect(dir);
    expect(rep.violations).toEqual([]);
    expect(rep.meta!.unsynced).toBe(true);
    expect(rep.meta!.liveKeys).toBe(2);
    expect(rep.meta!.sequence).toBe(3);
    e.sync();
    expect(e.durableSequence()).toBe(3);
    expect(e.stats().syncs).toBe(s0.syncs + 2); // pages, then meta
    expect(inspect(dir).meta!.unsynced).toBeUndefined();
    e.close();
  });

  it('bufferWrites: commits only at maxDirtyPages or sync(), and says process-crash-unsafe', () => {
    const dir = tmpDir();
    const e = openBtree(dir, { pageSize: 512, maxDirtyPages: 20, bufferWrites: true }, 'none');
    expect(e.info.crashSafety).toBe('process-crash-unsafe');
    e.put(b('a'), b('1'));
    e.put(b('b'), b('2'));
    expect(e.stats().extra['btree.commits']).toBe(0);
    expect(e.stats().extra['btree.dirtyPages']).toBeGreaterThan(0);
    e.sync();
    expect(e.durableSequence()).toBe(2);
    expect(e.stats().extra['btree.commits']).toBe(1);
    // enough distinct pages to pass the dirty threshold: unsynced commits without sync()
    for (let i = 0; i < 400; i++) e.put(b(`key${i}`), Buffer.alloc(100, i));
    const s = e.stats();
    expect(s.extra['btree.commits']).toBeGreaterThan(2);
    expect(s.extra['btree.commits']).toBeLessThan(100);
    expect(s.extra['btree.syncedCommits']).toBe(1);
    expect(e.durableSequence()).toBe(2);
    e.close();
    const e2 = openBtree(dir, { pageSize: 512 });
    expect(e2.lastSequence()).toBe(402);
    expect(Buffer.from(e2.get(b('key399'))!)).toEqual(Buffer.alloc(100, 399 & 255));
    e2.close();
  });

  it('always: every write commits and syncs before returning; the sequence survives reopen', () => {
    const dir = tmpDir();
    let e = openBtree(dir, {}, 'always');
    const s0 = e.stats().syncs;
    e.put(b('a'), b('1'));
    e.delete(b('missing'));
    e.write([{ type: 'put', key: b('c'), value: b('3') }, { type: 'del', key: b('a') }]);
    expect(e.durableSequence()).toBe(3);
    expect(e.stats().extra['btree.syncedCommits']).toBe(3);
    expect(e.stats().syncs - s0).toBe(6);
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

  it('limits and settings come from the file: an existing 512-byte-page file keeps its page size', () => {
    const dir = tmpDir();
    openBtree(dir, { pageSize: 512 }).close();
    const e = openBtree(dir, { pageSize: 4096, cacheSize: '64' });
    expect(e.info.settings.pageSize).toBe(512);
    expect(e.info.settings.cachePages).toBe(64);
    expect(e.info.limits.maxKeyBytes).toBeLessThan(497);
    expect(e.info.version).toBe('3');
    expect(() => e.put(Buffer.alloc(e.info.limits.maxKeyBytes + 1, 1), b('v'))).toThrow(/exceeds/);
    e.close();
  });

  it('an I/O error during a write fails the engine; reopening recovers the last commit', () => {
    const dir = tmpDir();
    const fs = new FailingFs();
    const e = openWith(dir, fs, 'none');
    e.put(b('kept'), b('1'));
    fs.failWrites = true;
    let code: string | undefined;
    try {
      e.put(b('lost'), b('2'));
    } catch (err) {
      code = isKvError(err) ? err.code : 'other';
    }
    expect(code).toBe('IO');
    fs.failWrites = false;
    expect(() => e.get(b('kept'))).toThrow(/injected EIO/);
    e.close();
    expect(inspect(dir).violations).toEqual([]);
    const e2 = openBtree(dir);
    expect(Buffer.from(e2.get(b('kept'))!).toString()).toBe('1'); // committed to the file, never synced
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
