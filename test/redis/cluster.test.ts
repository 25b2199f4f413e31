/**
 * `redis-cluster` against a real three-primary cluster started here: records spread over every
 * primary, the index lives on one, binary (non-UTF-8) keys work with auto-pipelining, scans skip
 * index members without a record, and a client SIGKILLed between the index write and the record
 * write (kill point) leaves nothing visible.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-server.js';
import { tmpDir } from '../support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const s = (x: string) => Buffer.from(x);
/** 1 when node `a` serves and holds `key`; a node that does not serve its slot answers MOVED. */
const holds = (a: Redis, key: string) => a.exists(key).catch((e: Error) => (e.message.startsWith('MOVED') ? 0 : Promise.reject(e)));
let cluster: RedisCluster;
let admins: Redis[];
let spec: string;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
  admins = cluster.servers.map((x) => new Redis(x.port, '127.0.0.1'));
  spec = `redis-cluster:nodes=${cluster.nodes.replaceAll(' ', '+')}`;
});
afterAll(async () => {
  for (const a of admins) a.disconnect();
  await cluster.stop();
});

describe('redis-cluster', () => {
  it('spreads records over every primary and keeps the index on one', async () => {
    const e = await openEngine(spec, { dir: tmpDir() });
    try {
      expect(e.info.capabilities.atomicBatch).toBe(false);
      expect(e.info.settings.primaries).toBe(3);
      for (let i = 0; i < 300; i++) await e.put(s(`user${i}`), s(`v${i}`));
      const ns = String(e.info.settings.namespace);
      const perNode = await Promise.all(admins.map(async (a) => (await a.keys(`${ns}:r:*`)).length));
      expect(perNode.every((n) => n > 30), `records per node ${perNode}`).toBe(true);
      expect(perNode.reduce((x, y) => x + y)).toBe(300);
      const withIndex = await Promise.all(admins.map((a) => holds(a, `${ns}:i`)));
      expect(withIndex.filter((x) => x === 1)).toHaveLength(1);
      expect((await e.stats()).liveKeys).toBe(300);
    } finally {
      await e.close();
    }
  });

  it('handles non-UTF-8 keys issued concurrently with auto-pipelining, in byte order', async () => {
    const e = await openEngine(spec, { dir: tmpDir() });
    try {
      const keys = Array.from({ length: 200 }, (_, i) => Buffer.from([0xff - (i % 7), 0x80 + (i % 50), i & 255, i >> 8]));
      await Promise.all(keys.map((k, i) => e.put(k, Buffer.from([i & 255]))));
      const got = await Promise.all(keys.map((k) => e.get(k)));
      got.forEach((v, i) => expect(v && Buffer.from(v)[0]).toBe(i & 255));
      const scanned = (await e.scan(Buffer.from([0]), 1000)).map(([k]) => Buffer.from(k).toString('hex'));
      expect(scanned).toEqual([...keys].sort(Buffer.compare).map((k) => k.toString('hex')));
    } finally {
      await e.close();
    }
  });

  it('skips index members whose record is missing, and pages past them', async () => {
    const e = await openEngine(spec, { dir: tmpDir() });
    const ns = String(e.info.settings.namespace);
    try {
      for (const k of ['a', 'c', 'e']) await e.put(s(k), s(k.toUpperCase()));
      // Dangling members, as a crash between the index write and the record write leaves them.
      const idxNode = (await Promise.all(admins.map(async (a) => ((await holds(a, `${ns}:i`)) ? a : undefined)))).find((x) => x)!;
      await idxNode.zadd(`${ns}:i`, 0, 'b', 0, 'b1', 0, 'd');
      expect((await e.scan(s('a'), 2)).map(([k, v]) => `${Buffer.from(k)}=${Buffer.from(v)}`)).toEqual(['a=A', 'c=C']);
      expect((await e.scan(s('b'), 10)).map(([k]) => Buffer.from(k).toString())).toEqual(['c', 'e']);
      expect(await e.get(s('b'))).toBeUndefined();
    } finally {
      await e.close();
    }
  });

  it('leaves nothing visible when the client dies between the index write and the record write', async () => {
    const dist = path.join(here, '..', '..', 'dist', 'engines', 'registry.js');
    expect(fs.existsSync(dist), 'dist/ missing: run `npx tsc -p .`').toBe(true);
    const dir = tmpDir();
    const child = spawn(process.execPath, [path.join(here, 'child-cluster-put.mjs'), dist, spec, dir], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KVLAB_KILL_POINT: 'redis-cluster.between-index-and-record@3' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const signal = await new Promise<string | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    expect(signal).toBe('SIGKILL');
    expect(out).toBe('put k0\nput k1\n');
    const e = await openEngine(spec, { dir });
    try {
      expect((await e.scan(s('k'), 10)).map(([k]) => Buffer.from(k).toString())).toEqual(['k0', 'k1']);
      expect(await e.get(s('k2'))).toBeUndefined();
      await e.put(s('k2'), s('later'));
      expect((await e.scan(s('k'), 10)).map(([k]) => Buffer.from(k).toString())).toEqual(['k0', 'k1', 'k2']);
    } finally {
      await e.close();
    }
  });
});
