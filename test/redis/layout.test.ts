/**
 * What the `redis` engine puts on a real server: YCSB's layout (a hash per record, one field
 * `v` = the value bytes; a sorted-set index at score 0), ZRANGEBYLEX ordering by unsigned bytes,
 * namespaces (per directory marker or explicit option), and the errors a user meets first: an
 * unreachable server and a missing redis-server binary, each one line saying how to start one.
 */
import * as fs from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import { errorCode } from '../support/engine-io.js';
import { freePort, requireRedisServer, startRedis, type RedisServer } from '../support/redis-server.js';
import { tmpDir } from '../support/tmp.js';

const s = (x: string) => Buffer.from(x);
let srv: RedisServer;
let admin: Redis;
let spec: string;
beforeAll(async () => {
  srv = await startRedis({ appendonly: true, appendfsync: 'always' });
  admin = new Redis(srv.port, '127.0.0.1');
  spec = `redis:port=${srv.port}`;
});
afterAll(async () => {
  admin.disconnect();
  await srv.stop();
});

describe('redis layout and namespaces', () => {
  it('stores a hash per record (field v) and an index sorted set, under the namespace named in dir', async () => {
    const dir = tmpDir();
    const e = await openEngine(spec, { dir });
    try {
      await e.put(s('user1'), s('payload'));
      expect(fs.readdirSync(dir)).toEqual(['redis-namespace']);
      const ns = fs.readFileSync(`${dir}/redis-namespace`, 'utf8').trim();
      expect(e.info.settings.namespace).toBe(ns);
      expect(await admin.type(`${ns}:r:user1`)).toBe('hash');
      expect(await admin.hgetall(`${ns}:r:user1`)).toEqual({ v: 'payload' });
      expect(await admin.zrange(`${ns}:i`, 0, -1, 'WITHSCORES')).toEqual(['user1', '0']);
      await e.delete(s('user1'));
      expect(await admin.exists(`${ns}:r:user1`, `${ns}:i`)).toBe(0);
    } finally {
      await e.close();
    }
  });

  it('orders the index by unsigned bytes (ZRANGEBYLEX is memcmp), 0x00, 0x7f/0x80 and 0xff included', async () => {
    const e = await openEngine(spec, { dir: tmpDir() });
    try {
      const keys = [[0x80], [0x7f], [0x00], [0xff], [0x00, 0x00], [0xff, 0x00], [0x61, 0x00, 0x62], [0x61], [0x61, 0xff], [0x01, 0x80]].map((a) => Buffer.from(a));
      for (const [i, k] of keys.entries()) await e.put(k, Buffer.from([i]));
      const sorted = [...keys].sort(Buffer.compare).map((k) => k.toString('hex'));
      expect((await e.scan(Buffer.from([0]), 100)).map(([k]) => Buffer.from(k).toString('hex'))).toEqual(sorted);
      expect((await e.scan(Buffer.from([0x7f, 0x00]), 1)).map(([k]) => Buffer.from(k).toString('hex'))).toEqual(['80']);
    } finally {
      await e.close();
    }
  });

  it('keeps directories apart, and shares a store by explicit namespace', async () => {
    const a = await openEngine(spec, { dir: tmpDir() });
    const b = await openEngine(spec, { dir: tmpDir() });
    await a.put(s('k'), s('from-a'));
    expect(await b.get(s('k'))).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
    const ns = `kvlab-test-${process.pid}`;
    const c = await openEngine(`${spec},namespace=${ns}`, { dir: tmpDir() });
    await c.put(s('k'), s('shared'));
    await c.close();
    const d = await openEngine(`${spec},namespace=${ns}`, { dir: tmpDir() });
    expect(Buffer.from((await d.get(s('k')))!).toString()).toBe('shared');
    expect(await errorCode(() => openEngine(`${spec},namespace=${ns}`, { dir: tmpDir() }))).toBe('LOCKED');
    await d.close();
  });

  it('says how to start a server when none answers, and when the binary is missing', async () => {
    const port = await freePort();
    let msg = '';
    try {
      await openEngine(`redis:port=${port}`, { dir: tmpDir() });
    } catch (e) {
      expect((e as { code?: string }).code).toBe('IO');
      msg = (e as Error).message;
    }
    expect(msg).toMatch(new RegExp(`cannot reach redis at 127\\.0\\.0\\.1:${port}.*redis-server --port`));
    expect(msg).not.toContain('\n');
    expect(() => requireRedisServer('/nonexistent/redis-server')).toThrow(/^redis-server not found \(\/nonexistent\/redis-server\): install it with `sudo apt-get install redis-server`[^\n]*$/);
  });
});
