/** Shared helpers for the btree tests: open the engine directly with options. */
import { NodeFs } from '../../engines/fs.js';
import type { Durability } from '../../engines/engine.js';
import { btreeDescriptor } from '../../engines/btree/index.js';
import type { BTreeEngine } from '../../engines/btree/engine.js';

export function openBtree(
  dir: string,
  options: Record<string, string | number> = {},
  durability: Durability = 'none',
): BTreeEngine {
  // defaults filled as the registry does (the registry itself is not imported, so the crash
  // child bundles only the btree engine)
  const opts: Record<string, string | number | boolean> = {};
  for (const [k, spec] of Object.entries(btreeDescriptor.options)) opts[k] = options[k] ?? spec.default;
  return btreeDescriptor.open({ dir, durability, fs: new NodeFs(), options: opts, label: 'btree' }) as BTreeEngine;
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const b = (s: string): Buffer => Buffer.from(s);
