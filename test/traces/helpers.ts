/** Shared helpers of the trace tests: the shipped samples and a naive count of a Twitter CSV. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SAMPLES_DIR = path.resolve(__dirname, '../../workloads/traces/samples');
export const sample = (name: string): string => path.join(SAMPLES_DIR, `${name}.csv`);

/** Counts per operation and distinct keys, by splitting every line (independent of the reader). */
export function naiveCounts(file: string): { ops: Record<string, number>; keys: Set<string>; lines: string[][] } {
  const ops: Record<string, number> = {};
  const keys = new Set<string>();
  const lines = fs.readFileSync(file, 'latin1').split('\n').filter((l) => l !== '').map((l) => l.split(','));
  for (const c of lines) {
    ops[c[5]!] = (ops[c[5]!] ?? 0) + 1;
    if (c[5] !== 'delete') keys.add(c[1]!);
  }
  return { ops, keys, lines };
}

export const READ_OPS = ['get', 'gets'];
export const WRITE_OPS = ['set', 'add', 'replace', 'cas', 'append', 'prepend', 'incr', 'decr'];
export const sum = (o: Record<string, number>, names: string[]): number => names.reduce((a, n) => a + (o[n] ?? 0), 0);
