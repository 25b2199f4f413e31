/**
 * Where the compiled torture child is, and building it when needed.
 *
 * Children run compiled JavaScript (Node 20 cannot run .ts): `dist/torture/child.js`. Run from
 * dist (the CLI), the child sits beside this module. Run from source (vitest), the child is
 * under the repository's dist/; {@link ensureChildBuilt} (re)builds it with
 * `tsc -p torture/tsconfig.json` when any engines/ or torture/ source is newer than the last
 * build, under a lock so that parallel test files build once.
 */
import { execFileSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvError } from '../engines/errors.js';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');
/** The repository root (source tree), whether running from source or from dist/. */
export const REPO_ROOT = fromSource ? path.resolve(path.dirname(here), '..') : path.resolve(path.dirname(here), '..', '..');

/** Absolute path of the compiled child entry point. */
export function childScript(): string {
  return fromSource ? path.join(REPO_ROOT, 'dist', 'torture', 'child.js') : path.join(path.dirname(here), 'child.js');
}

function newestSource(dir: string): number {
  let newest = 0;
  if (!nodefs.existsSync(dir)) return 0;
  for (const ent of nodefs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (ent.name.endsWith('.ts')) newest = Math.max(newest, nodefs.statSync(p).mtimeMs);
  }
  return newest;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Makes sure the compiled child is current (running from source only; from dist/ it is by
 * construction). Throws IO if the build leaves no child.
 */
export function ensureChildBuilt(): void {
  if (!fromSource) return;
  const stamp = path.join(REPO_ROOT, 'dist', 'torture', '.built');
  const stale = () => {
    if (!nodefs.existsSync(childScript()) || !nodefs.existsSync(stamp)) return true;
    const built = nodefs.statSync(stamp).mtimeMs;
    return newestSource(path.join(REPO_ROOT, 'engines')) > built || newestSource(path.join(REPO_ROOT, 'torture')) > built;
  };
  if (!stale()) return;
  const lock = path.join(REPO_ROOT, 'dist', '.torture-build.lock');
  nodefs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      nodefs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) nodefs.rmSync(lock, { recursive: true, force: true });
      sleep(200);
      if (!stale()) return;
    }
  }
  try {
    if (!stale()) return;
    const started = Date.now();
    try {
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO_ROOT, 'torture', 'tsconfig.json')], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
      });
    } catch {
      /* type errors elsewhere in the tree still emit; the existence check below decides */
    }
    if (!nodefs.existsSync(childScript())) throw new KvError('IO', `building the torture child left no ${childScript()}`);
    nodefs.mkdirSync(path.dirname(stamp), { recursive: true });
    nodefs.writeFileSync(stamp, String(started));
    const t = new Date(started);
    nodefs.utimesSync(stamp, t, t);
  } finally {
    nodefs.rmSync(lock, { recursive: true, force: true });
  }
}
