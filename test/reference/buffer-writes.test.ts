/**
 * `bufferWrites` in sqlite: one transaction held open across writes until sync() (lmdb does
 * not offer it: lmdb-js's synchronous API cannot keep a write transaction open across calls,
 * and the option is refused as unknown). With it, writes are readable on the engine before sync, invisible to another reader of
 * the committed state until sync() (they are in user space: a SIGKILL would lose them), survive
 * close/reopen (close commits), and info.crashSafety says 'process-crash-unsafe'. Without it,
 * every acknowledged write is committed (visible to another reader) before the call returns, and
 * crashSafety is 'process-crash-safe'.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const s = (x: string) => Buffer.from(x);
const str = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString());

/** The keys a second reader sees in the committed state of `dir` (another process for LMDB). */
const committed: Record<string, (dir: string) => string[]> = {
  lmdb: (dir) => {
    const script = `import { open } from 'lmdb';
const db = open({ path: ${JSON.stringify(dir)}, keyEncoding: 'binary', encoding: 'binary', readOnly: true });
const keys = []; for (const { key } of db.getRange({})) keys.push(Buffer.from(key).toString());
process.stdout.write(JSON.stringify(keys)); await db.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lmdb reader failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
  },
  sqlite: (dir) => {
    const db = new Database(path.join(dir, 'kv.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT k FROM kv ORDER BY k').pluck().all() as Buffer[]).map((k) => k.toString());
    } finally {
      db.close();
    }
  },
};

function fill(e: Engine): void {
  e.put(s('a'), s('1'));
  e.put(s('b'), s('2'));
  e.write([
    { type: 'put', key: s('c'), value: s('3') },
    { type: 'del', key: s('a') },
  ]);
  e.putMany([s('d'), s('e')], [s('4'), s('5')]);
  e.delete(s('e'));
}

describe('lmdb bufferWrites', () => {
  it('is not offered: an unknown option, refused with a typed error', () => {
    expect(() => openSyncEngine('lmdb:bufferWrites=true', { dir: tmpDir() })).toThrow(expect.objectContaining({ code: 'UNKNOWN_ENGINE' }));
    // without it, every write is committed before the call returns (another reader sees it)
    const dir = tmpDir();
    const e = openSyncEngine('lmdb', { dir });
    try {
      expect(e.info.crashSafety).toBe('process-crash-safe');
      fill(e);
      expect(committed.lmdb!(dir)).toEqual(['b', 'c', 'd']);
    } finally {
      e.close();
    }
  });
});

describe.each(['sqlite'])('%s bufferWrites', (name) => {
  it('with it: readable before sync, not committed until sync, kept by close; process-crash-unsafe', () => {
    const dir = tmpDir();
    const e = openSyncEngine(`${name}:bufferWrites=true`, { dir });
    try {
      expect(e.info.crashSafety).toBe('process-crash-unsafe');
      expect(e.info.settings.bufferWrites).toBe(true);
      fill(e);
      // The engine's own reads see the open transaction.
      expect(e.get(s('a'))).toBeUndefined();
      expect(e.getMany([s('b'), s('c'), s('d'), s('e')]).map(str)).toEqual(['2', '3', '4', undefined]);
      expect(e.scan(s('a'), 10).map(([k, v]) => `${str(k)}=${str(v)}`)).toEqual(['b=2', 'c=3', 'd=4']);
      expect(e.stats().liveKeys).toBe(3);
      // Another reader of the committed state sees none of it yet.
      expect(committed[name]!(dir)).toEqual([]);
      e.sync();
      expect(committed[name]!(dir)).toEqual(['b', 'c', 'd']);
      // A new transaction after the sync; close (no explicit sync) commits it.
      e.put(s('f'), s('6'));
      expect(str(e.get(s('f')))).toBe('6');
      expect(committed[name]!(dir)).toEqual(['b', 'c', 'd']);
    } finally {
      e.close();
    }
    const r = openSyncEngine(name, { dir });
    try {
      expect(r.scan(s('a'), 10).map(([k, v]) => `${str(k)}=${str(v)}`)).toEqual(['b=2', 'c=3', 'd=4', 'f=6']);
    } finally {
      r.close();
    }
  });

  it('with it under always: each write is committed before it returns', () => {
    const dir = tmpDir();
    const e = openSyncEngine(`${name}:bufferWrites=true`, { dir, durability: 'always' });
    try {
      e.put(s('a'), s('1'));
      expect(e.durableSequence()).toBe(1);
      expect(committed[name]!(dir)).toEqual(['a']);
    } finally {
      e.close();
    }
  });

  it('without it: every acknowledged write is committed before the call returns; process-crash-safe', () => {
    const dir = tmpDir();
    const e = openSyncEngine(name, { dir });
    try {
      expect(e.info.crashSafety).toBe('process-crash-safe');
      expect(e.info.settings.bufferWrites).toBe(false);
      fill(e);
      expect(committed[name]!(dir)).toEqual(['b', 'c', 'd']);
      expect(e.durableSequence()).toBe(0); // durability none: handed to the OS, not synced
    } finally {
      e.close();
    }
  });
});
