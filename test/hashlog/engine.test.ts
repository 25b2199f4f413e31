/** Engine-level behaviour specific to hashlog: group commit, stats, scan, options, write buffer reads. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { b, dataFiles, hintFiles, openHashlog, str } from './helpers.js';

describe('hashlog engine', () => {
  it('group commit: one fdatasync covers a window of writes; durableSequence follows', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, '', 'group', { groupCommitMs: 60_000, groupCommitBytes: 64 * 1024 });
    const syncs0 = e.stats().syncs;
    const value = Buffer.alloc(1024, 1);
    let durableSteps = 0;
    let lastDurable = e.durableSequence();
    for (let i = 0; i < 1000; i++) {
      e.put(b(`k${i}`), value);
      if (e.durableSequence() !== lastDurable) {
        durableSteps++;
        lastDurable = e.durableSequence();
        expect(lastDurable).toBe(e.lastSequence()); // a sync covers every write before it
      }
    }
    const syncs = e.stats().syncs - syncs0;
    expect(syncs).toBe(durableSteps);
    expect(syncs).toBeGreaterThanOrEqual(1000 * 1047 / (64 * 1024) - 1);
    expect(syncs).toBeLessThan(40);
    e.sync();
    expect(e.durableSequence()).toBe(1000);
    e.close();
  });

  it('always: every write is durable when it returns', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, '', 'always');
    for (let i = 0; i < 20; i++) {
      e.put(b(`k${i}`), b('v'));
      expect(e.durableSequence()).toBe(e.lastSequence());
    }
    expect(e.stats().syncs).toBeGreaterThanOrEqual(20);
    e.close();
  });

  it('none: every call hands its record to the OS (one write per call), nothing synced before sync()', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, 'writeBufferBytes=65536');
    const file = path.join(dir, dataFiles(dir).at(-1)!);
    const before = fs.statSync(file).size;
    e.put(b('a'), b('1'));
    expect(e.stats().flushes).toBe(1);
    expect(fs.statSync(file).size).toBeGreaterThan(before); // in the file, not in user space
    e.write([{ type: 'put', key: b('b'), value: b('2') }, { type: 'del', key: b('a') }]);
    expect(e.stats().flushes).toBe(2);
    expect(e.durableSequence()).toBe(0);
    expect(e.info.crashSafety).toBe('process-crash-safe');
    e.close();
  });

  it('bufferWrites: reads see writes still in the write buffer; sync makes them durable; sequence survives reopen', () => {
    const dir = tmpDir('kvlab-hl-');
    let e = openHashlog(dir, 'writeBufferBytes=65536,bufferWrites=true');
    expect(e.info.crashSafety).toBe('process-crash-unsafe');
    e.put(b('a'), b('1'));
    e.write([{ type: 'put', key: b('b'), value: b('2') }, { type: 'del', key: b('a') }]);
    e.delete(b('missing'));
    expect(e.stats().flushes).toBe(0); // still buffered
    expect(e.get(b('a'))).toBeUndefined();
    expect(str(e.get(b('b')))).toBe('2');
    expect(e.lastSequence()).toBe(3);
    expect(e.durableSequence()).toBe(0);
    e.sync();
    expect(e.durableSequence()).toBe(3);
    e.close();
    e = openHashlog(dir);
    expect(e.lastSequence()).toBe(3);
    e.put(b('c'), b('3'));
    expect(e.lastSequence()).toBe(4);
    e.close();
  });

  it('fills the RUM stats', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir, 'segmentBytes=4096');
    for (let i = 0; i < 100; i++) e.put(b(`key${i}`), Buffer.alloc(100, i));
    for (let i = 0; i < 50; i++) e.put(b(`key${i}`), Buffer.alloc(100, i));
    e.get(b('key1'));
    e.sync();
    const s = e.stats();
    expect(s.userBytesWritten).toBe(150 * 100 + [...Array(100).keys()].reduce((n, i) => n + `key${i}`.length, 0) + [...Array(50).keys()].reduce((n, i) => n + `key${i}`.length, 0));
    expect(s.userBytesRead).toBe(104);
    expect(s.liveKeys).toBe(100);
    expect(s.liveBytes).toBe(100 * 100 + [...Array(100).keys()].reduce((n, i) => n + `key${i}`.length, 0));
    expect(s.deviceBytesWritten).toBeGreaterThanOrEqual(s.userBytesWritten);
    expect(s.diskBytes).toBeGreaterThan(s.liveBytes);
    expect(s.files).toBeGreaterThan(1);
    expect(s.syncs).toBeGreaterThan(0);
    expect(s.indexMemoryBytes).toBeGreaterThan(0);
    expect(s.extra.segments).toBe(dataFiles(dir).length);
    expect(s.files).toBe(dataFiles(dir).length + hintFiles(dir).length);
    e.close();
  });

  it('has no ordered scan, rejects bad options and use after close with typed errors', () => {
    const dir = tmpDir('kvlab-hl-');
    const e = openHashlog(dir);
    expect(e.info.capabilities.orderedScan).toBe(false);
    expect(() => e.scan(b('a'), 10)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
    expect(() => e.put(b(''), b('x'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => e.put(Buffer.alloc(65536), b('x'))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => openSyncEngine('hashlog:segmentBytes=10', { dir: tmpDir('kvlab-hl-') })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => openHashlog(dir)).toThrow(expect.objectContaining({ code: 'LOCKED' }));
    e.close();
    e.close();
    expect(() => e.get(b('a'))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(() => e.stats()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });
});
