/**
 * What the conformance suite does not cover for the rocksdb reference engine: options reach
 * RocksDB (seen in the OPTIONS file RocksDB writes), per-level stats keys after flushes and
 * compactions, LOCKED for a held directory, a typed error for a corrupt MANIFEST, and the
 * version string.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RocksLevel } from '@nxtedition/rocksdb';
import { describe, expect, it } from 'vitest';
import type { AsyncEngine } from '../../engines/engine.js';
import { isKvError } from '../../engines/errors.js';
import { openEngine } from '../../engines/registry.js';
import { rocksdbLibraryVersion } from '../../engines/reference/rocksdb-stats.js';
import { tmpDir } from '../support/tmp.js';

const open = async (spec: string, dir: string) => (await openEngine(spec, { dir, durability: 'none' })) as AsyncEngine;
const optionsFile = (dir: string) => {
  const f = fs.readdirSync(dir).filter((n) => n.startsWith('OPTIONS-')).sort().pop()!;
  return fs.readFileSync(path.join(dir, f), 'utf8');
};
const value = Buffer.alloc(1000, 0x61);

async function fill(e: AsyncEngine, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await e.put(Buffer.from(`user${String(i).padStart(8, '0')}`), value);
}

describe('rocksdb reference engine', () => {
  it('passes bloomBits, memtableSize, compaction, compression and blockSize to RocksDB', async () => {
    const a = tmpDir();
    const e1 = await open('rocksdb', a);
    await e1.close();
    const o1 = optionsFile(a);
    expect(o1).toMatch(/filter_policy=bloomfilter:10:false/);
    expect(o1).toMatch(/\bwrite_buffer_size=67108864\b/);
    expect(o1).toMatch(/compaction_style=kCompactionStyleLevel/);
    expect(o1).toMatch(/^\s*compression=kNoCompression/m);

    const b = tmpDir();
    const e2 = await open('rocksdb:bloomBits=0,memtableSize=65536,compaction=tiered,compression=zstd,blockSize=16384', b);
    await e2.close();
    const o2 = optionsFile(b);
    expect(o2).toMatch(/filter_policy=nullptr/);
    expect(o2).toMatch(/\bwrite_buffer_size=65536\b/);
    expect(o2).toMatch(/compaction_style=kCompactionStyleUniversal/);
    expect(o2).toMatch(/^\s*compression=kZSTD/m);
    expect(o2).toMatch(/\bblock_size=16384\b/);
  });

  it('rejects an unknown compaction style with a typed error', async () => {
    await expect(open('rocksdb:compaction=fifo', tmpDir())).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reports per-level L{i}.* keys, flushes and compactions after a small-memtable load', async () => {
    const dir = tmpDir();
    const e = await open('rocksdb:memtableSize=65536', dir);
    await fill(e, 5000);
    let s = await e.stats();
    for (let i = 0; i < 100 && s.compactions === 0; i++) {
      await new Promise((r) => setTimeout(r, 100)); // RocksDB's background compactions are asynchronous
      s = await e.stats();
    }
    await e.close();
    expect(s.flushes).toBeGreaterThan(0);
    expect(s.compactions).toBeGreaterThan(0);
    const levels = Object.keys(s.extra).filter((k) => /^L\d+\.files$/.test(k));
    expect(levels.length).toBeGreaterThan(0);
    for (const k of ['files', 'bytes', 'score', 'readBytes', 'writtenBytes', 'writeAmp', 'compactions']) expect(s.extra[`L0.${k}`]).toBeTypeOf('number');
    const files = levels.reduce((n, k) => n + s.extra[k]!, 0);
    expect(files).toBeGreaterThan(0); // equality with the .sst files on disk races background compactions
    expect(fs.readdirSync(dir).some((n) => n.endsWith('.sst'))).toBe(true);
    expect(s.indexMemoryBytes).toBeGreaterThan(0);
    expect(s.unknown).toContain('cacheHits');
  });

  it('maps a directory whose RocksDB LOCK is held to LOCKED', async () => {
    const dir = tmpDir();
    const held = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await held.open();
    try {
      await expect(open('rocksdb', dir)).rejects.toMatchObject({ code: 'LOCKED' });
    } finally {
      await held.close();
    }
    const e = await open('rocksdb', dir);
    await expect(open('rocksdb', dir)).rejects.toMatchObject({ code: 'LOCKED' });
    await e.close();
  });

  it('a truncated MANIFEST gives a typed CORRUPTION or IO error', async () => {
    const dir = tmpDir();
    const e = await open('rocksdb', dir);
    await fill(e, 100);
    await e.close();
    const m = fs.readdirSync(dir).find((n) => n.startsWith('MANIFEST-'))!;
    fs.truncateSync(path.join(dir, m), 10);
    const err = await open('rocksdb', dir).then(() => undefined, (x: unknown) => x);
    expect(isKvError(err)).toBe(true);
    expect(['CORRUPTION', 'IO']).toContain((err as { code: string }).code);
  });

  it('records the binding and RocksDB versions', async () => {
    expect(rocksdbLibraryVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    const e = await open('rocksdb', tmpDir());
    expect(e.info.version).toMatch(new RegExp(`^@nxtedition/rocksdb \\d+\\.\\d+\\.\\d+, RocksDB ${rocksdbLibraryVersion().replace(/\./g, '\\.')}$`));
    await e.close();
  });
});
