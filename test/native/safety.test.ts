/**
 * FFI safety: bad calls into the addon give typed errors (never a crash), a panic inside the
 * core becomes a KvError and poisons only its store, close is idempotent, the finalizer frees a
 * store that was never closed, and a missing binary gives NOT_SUPPORTED with build instructions
 * while the registry still imports.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { fromNative, loadBinding, type Handle } from '../../engines/native/binding.js';
import { isKvError } from '../../engines/errors.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';

const n = loadBinding();
const here = path.dirname(fileURLToPath(import.meta.url));

/** The KvError the call throws (converted as the engine does), or a failure. */
function kvErrorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    const k = fromNative(e);
    if (!isKvError(k)) throw new Error(`not a KvError: ${String(e)}`);
    return { code: k.code, message: k.message };
  }
  throw new Error('did not throw');
}

const openRaw = (dir: string): Handle => n.open(dir, 1 << 20, 65536, 0.5, 0, 1, 1, 1);

describe('native FFI safety', () => {
  it('rejects malformed calls with INVALID_ARGUMENT and keeps working', () => {
    const h = openRaw(tmpDir());
    n.setScratch(h, Buffer.alloc(4096));
    const bad: Array<() => unknown> = [
      () => (n.get as (...a: unknown[]) => unknown)(h, 'a string key'),
      () => (n.get as (...a: unknown[]) => unknown)({}, Buffer.from('k')),
      () => (n.get as (...a: unknown[]) => unknown)(),
      () => (n.put as (...a: unknown[]) => unknown)(h, Buffer.from('k'), Buffer.from('v'), -1),
      () => (n.put as (...a: unknown[]) => unknown)(h, Buffer.from('k'), Buffer.from('v'), 'one'),
      () => n.put(h, Buffer.from('k'), Buffer.from('v'), 0.5),
      () => n.put(h, new Uint8Array(0), Buffer.from('v'), 1),
      () => n.write(h, Buffer.from([7, 0, 1, 0, 0, 0, 0, 0, 0x61]), 1),
      () => n.write(h, Buffer.from([0, 0, 200, 0, 0, 0, 0, 0, 0x61]), 1),
      () => n.getMany(h, Buffer.from([5, 0, 0x61]), 0),
      () => n.getMany(h, Buffer.from([1, 0, 0x61]), 99),
      () => n.stats(h, new Uint8Array(8)),
      () => n.setScratch(h, new Uint8Array(8)),
      () => n.open('/proc/definitely/not/here', 1 << 20, 65536, 0.5, 0, 1, 1, 1),
      () => n.open(tmpDir(), 1 << 20, 65536, 2, 0, 1, 1, 1),
    ];
    for (const f of bad) expect(['INVALID_ARGUMENT', 'NOT_FOUND', 'IO']).toContain(kvErrorOf(f).code);
    expect(kvErrorOf(bad[0]!).code).toBe('INVALID_ARGUMENT');
    expect(kvErrorOf(bad[7]!).code).toBe('INVALID_ARGUMENT');
    n.put(h, Buffer.from('k'), Buffer.from('v'), 1);
    expect(n.get(h, Buffer.from('k'))).toBe(1);
    n.close(h);
  });

  it('turns a panic into a KvError, poisons only that store, and the process survives', () => {
    const e = kvErrorOf(() => n.__panicForTest());
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toMatch(/native core panicked: .*deliberate panic/);
    const h1 = openRaw(tmpDir());
    const h2 = openRaw(tmpDir());
    n.setScratch(h1, Buffer.alloc(4096));
    n.setScratch(h2, Buffer.alloc(4096));
    expect(kvErrorOf(() => n.__panicForTest(h1)).message).toMatch(/panicked: .*inside a store call/);
    expect(kvErrorOf(() => n.get(h1, Buffer.from('k'))).message).toMatch(/poisoned/);
    n.put(h2, Buffer.from('k'), Buffer.from('value'), 1);
    expect(n.get(h2, Buffer.from('k'))).toBe(5);
    n.close(h1);
    n.close(h2);
  });

  it('close twice is a no-op; calls after close throw CLOSED', () => {
    const h = openRaw(tmpDir());
    n.close(h);
    n.close(h);
    expect(kvErrorOf(() => n.get(h, Buffer.from('k'))).code).toBe('CLOSED');
    const e = openSyncEngine('native', { dir: tmpDir(), durability: 'none' });
    e.close();
    e.close();
    expect(() => e.get(Buffer.from('k'))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  it('frees a store that is never closed when its handle is garbage-collected', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    gc();
    const before = fds();
    (() => {
      for (let i = 0; i < 20; i++) openRaw(tmpDir());
    })();
    expect(fds()).toBeGreaterThanOrEqual(before + 20);
    for (let i = 0; i < 10 && fds() >= before + 20; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(fds()).toBeLessThan(before + 20);
  });

  it('without the binary: the registry imports, opening throws NOT_SUPPORTED saying how to build', () => {
    const dist = path.join(here, '..', '..', 'dist', 'engines', 'registry.js');
    expect(fs.existsSync(dist), 'dist/ missing: run `npm run build`').toBe(true);
    const script = `
      const r = await import(${JSON.stringify(dist)});
      const names = r.listEngines().map((d) => d.name);
      try { r.openSyncEngine('native', { dir: ${JSON.stringify(tmpDir())} }); console.log('OPENED'); }
      catch (e) { console.log(JSON.stringify({ names, code: e.code, message: e.message })); }`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, KVLAB_NATIVE_BINARY: '/nonexistent/kvlab-native.node' }, encoding: 'utf8',
    });
    const r = JSON.parse(out.stdout.trim()) as { names: string[]; code: string; message: string };
    expect(r.names).toContain('native');
    expect(r.code).toBe('NOT_SUPPORTED');
    expect(r.message).toMatch(/npm run build:native/);
  });
});
