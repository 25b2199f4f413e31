/**
 * The Redis engine's durability mapping against real servers started here: a server without AOF
 * is a cache (not persistent, `none` only); modes the server's AOF policy cannot keep are refused; `always` marks every acknowledged write durable; on an
 * everysec server sync() is an AOF rewrite barrier; a SIGKILLed and restarted server still has
 * every acknowledged write, and the namespace lock of the dead session is taken over.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import { errorCode } from '../support/engine-io.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { tmpDir } from '../support/tmp.js';

const s = (x: string) => Buffer.from(x);
const spec = (srv: RedisServer) => `redis:host=127.0.0.1,port=${srv.port}`;
const started: RedisServer[] = [];
async function server(p: Parameters<typeof startRedis>[0], dir?: string, port?: number): Promise<RedisServer> {
  const srv = await startRedis(p, { dir, port });
  started.push(srv);
  return srv;
}
afterAll(async () => {
  await Promise.all(started.map((x) => x.stop()));
});

describe('redis durability mapping', () => {
  let noAof: RedisServer;
  let everysec: RedisServer;
  let fsyncNo: RedisServer;
  beforeAll(async () => {
    [noAof, everysec, fsyncNo] = await Promise.all([
      server({ appendonly: false }),
      server({ appendonly: true, appendfsync: 'everysec' }),
      server({ appendonly: true, appendfsync: 'no' }),
    ]);
  });

  it('opens a server without AOF as a cache (not persistent, durability none only), and refuses the modes an appendfsync cannot keep', async () => {
    for (const d of ['group', 'always'] as const) expect(await errorCode(() => openEngine(spec(noAof), { dir: tmpDir(), durability: d }))).toBe('NOT_SUPPORTED');
    const cache = await openEngine(spec(noAof), { dir: tmpDir(), durability: 'none' });
    expect(cache.info.capabilities.persistent).toBe(false);
    expect(cache.info.capabilities.durability).toEqual(['none']);
    expect(cache.info.settings.serverAppendonly).toBe(false);
    expect(cache.info.settings.serverAppendfsync).toBe('off');
    await cache.put(s('k'), s('v'));
    await cache.sync(); // a round trip, not an AOF rewrite (there is no AOF)
    expect(Buffer.from((await cache.get(s('k')))!).toString()).toBe('v');
    await cache.close();
    expect(await errorCode(() => openEngine(spec(everysec), { dir: tmpDir(), durability: 'always' }))).toBe('NOT_SUPPORTED');
    // group promises durability within groupCommitMs: everysec's 1-2 s window cannot keep it
    expect(await errorCode(() => openEngine(spec(everysec), { dir: tmpDir(), durability: 'group' }))).toBe('NOT_SUPPORTED');
    expect(await errorCode(() => openEngine(spec(fsyncNo), { dir: tmpDir(), durability: 'group' }))).toBe('NOT_SUPPORTED');
    const e = await openEngine(spec(fsyncNo), { dir: tmpDir(), durability: 'none' });
    expect(e.info.settings.serverFsyncEveryWrite).toBe(false);
    expect(e.info.settings.serverAppendfsync).toBe('no');
    await e.close();
  });

  it('on an everysec server, durableSequence advances only at sync(), which runs an AOF rewrite', async () => {
    const e = await openEngine(spec(everysec), { dir: tmpDir(), durability: 'none' });
    const admin = new Redis(everysec.port, '127.0.0.1');
    try {
      const rewrites = async () => Number(/aof_rewrites:(\d+)/.exec(await admin.info('persistence'))![1]);
      const before = await rewrites();
      for (let i = 0; i < 30; i++) await e.put(s(`k${i}`), s(`v${i}`));
      expect(e.lastSequence()).toBe(30);
      expect(e.durableSequence()).toBe(0);
      await e.sync();
      expect(e.durableSequence()).toBe(30);
      expect(await rewrites()).toBeGreaterThan(before);
    } finally {
      admin.disconnect();
      await e.close();
    }
  });

  it('keeps every acknowledged write across a server SIGKILL and restart (appendfsync always)', async () => {
    const srv = await server({ appendonly: true, appendfsync: 'always' });
    const dir = tmpDir();
    const e = await openEngine(spec(srv), { dir, durability: 'always' });
    for (let i = 0; i < 300; i++) {
      await e.put(s(`key${i}`), s(`value${i}`));
      expect(e.durableSequence()).toBe(e.lastSequence());
    }
    await e.write([
      { type: 'put', key: s('batch-a'), value: s('A') },
      { type: 'del', key: s('key0') },
    ]);
    await srv.kill(); // the engine is not closed: its lock stays in the AOF, held by a dead session
    const again = await server({ appendonly: true, appendfsync: 'always' }, srv.dir, srv.port);
    const r = await openEngine(spec(again), { dir, durability: 'always' }); // takes over the dead session's lock
    try {
      expect(await r.get(s('key0'))).toBeUndefined();
      for (let i = 1; i < 300; i++) expect(Buffer.from((await r.get(s(`key${i}`)))!).toString()).toBe(`value${i}`);
      expect(Buffer.from((await r.get(s('batch-a')))!).toString()).toBe('A');
      expect((await r.scan(s('batch'), 2)).map(([k]) => Buffer.from(k).toString())).toEqual(['batch-a', 'key1']);
    } finally {
      await r.close();
      await e.close().catch(() => undefined);
    }
  });
});
