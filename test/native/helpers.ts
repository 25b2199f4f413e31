/** Shared helpers for the native tests: a seeded history of puts/deletes/batches against a model. */
import type { BatchOp, Engine } from '../../engines/engine.js';

export type Model = Map<string, string>;

/** xorshift32, seeded: the same seed gives the same history. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const value = (tag: string, i: number, len: number) => `${tag}:${i}:`.padEnd(len, String.fromCharCode(97 + (i % 26)));

/**
 * Applies `n` random operations over `keys` keys to `e` and to `model`: puts (values 0..600
 * bytes), deletes, and atomic batches of 2-5 ops. `merge` (when given) runs every `mergeEvery` ops.
 */
export function history(e: Engine, model: Model, tag: string, seed: number, n: number, keys: number, merge?: () => void, mergeEvery = 0): void {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const p = r();
    const k = `key-${Math.floor(r() * keys)}`;
    if (p < 0.6) {
      const v = value(tag, i, Math.floor(r() * 600));
      e.put(Buffer.from(k), Buffer.from(v));
      model.set(k, v);
    } else if (p < 0.8) {
      e.delete(Buffer.from(k));
      model.delete(k);
    } else {
      const ops: BatchOp[] = [];
      const m = 2 + Math.floor(r() * 4);
      for (let j = 0; j < m; j++) {
        const bk = `key-${Math.floor(r() * keys)}`;
        if (r() < 0.7) ops.push({ type: 'put', key: Buffer.from(bk), value: Buffer.from(value(tag, i * 10 + j, 50)) });
        else ops.push({ type: 'del', key: Buffer.from(bk) });
      }
      e.write(ops);
      for (const op of ops) {
        const bk = Buffer.from(op.key).toString();
        if (op.type === 'put') model.set(bk, Buffer.from(op.value).toString());
        else model.delete(bk);
      }
    }
    if (merge && mergeEvery > 0 && i % mergeEvery === mergeEvery - 1) merge();
  }
}

/** Every key 0..keys-1 reads as the model says (absent keys absent). Returns the mismatches. */
export function mismatches(e: Engine, model: Model, keys: number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < keys; i++) {
    const k = `key-${i}`;
    const got = e.get(Buffer.from(k));
    const want = model.get(k);
    const g = got === undefined ? undefined : Buffer.from(got).toString();
    if (g !== want) bad.push(`${k}: got ${g?.slice(0, 20)} want ${want?.slice(0, 20)}`);
  }
  return bad;
}
