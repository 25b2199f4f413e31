/**
 * The memcached engine beyond the conformance suite: a pool spreads keys by ketama consistent
 * hashing (each key is on exactly the server the ring names, seen by opening each server alone
 * with the same namespace); removing a server moves only that server's keys; a value over the
 * server's item size is TOO_LARGE; a server that dies mid-run fails calls with IO in bounded
 * time, never a hang.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import { KetamaRing } from '../../engines/reference/memcached-ring.js';
import { errorCode } from '../support/engine-io.js';
import { startMemcached, type MemcachedServer } from '../support/memcached-server.js';
import { tmpDir } from '../support/tmp.js';

const s = (x: string) => Buffer.from(x);
const started: MemcachedServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((m) => m.stop()));
});

describe('ketama ring', () => {
  it('spreads keys over every server and moves only a removed server\'s keys', () => {
    const servers = ['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:1003'];
    const ring = new KetamaRing(servers);
    const two = new KetamaRing(servers.slice(0, 2));
    const counts = [0, 0, 0];
    let moved = 0;
    const N = 30_000;
    for (let i = 0; i < N; i++) {
      const k = s(`user${i}`);
      const a = ring.serverOf(k);
      counts[a]!++;
      const b = two.serverOf(k);
      if (a !== 2 && b !== a) moved++;
    }
    for (const c of counts) expect(c / N).toBeGreaterThan(0.2);
    expect(moved, 'keys of the servers that stayed must not move').toBe(0);
  });
});

describe('memcached engine', () => {
  it('puts each key of a pool on the server the ring names', async () => {
    const pool = process.env.KVLAB_MEMCACHED_POOL!.split('+');
    const namespace = `t-${Date.now()}`;
    const e = await openEngine(`memcached:servers=${pool.join('+')},namespace=${namespace}`, { dir: tmpDir() });
    expect(e.info.settings.hashing).toBe('ketama');
    const keys = Array.from({ length: 300 }, (_, i) => s(`key${i}`));
    for (const k of keys) await e.put(k, k);
    await e.close();
    const ring = new KetamaRing(pool);
    const seen = [0, 0, 0];
    for (const [i, addr] of pool.entries()) {
      const one = await openEngine(`memcached:servers=${addr},namespace=${namespace}`, { dir: tmpDir() });
      for (const k of keys) {
        const here = (await one.get(k)) !== undefined;
        expect(here, `key ${k.toString()} on ${addr}`).toBe(ring.serverOf(Buffer.concat([s(`${namespace}:r:`), k])) === i);
        if (here) seen[i]!++;
      }
      await one.close();
    }
    for (const c of seen) expect(c).toBeGreaterThan(50);
  });

  it('refuses a value over the server item size with TOO_LARGE and stores one at the limit', async () => {
    const m = await startMemcached({ memoryMiB: 64 }); // default -I 1m
    started.push(m);
    const e = await openEngine(`memcached:servers=${m.addr}`, { dir: tmpDir() });
    const max = e.info.limits.maxValueBytes;
    expect(max).toBeLessThan(1 << 20);
    expect(await errorCode(() => e.put(s('big'), new Uint8Array(1 << 20)))).toBe('TOO_LARGE');
    await e.put(s('big'), new Uint8Array(max).fill(1));
    expect((await e.get(s('big')))!.length).toBe(max);
    await e.close();
  });

  it('fails with IO in bounded time when its server dies, and says so on open', async () => {
    const m = await startMemcached({ memoryMiB: 64 });
    started.push(m);
    const e = await openEngine(`memcached:servers=${m.addr},timeoutMs=500`, { dir: tmpDir() });
    await e.put(s('k'), s('v'));
    await m.kill();
    const t0 = Date.now();
    expect(await errorCode(() => e.put(s('k2'), s('v')))).toBe('IO');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await errorCode(() => e.get(s('k')))).toBe('FAILED'); // sticky after a failed write
    await e.close().catch(() => undefined);
    expect(await errorCode(() => openEngine(`memcached:servers=${m.addr},timeoutMs=500`, { dir: tmpDir() }))).toBe('IO');
  });
});

describe('a run whose memcached dies', () => {
  const cliRun = (args: string[]) => {
    const c = spawn(process.execPath, ['dist/cli/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    return {
      c,
      done: new Promise<{ code: number | null; err: string }>((r) => {
        let err = '';
        c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        c.once('exit', (code) => r({ code, err }));
      }),
    };
  };

  for (const w of [{ name: 'a', why: 'a failed write fails the engine' }, { name: 'c', why: 'reads only: no success for --op-timeout' }]) {
    it(`workload ${w.name} ends with the error, exit 1 and partial results, long before maxexecutiontime (${w.why})`, async () => {
      const m = await startMemcached({ memoryMiB: 64 });
      started.push(m);
      const dir = tmpDir();
      const out = path.join(tmpDir(), 'r.json');
      const common = ['-P', `workloads/workload${w.name}`, '--engine', `memcached:servers=${m.addr},timeoutMs=300`, '--dir', dir, '-p', 'recordcount=200', '--no-harness-cost', '--quiet', '--no-fork'];
      expect((await cliRun(['load', ...common]).done).code).toBe(0);
      const t0 = Date.now();
      const run = cliRun(['run', ...common, '-p', 'operationcount=100000000', '-p', 'maxexecutiontime=120', '--threads', '4', '--op-timeout', '2', '--out', out]);
      await new Promise((r) => setTimeout(r, 1500));
      await m.kill();
      const r = await Promise.race([run.done, new Promise<'hang'>((res) => setTimeout(() => res('hang'), 60_000))]);
      if (r === 'hang') run.c.kill('SIGKILL');
      expect(r, 'the run must end on its own').not.toBe('hang');
      const { code, err } = r as { code: number; err: string };
      expect(code).toBe(1);
      expect(err).toMatch(/kvlab: IO: .*memcached/);
      expect(Date.now() - t0).toBeLessThan(60_000); // bounded (maxexecutiontime is 120 s)
      const res = JSON.parse(fs.readFileSync(out, 'utf8')) as { partial?: { code: string }; phases: Array<{ trials: Array<{ stoppedBy: string; failed?: { code: string } }> }> };
      expect(res.partial?.code).toBe('IO');
      const tr = res.phases[0]!.trials[0]!;
      expect(tr.stoppedBy).toBe('error');
      expect(tr.failed?.code).toBe('IO');
    });
  }
});
