/**
 * DirLock: a kernel lock (flock) on kvlab.lock. Exclusive within a process and across
 * processes, released when its holder dies (SIGKILL), and never won twice: 50 rounds of two
 * processes opening the same directory at the same instant, exactly one wins each round.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DirLock, LOCK_FILE } from '../../engines/common.js';
import { NodeFs } from '../../engines/fs.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';

const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'lock-racer.mjs');

const code = (f: () => unknown) => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

/** A racer child and a function that sends a line and waits for its next answer. */
function racer(): { child: ChildProcessWithoutNullStreams; ask: (line: string) => Promise<string> } {
  const child = spawn(process.execPath, [RACER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting: Array<(s: string) => void> = [];
  let buf = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  child.on('exit', (c, sig) => {
    for (const w of waiting.splice(0)) w(`EXITED ${c} ${sig} ${err}`);
  });
  return {
    child,
    ask: (line) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${line}\n`);
      }),
  };
}

describe('DirLock', () => {
  it('is exclusive within a process and released by release(); the lock file stays', () => {
    const dir = tmpDir();
    const lock = DirLock.acquire(new NodeFs(), dir);
    expect(code(() => DirLock.acquire(new NodeFs(), dir))).toBe('LOCKED');
    expect(code(() => openSyncEngine('hashlog', { dir }))).toBe('LOCKED');
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    DirLock.acquire(new NodeFs(), dir).release();
  });

  it('refuses a directory held by another live process and is free the moment that process is SIGKILLed', async () => {
    const dir = tmpDir();
    const r = racer();
    try {
      expect(await r.ask(`hold ${dir}`)).toBe('HOLDING');
      expect(code(() => DirLock.acquire(new NodeFs(), dir))).toBe('LOCKED');
      // a lock file whose content names nobody changes nothing: the kernel lock decides
      fs.writeFileSync(path.join(dir, LOCK_FILE), 'garbage');
      expect(code(() => DirLock.acquire(new NodeFs(), dir))).toBe('LOCKED');
      const exited = new Promise((res) => r.child.once('exit', res));
      r.child.kill('SIGKILL');
      await exited;
      DirLock.acquire(new NodeFs(), dir).release();
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  it('two processes opening the same directory at the same instant: exactly one wins, 50 rounds of 50', async () => {
    const a = racer();
    const b = racer();
    const outcomes: string[] = [];
    try {
      for (let round = 0; round < 50; round++) {
        const dir = tmpDir();
        // both requests are written before either answer is read: the opens overlap
        const [ra, rb] = await Promise.all([a.ask(`open ${dir}`), b.ask(`open ${dir}`)]);
        outcomes.push([ra, rb].sort().join('+'));
        await Promise.all([a.ask('close'), b.ask('close')]);
      }
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    expect(counts).toEqual({ 'LOCKED+WON': 50 });
  });
});
