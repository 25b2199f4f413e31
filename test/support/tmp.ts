/** Temporary directories for tests, removed after the test file finishes. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

/** A fresh empty directory under the OS temp dir; removed in afterAll of the calling file. */
export function tmpDir(prefix = 'kvlab-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/**
 * A fresh empty directory in memory (tmpfs /dev/shm when present, else the OS temp dir), for
 * process-kill tests: a SIGKILL keeps tmpfs contents exactly as it keeps the page cache, and
 * sync calls are still issued (strace still counts them), but no other test's disk writeback
 * can stall an fdatasync here for seconds.
 */
export function memDir(prefix = 'kvlab-test-'): string {
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const d = fs.mkdtempSync(path.join(base, prefix));
  made.push(d);
  return d;
}

afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
