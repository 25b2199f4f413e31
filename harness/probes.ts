/**
 * Measurements taken around a phase that do not depend on the engine: the process's own I/O
 * counters (/proc/self/io, Linux only), the data directory's size, and memory (RSS, heap).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcIo } from './results.js';

const IO_KEYS: Array<keyof ProcIo> = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'];

/** Parses the text of /proc/<pid>/io; missing fields read as 0. */
export function parseProcIo(text: string): ProcIo {
  const out = { rchar: 0, wchar: 0, syscr: 0, syscw: 0, read_bytes: 0, write_bytes: 0, cancelled_write_bytes: 0 };
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(\d+)/.exec(line);
    if (m && (IO_KEYS as string[]).includes(m[1]!)) out[m[1] as keyof ProcIo] = Number(m[2]);
  }
  return out;
}

/** The current /proc/self/io counters, or null where unavailable. */
export function readProcIo(): ProcIo | null {
  try {
    return parseProcIo(fs.readFileSync('/proc/self/io', 'utf8'));
  } catch {
    return null;
  }
}

/** after − before, field by field; null if either is null. */
export function procIoDelta(before: ProcIo | null, after: ProcIo | null): ProcIo | null {
  if (!before || !after) return null;
  const d = {} as ProcIo;
  for (const k of IO_KEYS) d[k] = after[k] - before[k];
  return d;
}

/** Total bytes of regular files under `dir` (recursive), or null if it does not exist. */
export function dirBytes(dir: string): number | null {
  let total = 0;
  const walk = (d: string): void => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      try {
        if (ent.isDirectory()) walk(p);
        else if (ent.isFile()) total += fs.statSync(p).size;
      } catch {
        /* a file removed while walking (compaction) */
      }
    }
  };
  try {
    walk(dir);
  } catch {
    return null;
  }
  return total;
}

/** RSS and V8 heap used, bytes. */
export function memory(): { rss: number; heapUsed: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}
