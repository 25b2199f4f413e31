import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FILE } from '../../engines/btree/db.js';
import { inspect, inspectCommand } from '../../engines/btree/inspect.js';
import { isKvError } from '../../engines/errors.js';
import { tmpDir } from '../support/tmp.js';
import { b, openBtree } from './helpers.js';

const PS = 512;
const key = (i: number) => b(`key${String(i).padStart(4, '0')}`);

/**
 * A store with keys 0..299 (v1), synced, then keys 0..9 rewritten (v2), closed. With
 * `bufferWrites` these are exactly two commits, both synced; without, every write is an
 * unsynced commit and sync()/close() add a synced one.
 */
function build(bufferWrites = false): string {
  return buildWithSnapshot(bufferWrites).dir;
}

/** {@link build}, also returning both meta pages as they were right after the first sync. */
function buildWithSnapshot(bufferWrites = false): { dir: string; metasAfterSync: Buffer } {
  const dir = tmpDir();
  const e = openBtree(dir, { pageSize: PS, bufferWrites });
  for (let i = 0; i < 300; i++) e.put(key(i), b(`v1-${i}`));
  e.sync();
  const metasAfterSync = nodefs.readFileSync(path.join(dir, DATA_FILE)).subarray(0, 2 * PS);
  for (let i = 0; i < 10; i++) e.put(key(i), b(`v2-${i}`));
  e.close();
  return { dir, metasAfterSync };
}

/**
 * Makes meta slot `slot` look like its last write was torn at byte `at` of the page: bytes
 * before it are the final content, from it on the content the slot had before (`old`).
 */
function tear(dir: string, slot: number, at: number, old: Buffer): void {
  patch(dir, slot * PS + at, old.subarray(slot * PS + at, (slot + 1) * PS));
}

function codeOf(fn: () => unknown): { code?: string; file?: string; offset?: number } {
  try {
    fn();
  } catch (e) {
    if (isKvError(e)) return { code: e.code, file: e.file, offset: e.offset };
    return { code: `non-KvError: ${String(e)}` };
  }
  return {};
}

function patch(dir: string, offset: number, bytes: Buffer): void {
  const fd = nodefs.openSync(path.join(dir, DATA_FILE), 'r+');
  nodefs.writeSync(fd, bytes, 0, bytes.length, offset);
  nodefs.closeSync(fd);
}

describe('btree corruption', () => {
  it('a damaged leaf page gives CORRUPTION with file and offset, never wrong data', () => {
    const dir = build();
    const leaf = inspect(dir, { dump: 'all' }).dumps.find((d) => d.type === 'leaf' && d.keys?.includes('key0150'))!;
    expect(leaf).toBeDefined();
    patch(dir, leaf.pgid * PS + 100, Buffer.from([0xde, 0xad]));
    const rep = inspect(dir);
    expect(rep.ok).toBe(false);
    expect(rep.violations.join('\n')).toMatch(new RegExp(`page ${leaf.pgid}: checksum`));
    const e = openBtree(dir, { pageSize: PS });
    const err = codeOf(() => e.get(key(150)));
    expect(err.code).toBe('CORRUPTION');
    expect(err.file).toBe(path.join(dir, DATA_FILE));
    expect(err.offset).toBe(leaf.pgid * PS);
    expect(codeOf(() => e.scan(key(0), 1000)).code).toBe('CORRUPTION');
    // keys on other pages still read correctly
    expect(Buffer.from(e.get(key(0))!).toString()).toBe('v2-0');
    expect(Buffer.from(e.get(key(299))!).toString()).toBe('v1-299');
    e.close();
  });

  it('a torn newest meta falls back to the other meta (the previous commit)', () => {
    const { dir, metasAfterSync } = buildWithSnapshot(true);
    const before = inspect(dir);
    const newest = before.meta!.txid % 2;
    tear(dir, newest, 30, metasAfterSync); // the write stopped inside copy 1: copy 2 is the slot's old meta
    const rep = inspect(dir);
    expect(rep.violations).toEqual([]);
    expect(rep.warnings.join()).toMatch(new RegExp(`meta ${newest}: copy 1 invalid`));
    expect(rep.meta!.txid).toBe(before.meta!.txid - 1);
    const e = openBtree(dir, { pageSize: PS });
    expect(Buffer.from(e.get(key(0))!).toString()).toBe('v1-0'); // the last commit's rewrite is gone
    expect(Buffer.from(e.get(key(299))!).toString()).toBe('v1-299');
    e.put(key(0), b('v3'));
    e.close();
    expect(inspect(dir).violations).toEqual([]);
    const e2 = openBtree(dir, { pageSize: PS });
    expect(Buffer.from(e2.get(key(0))!).toString()).toBe('v3');
    e2.close();
  });

  it('a torn newest meta whose first copy was written: the commit is kept', () => {
    const { dir, metasAfterSync } = buildWithSnapshot(true);
    const before = inspect(dir);
    const newest = before.meta!.txid % 2;
    tear(dir, newest, PS / 2 + 30, metasAfterSync);
    expect(inspect(dir).meta!.txid).toBe(before.meta!.txid);
    const e = openBtree(dir, { pageSize: PS });
    expect(Buffer.from(e.get(key(0))!).toString()).toBe('v2-0');
    e.close();
  });

  it('unsynced commits: a torn newest (synced) meta falls back to the last unsynced commit, durable since that sync', () => {
    const { dir, metasAfterSync } = buildWithSnapshot();
    const before = inspect(dir);
    const newest = before.meta!.txid % 2;
    expect(before.metaSlots[1 - newest]).toMatch(/unsynced/);
    tear(dir, newest, 30, metasAfterSync);
    const rep = inspect(dir);
    expect(rep.violations).toEqual([]);
    expect(rep.meta!.txid).toBe(before.meta!.txid - 1);
    expect(rep.meta!.unsynced).toBe(true);
    const e = openBtree(dir, { pageSize: PS });
    expect(Buffer.from(e.get(key(0))!).toString()).toBe('v2-0'); // nothing lost: the same tree
    expect(Buffer.from(e.get(key(299))!).toString()).toBe('v1-299');
    e.close();
    expect(inspect(dir).violations).toEqual([]);
  });

  it('a damaged copy of a durable newest meta (a flip, a zeroed block) is read from its other copy: nothing older comes back', () => {
    const damages = [
      (dir: string, slot: number) => patch(dir, slot * PS + 40, Buffer.alloc(40)),
      (dir: string, slot: number) => patch(dir, slot * PS + PS / 2 + 3, Buffer.from([0x77])),
    ];
    for (const damage of damages) {
      const dir = build(true);
      const before = inspect(dir);
      const newest = before.meta!.txid % 2;
      damage(dir, newest);
      const rep = inspect(dir);
      expect(rep.violations).toEqual([]);
      expect(rep.warnings.join()).toMatch(new RegExp(`meta ${newest}: copy [12] invalid`));
      expect(rep.meta!.txid).toBe(before.meta!.txid);
      const e = openBtree(dir, { pageSize: PS });
      expect(Buffer.from(e.get(key(0))!).toString()).toBe('v2-0');
      e.close();
    }
  });

  it('the newest meta damaged in both copies is CORRUPTION, not a silent fall back to the older commit', () => {
    const dir = build(true);
    const newest = inspect(dir).meta!.txid % 2;
    patch(dir, newest * PS + 40, Buffer.alloc(8, 1));
    patch(dir, newest * PS + PS / 2 + 40, Buffer.alloc(8, 1));
    const err = codeOf(() => openBtree(dir, { pageSize: PS }));
    expect(err.code).toBe('CORRUPTION');
    expect(err.file).toBe(path.join(dir, DATA_FILE));
    expect(err.offset).toBe(newest * PS);
    expect(inspect(dir).ok).toBe(false);
  });

  it('meta 0 torn: meta 1 is found without trusting meta 0 for the page size', () => {
    const dir = build();
    patch(dir, 0, Buffer.alloc(64, 0xff));
    const rep = inspect(dir);
    expect(rep.violations).toEqual([]);
    expect(rep.meta!.txid % 2).toBe(1);
    const e = openBtree(dir, { pageSize: 4096 }); // a wrong preference does not matter
    expect(e.info.settings.pageSize).toBe(PS);
    expect(e.get(key(5))).toBeDefined();
    e.close();
  });

  it('both metas damaged: open fails with CORRUPTION', () => {
    const dir = build();
    for (const at of [40, PS / 2 + 40, PS + 40, PS + PS / 2 + 40]) patch(dir, at, Buffer.alloc(8, 1));
    expect(codeOf(() => openBtree(dir, { pageSize: PS })).code).toBe('CORRUPTION');
    expect(inspect(dir).ok).toBe(false);
  });

  it('a damaged freelist page fails the open with CORRUPTION', () => {
    const dir = build();
    const fl = inspect(dir).meta!.freelist;
    expect(fl).toBeGreaterThan(1);
    patch(dir, fl * PS + 30, Buffer.from([1, 2, 3]));
    const err = codeOf(() => openBtree(dir, { pageSize: PS }));
    expect(err.code).toBe('CORRUPTION');
    expect(err.offset).toBe(fl * PS);
  });

  it('a truncated file gives CORRUPTION, not a crash', () => {
    const dir = build();
    const file = path.join(dir, DATA_FILE);
    nodefs.truncateSync(file, nodefs.statSync(file).size - 3 * PS);
    let err = codeOf(() => {
      const e = openBtree(dir, { pageSize: PS });
      try {
        e.scan(key(0), 1000);
      } finally {
        e.close();
      }
    });
    expect(err.code).toBe('CORRUPTION');
    expect(inspect(dir).ok).toBe(false);
    err = codeOf(() => inspect(dir));
    expect(err.code).toBeUndefined();
  });

  it('inspect command prints a report and an exit code', () => {
    const dir = build();
    const out: string[] = [];
    expect(inspectCommand([dir, '--dump', '0,2'], (s) => out.push(s))).toBe(0);
    expect(out.join('\n')).toMatch(/OK: all invariants hold/);
    expect(out.join('\n')).toMatch(/page 0: meta/);
    expect(inspectCommand([], () => {})).toBe(2);
    patch(dir, inspect(dir).meta!.root * PS + 50, Buffer.from([9]));
    expect(inspectCommand([dir, '--json'], (s) => out.push(s))).toBe(1);
  });
});
