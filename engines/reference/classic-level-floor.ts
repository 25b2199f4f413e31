/**
 * The classic-level binding's own floor: a bare loop of the calls the engine core makes
 * (`getSync` for a read, `put` promises with N in flight for a write), on a fresh store, outside
 * the harness and outside the shell. What the harness measures for classic-level can never be
 * faster; the gap between the two is what kvlab's shell and loop add.
 */
import * as fs from 'node:fs';
import { ClassicLevel } from 'classic-level';
import type { BindingFloor } from '../engine.js';

/**
 * Measures the floor in `dir` (created, then removed): `records` puts of `valueBytes` with
 * `threads` in flight, then as many `getSync` reads of those keys. Durability none (no sync).
 */
export async function classicLevelFloor(dir: string, threads: number, records = 50_000, valueBytes = 1000): Promise<BindingFloor> {
  fs.rmSync(dir, { recursive: true, force: true });
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    const value = Buffer.alloc(valueBytes, 0x61);
    const keys = Array.from({ length: records }, (_, i) => Buffer.from(`user${(i * 2654435761) % 4294967296}`));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: Math.max(1, threads) }, async () => {
      while (next < records) await db.put(keys[next++]!, value);
    }));
    const t1 = performance.now();
    for (let i = 0; i < records; i++) db.getSync(keys[(i * 7919) % records]!);
    const t2 = performance.now();
    return {
      threads, operations: records,
      putNsPerOp: ((t1 - t0) * 1e6) / records, getNsPerOp: ((t2 - t1) * 1e6) / records,
      method: `classic-level bare loop: ${records} db.put promises (${valueBytes} B values, ${threads} in flight), then ${records} db.getSync reads; no shell, no harness`,
    };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
