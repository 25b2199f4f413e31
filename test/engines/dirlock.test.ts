/** DirLock: exclusive while held, taken over when stale (torn content, dead or reused pid). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirLock } from '../../engines/common.js';
import { NodeFs } from '../../engines/fs.js';
import { tmpDir } from '../support/tmp.js';

const startTime = (pid: number) => {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return st.slice(st.lastIndexOf(')') + 2).split(' ')[19];
};
const code = (f: () => unknown) => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('DirLock', () => {
  it('is exclusive within a process and released by release()', () => {
    const dir = tmpDir();
    const lock = DirLock.acquire(new NodeFs(), dir);
    expect(code(() => DirLock.acquire(new NodeFs(), dir))).toBe('LOCKED');
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false);
    DirLock.acquire(new NodeFs(), dir).release();
  });

  it('refuses a directory held by another live process, takes over a reused pid or a torn lock', async () => {
    const dir = tmpDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      await new Promise((r) => child.once('spawn', r));
      const file = path.join(dir, 'LOCK');
      fs.writeFileSync(file, `${child.pid} ${startTime(child.pid!)}\n`);
      expect(code(() => DirLock.acquire(new NodeFs(), dir))).toBe('LOCKED');
      fs.writeFileSync(file, `${child.pid} 1\n`); // same pid, other start time: a reused pid
      DirLock.acquire(new NodeFs(), dir).release();
      for (const torn of ['1\n', `${child.pid}`, `${child.pid} ${startTime(child.pid!)}`, '', '\0\0\0\0']) {
        fs.writeFileSync(file, torn);
        DirLock.acquire(new NodeFs(), dir).release();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});
