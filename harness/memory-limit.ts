/**
 * Memory-bounded runs (`--memory-limit BYTES`): the process that drives the engine runs in its
 * own memory cgroup, so the engine's allocations, the heap and the page cache it causes all
 * count against one limit, and a data set larger than the limit is read from storage, not from
 * a page cache the size of the machine.
 *
 * - cgroup v1 (the memory controller mounted on its own, as on this kind of machine): a child
 *   group under this process's own group, `memory.limit_in_bytes`; peak `memory.max_usage_in_bytes`,
 *   limit hits `memory.failcnt`, OOM kills `memory.oom_control`.
 * - cgroup v2: a child group under this process's own group when its `cgroup.subtree_control`
 *   offers `memory` (a delegated group, e.g. `systemd-run --user --scope -p Delegate=yes`),
 *   `memory.max`; peak `memory.peak`, OOM kills `memory.events`.
 *
 * The child joins its group before it executes anything (`sh -c 'echo $$ > cgroup.procs; exec
 * node …'`), so every page it touches is charged to it. Page cache a process leaves behind stays
 * charged to its group: {@link MemoryCgroup.destroy} empties the group (v1 `memory.force_empty`)
 * before removing it, and a limited trial first drops its data directory's pages from the cache
 * ({@link dropDirCache}), so no trial starts with data an earlier process cached.
 * Where no group can be made, {@link MemoryCgroup.create} throws NOT_SUPPORTED saying why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvError } from '../engines/errors.js';
import { loadBinding } from '../engines/native/binding.js';

/** Environment of a process inside a kvlab memory cgroup: the group's directory and version ("v1:/sys/fs/…"). */
export const MEMORY_CGROUP_ENV = 'KVLAB_MEMORY_CGROUP';

/** The smallest limit accepted: below it Node itself cannot start. */
export const MIN_MEMORY_LIMIT = 32 * 1024 * 1024;

/** What a group reports (bytes; null where the version has no such counter). */
export interface CgroupUsage {
  limitBytes: number;
  usageBytes: number;
  peakBytes: number;
  cacheBytes: number;
  anonBytes: number;
  limitHits: number | null;
  oomKills: number | null;
}

type Version = 'v1' | 'v2';

const read = (f: string): string => fs.readFileSync(f, 'utf8').trim();
const statOf = (dir: string): Map<string, number> =>
  new Map(read(path.join(dir, 'memory.stat')).split('\n').map((l) => l.split(' ')).map(([k, v]) => [k!, Number(v)]));

/** Reads a group's usage (the directory and version of a group made by {@link MemoryCgroup}). */
export function cgroupUsage(dir: string, v: Version): CgroupUsage {
  const st = statOf(dir);
  if (v === 'v1') {
    const oom = /oom_kill (\d+)/.exec(read(path.join(dir, 'memory.oom_control')));
    return {
      limitBytes: Number(read(path.join(dir, 'memory.limit_in_bytes'))),
      usageBytes: Number(read(path.join(dir, 'memory.usage_in_bytes'))),
      peakBytes: Number(read(path.join(dir, 'memory.max_usage_in_bytes'))),
      cacheBytes: st.get('total_cache') ?? st.get('cache') ?? 0,
      anonBytes: st.get('total_rss') ?? st.get('rss') ?? 0,
      limitHits: Number(read(path.join(dir, 'memory.failcnt'))),
      oomKills: oom ? Number(oom[1]) : null,
    };
  }
  const max = read(path.join(dir, 'memory.max'));
  const ev = /oom_kill (\d+)/.exec(read(path.join(dir, 'memory.events')));
  const peak = fs.existsSync(path.join(dir, 'memory.peak')) ? Number(read(path.join(dir, 'memory.peak'))) : Number(read(path.join(dir, 'memory.current')));
  return {
    limitBytes: max === 'max' ? Number.MAX_SAFE_INTEGER : Number(max),
    usageBytes: Number(read(path.join(dir, 'memory.current'))),
    peakBytes: peak,
    cacheBytes: st.get('file') ?? 0,
    anonBytes: st.get('anon') ?? 0,
    limitHits: null,
    oomKills: ev ? Number(ev[1]) : null,
  };
}

/** The group this process runs in when a parent put it in one (`KVLAB_MEMORY_CGROUP`), else null. */
export function currentMemoryCgroup(): { dir: string; version: Version } | null {
  const e = process.env[MEMORY_CGROUP_ENV];
  if (!e) return null;
  const m = /^(v1|v2):(.+)$/.exec(e);
  if (!m) throw new KvError('INVALID_ARGUMENT', `${MEMORY_CGROUP_ENV} must be v1:DIR or v2:DIR, got '${e}'`);
  return { version: m[1] as Version, dir: m[2]! };
}

/** Usage of this process's own group, or null when it is not in one. */
export function ownCgroupUsage(): CgroupUsage | null {
  const g = currentMemoryCgroup();
  return g === null ? null : cgroupUsage(g.dir, g.version);
}

/** Where this process's memory cgroup lives, with the version; or why none can be used. */
function parentGroup(): { dir: string; version: Version } | string {
  let mounts: string[];
  let groups: string[];
  try {
    mounts = read('/proc/self/mountinfo').split('\n');
    groups = read('/proc/self/cgroup').split('\n');
  } catch {
    return 'no /proc/self/cgroup (memory cgroups need Linux)';
  }
  // mountinfo: id parent major:minor root mountpoint opts ... - fstype source superopts
  const mountOf = (fstype: string, superHas?: string) => {
    for (const l of mounts) {
      const [pre, post] = l.split(' - ');
      if (!pre || !post) continue;
      const [type, , superopts] = post.split(' ');
      if (type !== fstype || (superHas && !(superopts ?? '').split(',').includes(superHas))) continue;
      const f = pre.split(' ');
      return { root: f[3]!, point: f[4]! };
    }
    return null;
  };
  const v1 = mountOf('cgroup', 'memory');
  const v1Line = groups.find((l) => l.split(':')[1]?.split(',').includes('memory'));
  if (v1 && v1Line) {
    const rel = v1Line.split(':').slice(2).join(':');
    const dir = path.join(v1.point, path.relative(v1.root, rel) || '.');
    return { dir, version: 'v1' };
  }
  const v2 = mountOf('cgroup2');
  const v2Line = groups.find((l) => l.startsWith('0::'));
  if (v2 && v2Line) {
    const dir = path.join(v2.point, path.relative(v2.root, v2Line.slice(3)) || '.');
    let ctl = '';
    try {
      ctl = read(path.join(dir, 'cgroup.subtree_control'));
    } catch {
      /* unreadable */
    }
    if (ctl.split(' ').includes('memory')) return { dir, version: 'v2' };
    return `the cgroup v2 group ${dir} does not delegate the memory controller to subgroups (cgroup.subtree_control: '${ctl}'); run kvlab as root with cgroup v1 memory mounted, or inside a delegated group, e.g. systemd-run --user --scope -p Delegate=yes kvlab …`;
  }
  return 'no memory cgroup controller is mounted (neither cgroup v1 memory nor cgroup v2)';
}

let groupCounter = 0;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** A memory cgroup made for one child process. */
export class MemoryCgroup {
  private constructor(
    readonly dir: string,
    readonly version: Version,
    readonly limitBytes: number,
  ) {}

  /** Makes a group with `limitBytes` under this process's own group; NOT_SUPPORTED with the reason when it cannot. */
  static create(limitBytes: number): MemoryCgroup {
    if (!Number.isSafeInteger(limitBytes) || limitBytes < MIN_MEMORY_LIMIT)
      throw new KvError('INVALID_ARGUMENT', `--memory-limit must be at least ${MIN_MEMORY_LIMIT >> 20} MiB (Node itself needs about that much), got ${limitBytes} bytes`);
    const p = parentGroup();
    if (typeof p === 'string') throw new KvError('NOT_SUPPORTED', `--memory-limit: cannot make a memory cgroup: ${p}`);
    const dir = path.join(p.dir, `kvlab-${process.pid}-${++groupCounter}`);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new KvError('NOT_SUPPORTED', `--memory-limit: cannot make a memory cgroup in ${p.dir} (${code}): ${code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'run as root, or inside a cgroup delegated to this user (systemd-run --user --scope -p Delegate=yes)' : (e as Error).message}`);
    }
    const g = new MemoryCgroup(dir, p.version, limitBytes);
    try {
      if (p.version === 'v1') {
        fs.writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
        try {
          fs.writeFileSync(path.join(dir, 'memory.swappiness'), '0');
        } catch {
          /* not settable in every hierarchy; the machine may have no swap anyway */
        }
      } else {
        fs.writeFileSync(path.join(dir, 'memory.max'), String(limitBytes));
        try {
          fs.writeFileSync(path.join(dir, 'memory.swap.max'), '0');
        } catch {
          /* no swap accounting */
        }
      }
      const set = cgroupUsage(dir, p.version).limitBytes;
      // v1 rounds the limit down to whole pages
      if (Math.abs(set - limitBytes) > 4096) throw new KvError('NOT_SUPPORTED', `--memory-limit: the cgroup took a limit of ${set} bytes, not ${limitBytes}`);
    } catch (e) {
      g.destroy();
      if (e instanceof KvError) throw e;
      throw new KvError('NOT_SUPPORTED', `--memory-limit: cannot set the limit in ${dir}: ${(e as Error).message}`);
    }
    return g;
  }

  /** The environment value ({@link MEMORY_CGROUP_ENV}) for a process in this group. */
  get envValue(): string {
    return `${this.version}:${this.dir}`;
  }

  /** `[file, args]` that run `cmd args` inside this group from its first instruction. */
  wrap(cmd: string, args: readonly string[]): [string, string[]] {
    return ['/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.dir, cmd, ...args]];
  }

  /** Usage now. */
  usage(): CgroupUsage {
    return cgroupUsage(this.dir, this.version);
  }

  /** Empties the group (its page cache dropped, dirty pages written back) and removes it; its processes must have exited. */
  destroy(): void {
    try {
      if (this.version === 'v1') fs.writeFileSync(path.join(this.dir, 'memory.force_empty'), '0');
    } catch {
      /* processes still inside, or already gone */
    }
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(this.dir);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        Atomics.wait(sleepCell, 0, 0, 20); // a just-exited process may still be leaving
      }
    }
  }
}

/**
 * Drops every regular file under `dir` from the page cache (fdatasync, then posix_fadvise
 * DONTNEED, through the native addon); returns the number of files. A limited trial calls it
 * before it opens the store, so it reads from storage what an earlier process left cached.
 */
export function dropDirCache(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  const b = loadBinding();
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    b.dropFileCache(path.join(e.parentPath, e.name));
    n++;
  }
  return n;
}

/** Parses a byte size: an integer with an optional unit (B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T…; all powers of 1024). */
export function parseByteSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(s.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Math.round(Number(m[1]) * mult);
  return Number.isSafeInteger(n) ? n : undefined;
}
