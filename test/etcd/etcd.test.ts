/**
 * The etcd engines against real members started here (test/support/etcd-server.ts): scans stay
 * inside their namespace, a batch is one Txn (every key at one revision) and more than
 * --max-txn-ops is TOO_LARGE with nothing applied, the namespace lock refuses a second open and
 * is taken over after its holder is SIGKILLed, a 3-member cluster keeps writing with one member
 * dead and fails with IO (not a hang) with two dead, and a CLI run whose server dies ends with
 * a clear message and a non-zero exit.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsyncEngine } from '../../engines/engine.js';
import { openEngine } from '../../engines/registry.js';
import { errorCode } from '../support/engine-io.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-server.js';
import { tmpDir } from '../support/tmp.js';

const s = (x: string) => Buffer.from(x);
const open = async (spec: string, dir = tmpDir()) => (await openEngine(spec, { dir, durability: 'none' })) as AsyncEngine;
const started: EtcdCluster[] = [];
afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
});

describe('etcd engine on one member', () => {
  let srv: EtcdCluster;
  let raw: Etcd3;
  beforeAll(async () => {
    srv = await startEtcd(1);
    started.push(srv);
    raw = new Etcd3({ hosts: srv.endpoints });
  });
  afterAll(() => raw.close());
  const spec = (ns: string) => `etcd:endpoints=${srv.endpoints},namespace=${ns}`;

  it('scans only its own namespace, in byte order, with neighbours on both sides of the prefix', async () => {
    const ns = `t${randomBytes(4).toString('hex')}`;
    const a = await open(spec(ns));
    const neighbours = [await open(spec(`${ns}0`)), await open(spec(`${ns}.`)), await open(spec(`${ns}x`))];
    try {
      for (const n of neighbours) await n.put(s('k'), s('other'));
      await raw.put(Buffer.from(`${ns}0`)).value('raw-after-prefix-end');
      const keys = [Buffer.from([0]), s('a'), s('b'), Buffer.from([0xff, 0xff])];
      for (const k of [...keys].reverse()) await a.put(k, Buffer.concat([s('v:'), k]));
      const rows = await a.scan(Buffer.from([0]), 100);
      expect(rows.map(([k]) => Buffer.from(k).toString('hex'))).toEqual(keys.map((k) => k.toString('hex')));
      expect(rows.every(([k, v]) => Buffer.from(v).equals(Buffer.concat([s('v:'), Buffer.from(k)])))).toBe(true);
      expect((await a.scan(s('b'), 10)).length).toBe(2);
      for (const n of neighbours) expect((await n.scan(Buffer.from([0]), 100)).map(([k]) => Buffer.from(k).toString())).toEqual(['k']);
      expect(await errorCode(() => open(spec(`${ns}/sub`)))).toBe('INVALID_ARGUMENT');
    } finally {
      for (const e of [a, ...neighbours]) await e.close();
    }
  });

  it('applies a batch as one Txn (one revision for all keys); over --max-txn-ops is TOO_LARGE and applies nothing', async () => {
    const ns = `b${randomBytes(4).toString('hex')}`;
    const e = await open(spec(ns));
    try {
      const ops = Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: s(`k${String(i).padStart(3, '0')}`), value: s(`v${i}`) }));
      await e.write([...ops, { type: 'del', key: s('k050') }, { type: 'put', key: s('k051'), value: s('last') }]);
      const kvs = (await raw.getAll().prefix(`${ns}/`).exec()).kvs;
      expect(kvs.length).toBe(99);
      expect(new Set(kvs.map((kv) => kv.mod_revision)).size).toBe(1);
      expect(Buffer.from((await e.get(s('k051')))!).toString()).toBe('last');
      const big = Array.from({ length: 129 }, (_, i) => ({ type: 'put' as const, key: s(`big${i}`), value: s('x') }));
      let err: Error | undefined;
      try {
        await e.write(big);
      } catch (x) {
        err = x as Error;
      }
      expect((err as { code?: string } | undefined)?.code).toBe('TOO_LARGE');
      expect(err!.message).toContain('128');
      expect(await e.get(s('big0'))).toBeUndefined();
      expect(e.info.settings.serverFsyncEveryWrite).toBe(true);
      expect(e.info.settings.members).toBe(1);
      expect(e.info.version).toMatch(/^etcd3 \S+, etcd 3\./);
    } finally {
      await e.close();
    }
  });

  it('refuses a second open of the namespace (LOCKED) and takes over the lock of a SIGKILLed holder', async () => {
    const dir = tmpDir();
    const ns = `l${randomBytes(4).toString('hex')}`;
    const first = await open(spec(ns), dir);
    expect(await errorCode(() => open(spec(ns)))).toBe('LOCKED');
    await first.close();
    const child = spawn(process.execPath, ['test/etcd/child-hold.mjs', spec(ns), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('HOLDING') && resolve());
      child.once('exit', (c) => reject(new Error(`holder exited ${c}`)));
    });
    expect(await errorCode(() => open(spec(ns)))).toBe('LOCKED');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const t0 = Date.now();
    const again = await open(spec(ns), dir);
    expect(Date.now() - t0).toBeLessThan(30_000); // bounded, not a timing claim
    expect(Buffer.from((await again.get(s('held')))!).toString()).toBe('yes');
    await again.close();
  });

  it('a run through the CLI whose server is SIGKILLed ends with an IO message and a non-zero exit', async () => {
    const own = await startEtcd(1);
    started.push(own);
    const dir = tmpDir();
    const args = ['-P', 'c', '--engine', `etcd:endpoints=${own.endpoints},callTimeoutMs=2000`, '--dir', dir, '-p', 'recordcount=200', '--no-harness-cost', '--quiet'];
    const cli = (verb: string, extra: string[]) => spawn(process.execPath, ['dist/cli/main.js', verb, ...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = (c: ReturnType<typeof cli>) => new Promise<{ code: number | null; err: string }>((r) => {
      let err = '';
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      c.once('exit', (code) => r({ code, err }));
    });
    expect((await done(cli('load', []))).code).toBe(0);
    const run = cli('run', ['-p', 'operationcount=100000000', '-p', 'maxexecutiontime=10', '--threads', '4']);
    const result = done(run);
    await new Promise((r) => setTimeout(r, 1500));
    await own.members[0]!.kill();
    const r = await Promise.race([result, new Promise<'hang'>((res) => setTimeout(() => res('hang'), 60_000))]);
    if (r === 'hang') run.kill('SIGKILL');
    expect(r).not.toBe('hang');
    const { code, err } = r as { code: number; err: string };
    expect(code).not.toBe(0);
    expect(err).toMatch(/kvlab: IO: etcd/); // the harness counts failed ops until maxexecutiontime, then the final stats call fails
    expect(err).toContain(own.endpoints);
  });
});

describe('etcd-cluster engine on three members', () => {
  it('keeps writing with one member SIGKILLed and fails with IO, not a hang, with two', async () => {
    const c = await startEtcd(3);
    started.push(c);
    const e = await open(`etcd-cluster:endpoints=${c.endpoints.replaceAll(',', '+')},callTimeoutMs=2000`);
    try {
      expect(e.info.settings.members).toBe(3);
      await e.put(s('a'), s('1'));
      const leader = String(e.info.settings.raftLeader);
      const followers = c.members.filter((m) => m.name !== leader);
      await followers[0]!.kill();
      for (let i = 0; i < 20; i++) await e.put(s(`k${i}`), s('v'));
      expect((await e.scan(s('k'), 100)).length).toBe(20);
      await followers[1]!.kill();
      const t0 = Date.now();
      expect(await errorCode(() => e.put(s('lost'), s('quorum')))).toBe('IO');
      expect(Date.now() - t0).toBeLessThan(30_000); // bounded, not a timing claim
    } finally {
      await Promise.race([e.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    }
  });
});
