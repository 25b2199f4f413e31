/**
 * The seeded write workload of the crash torture, shared by the child (which runs it) and the
 * parent (which regenerates it to know what every acknowledged operation wrote).
 *
 * Everything is a pure function of (seed, cycle, op index): the child only has to report which
 * operations were acknowledged and which sequence number was durable, never the data itself.
 *
 * Values are self-describing: `c.o.k.L|` followed by L filler bytes derived from (seed, c, o, k).
 * A value read back is therefore either decoded to the exact operation that wrote it, or proven
 * never written (wrong bytes, wrong key, truncated, ...).
 */
import type { AnyEngine, BatchOp } from '../engines/engine.js';

/** Number of distinct keys the workload touches (small: overwrites and deletes are frequent). */
export const KEYSPACE = 512;

/** A deterministic 32-bit PRNG (mulberry32). `next()` is uniform in [0, 1). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Mixes numbers into one 32-bit seed (FNV-1a over their 32-bit words). */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let x = p >>> 0;
    for (let i = 0; i < 4; i++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      x >>>= 8;
    }
    // Numbers above 2^32 (cycle counts never are, seeds may be): fold the high part in too.
    const hi = Math.floor(p / 4294967296) >>> 0;
    if (hi !== 0) h = Math.imul(h ^ hi, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The bytes of key number `k`: `key-000123` (ASCII, ordered like the numbers). */
export function keyBytes(k: number): Buffer {
  return Buffer.from(`key-${String(k).padStart(6, '0')}`, 'latin1');
}

/** Key number of `key`, or -1 when it is not a workload key. */
export function keyIndex(key: Uint8Array): number {
  const s = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
  const m = /^key-(\d{6})$/.exec(s);
  if (!m) return -1;
  const k = Number(m[1]);
  return k < KEYSPACE ? k : -1;
}

/** Identity of a written value: the cycle and operation index that wrote it. */
export interface ValueId {
  readonly cycle: number;
  readonly op: number;
}

/** The value the operation (cycle, op) writes to key k: self-describing, see module doc. */
export function valueBytes(seed: number, cycle: number, op: number, k: number): Buffer {
  const rng = new Rng(mix(seed, cycle, op, k, 0x5eed));
  const r = rng.next();
  // Mostly small values; some cross a 4 KiB page; a few are empty-filler.
  const len = r < 0.05 ? 0 : r < 0.9 ? 8 + rng.int(120) : 1000 + rng.int(5000);
  return valueWithHeader(`${cycle}.${op}.${k}.${len}|`, len, rng);
}

function valueWithHeader(header: string, len: number, rng: Rng): Buffer {
  const h = Buffer.from(header, 'latin1');
  const out = Buffer.allocUnsafe(h.length + len);
  h.copy(out, 0);
  for (let i = 0; i < len; i++) out[h.length + i] = 97 + rng.int(26);
  return out;
}

/** Decodes a value read for key k: its writer, or undefined if these bytes were never written to k. */
export function decodeValue(seed: number, k: number, value: Uint8Array): ValueId | undefined {
  const v = Buffer.from(value.buffer, value.byteOffset, value.length);
  const bar = v.indexOf(0x7c); // '|'
  if (bar < 0 || bar > 40) return undefined;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v.subarray(0, bar).toString('latin1'));
  if (!m) return undefined;
  const cycle = Number(m[1]);
  const op = Number(m[2]);
  if (Number(m[3]) !== k) return undefined;
  const expected = valueBytes(seed, cycle, op, k);
  return expected.equals(v) ? { cycle, op } : undefined;
}

/** One workload operation: a put, a delete, or an atomic batch over distinct keys. */
export type WorkloadOp =
  | { readonly type: 'put'; readonly k: number }
  | { readonly type: 'del'; readonly k: number }
  | { readonly type: 'batch'; readonly ops: ReadonlyArray<{ readonly type: 'put' | 'del'; readonly k: number }> };

/** Operation `op` of `cycle`: 60% put, 15% delete, 25% batch of 2..8 distinct keys. */
export function workloadOp(seed: number, cycle: number, op: number): WorkloadOp {
  const rng = new Rng(mix(seed, cycle, op, 0x0b));
  const r = rng.next();
  if (r < 0.6) return { type: 'put', k: rng.int(KEYSPACE) };
  if (r < 0.75) return { type: 'del', k: rng.int(KEYSPACE) };
  const n = 2 + rng.int(7);
  const keys = new Set<number>();
  while (keys.size < n) keys.add(rng.int(KEYSPACE));
  return { type: 'batch', ops: [...keys].map((k) => ({ type: rng.next() < 0.8 ? ('put' as const) : ('del' as const), k })) };
}

/** The effects of an operation on each key it touches: the new value id, or null for a delete. */
export function effects(op: WorkloadOp): Array<{ k: number; put: boolean }> {
  if (op.type === 'batch') return op.ops.map((o) => ({ k: o.k, put: o.type === 'put' }));
  return [{ k: op.k, put: op.type === 'put' }];
}

/** The engine calls for an operation, as a batch list (a single put/del is a 1-element list). */
export function toBatch(seed: number, cycle: number, op: number, w: WorkloadOp): BatchOp[] {
  return effects(w).map((e) =>
    e.put ? { type: 'put', key: keyBytes(e.k), value: valueBytes(seed, cycle, op, e.k) } : { type: 'del', key: keyBytes(e.k) },
  );
}

/** `c.o` text form of a value id (journal and reports). */
export function formatId(id: ValueId): string {
  return `${id.cycle}.${id.op}`;
}

/** Runs operation `op` of `cycle` on engine `e` (put, delete, or one atomic write). */
export async function applyOp(e: AnyEngine, seed: number, cycle: number, op: number): Promise<void> {
  const w = workloadOp(seed, cycle, op);
  const batch = toBatch(seed, cycle, op, w);
  const first = batch[0]!;
  if (w.type === 'put' && first.type === 'put') await e.put(first.key, first.value);
  else if (w.type === 'del') await e.delete(first.key);
  else await e.write(batch);
}
