/**
 * The @nxtedition/rocksdb binding's own floor: a bare loop of the calls the rocksdb core makes
 * (a one-op WriteBatch written synchronously for a put, `_getManySync` for a read), on a fresh
 * store, outside the harness and the shell. What kvlab measures for rocksdb can never be faster.
 */
import * as fs from 'node:fs';
import { RocksLevel } from '@nxtedition/rocksdb';
import type { BindingFloor } from '../engine.js';

/**
 * Measures the floor in `dir` (created, then removed): `records` puts of `valueBytes` then as
 * many reads, durability none. The binding's writes are synchronous, so `threads` changes nothing
 * (recorded for the matrix).
 */
export async function rocksdbFloor(dir: string, threads: number, records = 50_000, valueBytes = 1000): Promise<BindingFloor> {
  fs.rmSync(dir, { recursive: true, force: true });
  const db = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', walCompression: false });
  await db.open();
  try {
    const value = Buffer.alloc(valueBytes, 0x61);
    const keys = Array.from({ length: records }, (_, i) => Buffer.from(`user${(i * 2654435761) % 4294967296}`));
    const t0 = performance.now();
    for (const k of keys) {
      const b = db.batch();
      b.put(k, value);
      b._writeSync({});
      b._closeSync();
    }
    const t1 = performance.now();
    for (let i = 0; i < records; i++) db._getManySync([keys[(i * 7919) % records]!], {});
    const t2 = performance.now();
    return {
      threads, operations: records,
      putNsPerOp: ((t1 - t0) * 1e6) / records, getNsPerOp: ((t2 - t1) * 1e6) / records,
      method: `@nxtedition/rocksdb bare loop: ${records} one-op WriteBatch _writeSync (${valueBytes} B values), then ${records} _getManySync reads; no shell, no harness`,
    };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
