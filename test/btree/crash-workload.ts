/** The deterministic write rounds the crash child performs and the crash test replays on an oracle. */
import type { BatchOp } from '../../engines/engine.js';
import { rng } from './helpers.js';

export interface Writable {
  put(k: Uint8Array, v: Uint8Array): void;
  delete(k: Uint8Array): void;
  write(batch: readonly BatchOp[]): void;
}

const key = (n: number) => Buffer.from(`key${String(n).padStart(4, '0')}`);

/** Round `r`: puts (some overflowing 512-byte pages), deletes and one atomic batch. */
export function applyRound(t: Writable, r: number): void {
  const rand = rng(1000 + r);
  for (let i = 0; i < 80; i++) {
    const n = Math.floor(rand() * 400);
    const len = rand() < 0.1 ? 600 + Math.floor(rand() * 2000) : Math.floor(rand() * 150);
    t.put(key(n), Buffer.alloc(len, (r * 31 + n) & 0xff));
  }
  for (let i = 0; i < 30; i++) t.delete(key(Math.floor(rand() * 400)));
  const batch: BatchOp[] = [];
  for (let i = 0; i < 10; i++) {
    const n = Math.floor(rand() * 400);
    batch.push(i % 3 === 2 ? { type: 'del', key: key(n) } : { type: 'put', key: key(n), value: Buffer.alloc(20, r & 0xff) });
  }
  t.write(batch);
}
