/** Shared helpers for the btree tests: open the engine (through the shell) with options. */
import type { Durability, Engine } from '../../engines/engine.js';
import { openBtree as openWith } from '../../engines/btree/index.js';
import type { Fs } from '../../engines/fs.js';

/**
 * Opens btree in `dir` through openDescriptor (engines/open.ts), the registry's one open path;
 * the registry itself is not imported, so the crash child bundles only the btree engine.
 */
export function openBtree(dir: string, options: Record<string, string | number | boolean> = {}, durability: Durability = 'none', fs?: Fs): Engine {
  return openWith({ dir, durability, fs }, options);
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
