/**
 * The data set the corruption torture damages: a seeded load of {@link LOAD_KEYS} keys written in
 * several sessions (overwrites, deletes, batches, some multi-KiB values, a full compaction after
 * the second; each session closed cleanly), so that every file type an engine makes (logs, tables, hints, manifests, pages)
 * exists. Values are self-describing (`k.ver.len|filler`), so any value read back is classified
 * as current, stale (an older version of that key) or never written.
 */
import type { AnyEngine, BatchOp } from '../engines/engine.js';
import { isKvError } from '../engines/errors.js';
import { mix, Rng } from './workload.js';

/** Keys in the corruption load. */
export const LOAD_KEYS = 1500;
const SESSIONS = 3;

/** Key k of the load (`ck-000042`). */
export function loadKey(k: number): Buffer {
  return Buffer.from(`ck-${String(k).padStart(6, '0')}`, 'latin1');
}

/** Key number of a load key, or -1. */
export function loadKeyIndex(key: Uint8Array): number {
  const m = /^ck-(\d{6})$/.exec(Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1'));
  return m && Number(m[1]) < LOAD_KEYS ? Number(m[1]) : -1;
}

/** Version `ver` of key k's value. */
export function loadValue(seed: number, k: number, ver: number): Buffer {
  const rng = new Rng(mix(seed, k, ver, 0xc0));
  const len = rng.next() < 0.05 ? 2000 + rng.int(3000) : 20 + rng.int(300);
  const h = Buffer.from(`${k}.${ver}.${len}|`, 'latin1');
  const out = Buffer.allocUnsafe(h.length + len);
  h.copy(out);
  for (let i = 0; i < len; i++) out[h.length + i] = 97 + rng.int(26);
  return out;
}

/** The version a value read for key k holds, or undefined when these bytes were never a version of k. */
export function loadVersionOf(seed: number, k: number, v: Uint8Array): number | undefined {
  const b = Buffer.from(v.buffer, v.byteOffset, v.length);
  const bar = b.indexOf(0x7c);
  if (bar < 0 || bar > 40) return undefined;
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(b.subarray(0, bar).toString('latin1'));
  if (!m || Number(m[1]) !== k) return undefined;
  const ver = Number(m[2]);
  return loadValue(seed, k, ver).equals(b) ? ver : undefined;
}

/** What the load left: per key its current version (-1: deleted/absent) and every version written. */
export interface LoadExpectation {
  seed: number;
  final: number[];
  written: number[][];
}

async function compactIfAny(e: AnyEngine): Promise<void> {
  try {
    await e.compact();
  } catch (err) {
    if (!isKvError(err, 'NOT_SUPPORTED')) throw err;
  }
}

/**
 * Writes the load through `open` (called once per session; the engine is closed after each).
 * Returns what a correct engine must read back.
 */
export async function writeLoad(seed: number, open: () => Promise<AnyEngine>): Promise<LoadExpectation> {
  const final = new Array<number>(LOAD_KEYS).fill(-1);
  const written: number[][] = Array.from({ length: LOAD_KEYS }, () => []);
  const rng = new Rng(mix(seed, 0x10ad));
  let ver = 0;
  for (let s = 0; s < SESSIONS; s++) {
    const e = await open();
    for (let k = 0; k < LOAD_KEYS; k += 10) {
      const batch: BatchOp[] = [];
      for (let i = k; i < Math.min(LOAD_KEYS, k + 10); i++) {
        if (s > 0 && rng.next() > 0.3) continue;
        ver++;
        final[i] = ver;
        written[i]!.push(ver);
        batch.push({ type: 'put', key: loadKey(i), value: loadValue(seed, i, ver) });
      }
      if (rng.next() < 0.2 && batch.length > 0) await e.write(batch);
      else for (const op of batch) if (op.type === 'put') await e.put(op.key, op.value);
    }
    for (let n = 0; n < LOAD_KEYS / 10; n++) {
      const k = rng.int(LOAD_KEYS);
      await e.delete(loadKey(k));
      final[k] = -1;
    }
    await e.sync();
    if (s === 1) await compactIfAny(e); // merged/compacted files exist beside fresh ones
    await e.close();
  }
  return { seed, final, written };
}
