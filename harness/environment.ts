/**
 * The environment manifest recorded with every result: machine (CPU, cores, RAM, kernel),
 * the data directory's file system (from /proc/mounts), Node/V8, the kvlab git revision and
 * the versions of the engine libraries, plus the dataset size against RAM.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvironmentManifest } from './results.js';

/** Libraries whose versions every manifest lists. */
const LIBRARIES = ['lmdb', 'classic-level', 'better-sqlite3', '@nxtedition/rocksdb', 'ioredis', 'memjs', 'etcd3', '@aws-sdk/client-dynamodb', 'hdr-histogram-js', 'msgpackr'];

/** The kvlab repository root (the directory holding package.json above this file). */
export function repoRoot(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'engines'))) return d;
    d = path.dirname(d);
  }
  return process.cwd();
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Installed version of an npm package (from its package.json), or null. */
export function libraryVersion(name: string): string | null {
  const v = readJson(path.join(repoRoot(), 'node_modules', name, 'package.json'))?.version;
  return typeof v === 'string' ? v : null;
}

let gitCache: { rev: string | null; dirty: boolean | null } | undefined;
function git(): { rev: string | null; dirty: boolean | null } {
  if (gitCache) return gitCache;
  const root = repoRoot();
  const run = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    } catch {
      return null;
    }
  };
  const rev = run(['rev-parse', 'HEAD']);
  const status = rev === null ? null : run(['status', '--porcelain', '--untracked-files=no']);
  gitCache = { rev, dirty: status === null ? null : status.length > 0 };
  return gitCache;
}

/** The mount that holds `dir` (longest mount-point prefix of its nearest existing ancestor). */
export function filesystemOf(dir: string): EnvironmentManifest['filesystem'] {
  let p = path.resolve(dir);
  while (!fs.existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  try {
    p = fs.realpathSync(p);
  } catch {
    /* keep p */
  }
  let best: { type: string; mountPoint: string; device: string } | null = null;
  try {
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, mp, type] = line.split(' ');
      if (!device || !mp || !type) continue;
      const mount = mp.replace(/\\040/g, ' ');
      const inside = p === mount || p.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
      if (inside && (best === null || mount.length >= best.mountPoint.length)) best = { type, mountPoint: mount, device };
    }
  } catch {
    /* not Linux */
  }
  return { dir: path.resolve(dir), type: best?.type ?? null, mountPoint: best?.mountPoint ?? null, device: best?.device ?? null };
}

/** Builds the manifest for a run whose data lives in `dir` and whose dataset is about `datasetBytes`. */
export function environmentManifest(dir: string, datasetBytes: number, memoryLimitBytes: number | null = null): EnvironmentManifest {
  const cpus = os.cpus();
  const g = git();
  const libraryVersions: Record<string, string> = {};
  for (const name of LIBRARIES) {
    const v = libraryVersion(name);
    if (v !== null) libraryVersions[name] = v;
  }
  const ram = os.totalmem();
  const pkg = readJson(path.join(repoRoot(), 'package.json'));
  return {
    hostname: os.hostname(),
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: ram,
    freeMemoryBytes: os.freemem(),
    node: process.version,
    v8: process.versions.v8,
    kvlabVersion: typeof pkg?.version === 'string' ? pkg.version : 'unknown',
    gitRevision: g.rev,
    gitDirty: g.dirty,
    libraryVersions,
    filesystem: filesystemOf(dir),
    dataset: {
      estimatedBytes: datasetBytes, ramBytes: ram, ratioToRam: ram > 0 ? datasetBytes / ram : 0,
      memoryBytes: memoryLimitBytes ?? ram, memoryIs: memoryLimitBytes === null ? 'ram' : 'limit',
      ratioToMemory: (memoryLimitBytes ?? ram) > 0 ? datasetBytes / (memoryLimitBytes ?? ram) : 0,
    },
  };
}
