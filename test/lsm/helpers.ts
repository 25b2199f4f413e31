/** Shared helpers for the lsm tests: deterministic randomness, key/value makers, direct table building. */
import * as path from 'node:path';
import { NodeFs } from '../../engines/fs.js';
import { BlockCache } from '../../engines/lsm/block-cache.js';
import type { ReadCounters } from '../../engines/lsm/sstable-reader.js';
import { Table } from '../../engines/lsm/sstable-reader.js';
import { SstableBuilder } from '../../engines/lsm/sstable-builder.js';

/** xorshift32: deterministic, seedable. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export const k = (s: string) => Buffer.from(s, 'latin1');

export function counters(): ReadCounters {
  return { tableProbes: 0, bloomNegatives: 0, bloomFalsePositives: 0, getBlockReads: 0, blockFileReads: 0 };
}

/** Sorted unique entries [key, kind, value]. */
export type Entry = [Buffer, number, Buffer];

/** Builds a table in `dir` from sorted entries and opens it. */
export function buildTable(dir: string, entries: Entry[], opts = { blockSize: 256, bloomBits: 10 }, number = 1) {
  const fs = new NodeFs();
  const file = path.join(dir, `${number}.sst`);
  const b = new SstableBuilder(fs, file, opts);
  entries.forEach(([key, kind, value], i) => b.add(key, kind, i + 1, value));
  const built = b.finish();
  const c = counters();
  const table = Table.open(fs, file, number, new BlockCache(1 << 20), c);
  return { fs, file, built, table, counters: c };
}

/**
 * A real file system whose fsync/fdatasync/directory syncs are no-ops: for logic tests with
 * hundreds of tiny flushes (durability is tested by crash.test.ts, with the real syncs).
 */
export class NoSyncFs extends NodeFs {
  override fdatasync(): void {}
  override fsync(): void {}
  override syncDir(): void {}
}
