/** lsm as a core under the shell: compact(), the typed open helper, settings, sync counting. */
import { describe, expect, it } from 'vitest';
import { openLsm } from '../../engines/lsm/index.js';
import { NodeFs } from '../../engines/fs.js';
import { tmpDir } from '../support/tmp.js';
import { k } from './helpers.js';

const TINY = { memtableSize: 2048, targetFileSize: 2048, blockSize: 256, l0Trigger: 2, sizeRatio: 2 };

describe('lsm core', () => {
  it('compact() flushes the memtable and brings the levels into shape, keeping every entry', () => {
    const dir = tmpDir();
    const e = openLsm({ dir }, TINY);
    for (let i = 0; i < 300; i++) e.put(k(`key${i % 120}`), Buffer.alloc(20, i));
    const before = e.stats();
    expect(before.extra.memtableBytes).toBeGreaterThan(0);
    e.compact();
    const after = e.stats();
    expect(after.extra.memtableBytes).toBe(0);
    // the memtable's flush, plus a frozen one's that was still running when `before` was taken
    expect(after.flushes).toBe(before.flushes + 1 + (before.extra.immutableMemtableBytes! > 0 ? 1 : 0));
    expect(after.extra['L0.runs']).toBeLessThan(TINY.l0Trigger);
    for (let i = 180; i < 300; i++) expect(e.get(k(`key${i % 120}`))).toEqual(Buffer.alloc(20, i));
    e.compact(); // nothing to flush: a no-op
    expect(e.stats().flushes).toBe(after.flushes);
    e.close();
  });

  it('opens through the shell: settings, label and version come from the descriptor and options', () => {
    const e = openLsm({ dir: tmpDir() }, { bloomBits: 0 });
    expect(e.info.label).toBe('lsm:bloomBits=0');
    expect(e.info.role).toBe('engine');
    expect(e.info.settings.bloomBits).toBe(0);
    expect(e.info.settings.memtableSize).toBe(4 * 1024 * 1024);
    expect(e.info.crashSafety).toBe('process-crash-safe');
    e.close();
  });

  it('syncs exactly where the shell asks: none at sync(), always once per write', () => {
    const fs = new NodeFs();
    const none = openLsm({ dir: tmpDir(), fs });
    const s0 = none.stats().syncs;
    for (let i = 0; i < 10; i++) none.put(k(`a${i}`), k('v'));
    expect(none.stats().syncs).toBe(s0);
    expect(none.stats().deviceBytesWritten).toBeGreaterThan(10 * 4); // handed to the OS already
    none.sync();
    expect(none.stats().syncs).toBe(s0 + 1);
    expect(none.durableSequence()).toBe(10);
    none.close();
    const always = openLsm({ dir: tmpDir(), durability: 'always' });
    const a0 = always.stats().syncs;
    for (let i = 0; i < 5; i++) always.put(k(`a${i}`), k('v'));
    expect(always.stats().syncs).toBe(a0 + 5);
    expect(always.durableSequence()).toBe(5);
    always.close();
  });
});
