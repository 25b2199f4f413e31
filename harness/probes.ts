/**
 * Measurements taken around a phase that do not depend on the engine: the process's own I/O
 * counters (/proc/self/io, Linux only), the data directory's size, memory (RSS, heap, mapped
 * files), and the machine's load and CPU steal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import type { MachineLoad, ProcIo } from './results.js';

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

/** RSS and V8 heap used, bytes; on Linux also RSS split into anonymous memory and mapped file pages, and V8's external memory. */
export function memory(): { rss: number; heapUsed: number; rssAnon?: number; rssFile?: number; external: number } {
  const m = process.memoryUsage();
  const out: { rss: number; heapUsed: number; rssAnon?: number; rssFile?: number; external: number } = { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
  try {
    const st = fs.readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string): number | undefined => {
      const x = new RegExp(`^${k}:\\s*(\\d+) kB`, 'm').exec(st);
      return x ? Number(x[1]) * 1024 : undefined;
    };
    const anon = kb('RssAnon');
    const file = kb('RssFile');
    if (anon !== undefined) out.rssAnon = anon;
    if (file !== undefined) out.rssFile = file;
  } catch {
    /* not Linux */
  }
  return out;
}

/** This process's cumulative page faults (/proc/self/stat minflt, majflt), or null off Linux. A major fault read a page from storage. */
export function pageFaults(): { major: number; minor: number } | null {
  try {
    const st = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return { minor: Number(f[7]), major: Number(f[9]) }; // fields 10 and 12
  } catch {
    return null;
  }
}

/**
 * A trial ran on a busy machine when other processes used more than {@link BUSY_OTHERS_PCT}% of
 * one core on average during it (all CPU time on the machine minus this process's own, from
 * /proc/stat and /proc/self/stat: the load average cannot tell kvlab's own threads from
 * others'), or CPU steal exceeded {@link BUSY_STEAL_PCT}% of the machine's time.
 */
export const BUSY_OTHERS_PCT = 25;
export const BUSY_STEAL_PCT = 5;

/** The machine's 1-minute load average and cumulative CPU ticks (/proc/stat, /proc/self/stat); tick fields null off Linux. */
export function machineLoad(): MachineLoad {
  let stealTicks: number | null = null;
  let totalTicks: number | null = null;
  let busyTicks: number | null = null;
  let selfTicks: number | null = null;
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    totalTicks = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    stealTicks = cpu[7] ?? 0;
    busyTicks = totalTicks - (cpu[3] ?? 0) - (cpu[4] ?? 0) - stealTicks; // minus idle, iowait and steal
    const st = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    selfTicks = Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
  } catch {
    /* not Linux */
  }
  return { loadavg1: os.loadavg()[0] ?? 0, stealTicks, totalTicks, busyTicks, selfTicks };
}

/** Steal % and other processes' CPU (% of one core) between two readings (null when unknown), and whether the trial counts as busy. */
export function machineVerdict(before: MachineLoad, after: MachineLoad, cores = os.cpus().length): { stealPct: number | null; othersPct: number | null; busy: boolean } {
  const known = (k: 'totalTicks' | 'stealTicks' | 'busyTicks' | 'selfTicks') => before[k] != null && after[k] != null;
  const dt = known('totalTicks') ? after.totalTicks! - before.totalTicks! : 0;
  const enough = dt >= 100; // at least 1 s of CPU ticks across the machine
  const stealPct = enough && known('stealTicks') ? (100 * (after.stealTicks! - before.stealTicks!)) / dt : null;
  const othersPct = enough && known('busyTicks') && known('selfTicks')
    ? Math.max(0, (100 * Math.max(1, cores) * (after.busyTicks! - before.busyTicks! - (after.selfTicks! - before.selfTicks!))) / dt)
    : null;
  const busy = (othersPct !== null && othersPct > BUSY_OTHERS_PCT) || (stealPct !== null && stealPct > BUSY_STEAL_PCT);
  return { stealPct, othersPct, busy };
}
