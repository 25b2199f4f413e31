/**
 * Pages of the synced tree released by unsynced commits ("held") are bounded under `none`:
 * past HELD_SYNC_PAGES a write commits synced, so the held pages become reusable, the file
 * stops growing and the freelist rewritten per commit stays small. And the free list hands
 * out the lowest ids first after any mix of releases.
 */
import { describe, expect, it } from 'vitest';
import { HELD_SYNC_PAGES } from '../../engines/btree/engine.js';
import { Freelist } from '../../engines/btree/freelist.js';
import { inspect } from '../../engines/btree/inspect.js';
import { tmpDir } from '../support/tmp.js';
import { openBtree, rng } from './helpers.js';

const key = (i: number): Buffer => Buffer.from(`key-${String(i).padStart(6, '0')}`);

describe('btree held pages', () => {
  it('stay below the threshold through a long unsynced update run, and the file stops growing', () => {
    const dir = tmpDir();
    let e = openBtree(dir, { pageSize: 256 });
    for (let i = 0; i < 20000; i++) e.put(key(i), Buffer.alloc(20, i));
    e.close(); // synced: every page now belongs to the synced tree
    e = openBtree(dir, { pageSize: 256 });
    const durableAtOpen = e.durableSequence();
    const r = rng(3);
    let maxHeld = 0;
    let pagesAtHalf = 0;
    const n = 3 * HELD_SYNC_PAGES;
    for (let u = 0; u < n; u++) {
      e.put(key(Math.floor(r() * 20000)), Buffer.alloc(20, u));
      const s = e.stats();
      maxHeld = Math.max(maxHeld, s.extra['btree.heldPages']!);
      if (u === n >> 1) pagesAtHalf = s.extra['btree.pages']!;
    }
    const s = e.stats();
    expect(maxHeld).toBeLessThan(HELD_SYNC_PAGES + 16);
    expect(s.extra['btree.syncedCommits']).toBeGreaterThan(0);
    // after the first internal syncs, released pages are reused: the high-water mark stays put
    expect(s.extra['btree.pages']! - pagesAtHalf).toBeLessThan(HELD_SYNC_PAGES);
    expect(e.durableSequence()).toBe(durableAtOpen); // the shell's claim is unchanged (conservative)
    e.close();
    expect(inspect(dir).violations).toEqual([]);
  });

  it('the free list allocates the lowest id first after releases and commits', () => {
    const f = new Freelist();
    f.load([40, 7, 19]);
    f.release(3, false);
    f.release(25, true);
    f.release(11, false);
    f.commitDone(false); // pending 3, 11 reusable; held 25 not yet
    expect([f.allocate(), f.allocate(), f.allocate()]).toEqual([3, 7, 11]);
    f.commitDone(true); // held 25 reusable
    expect([f.allocate(), f.allocate(), f.allocate(), f.allocate(), f.allocate()]).toEqual([19, 25, 40, undefined, undefined]);
  });
});
