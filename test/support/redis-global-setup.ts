/**
 * Vitest global setup: one redis-server and one three-primary Redis Cluster on free loopback
 * ports (AOF on, appendfsync always, so every durability mode the engines claim can be opened),
 * exported to every test process as KVLAB_REDIS_URL and KVLAB_REDIS_CLUSTER_NODES — the
 * defaults the `redis` and `redis-cluster` engines read — and one cache (no AOF: Redis as most
 * people run it), KVLAB_REDIS_CACHE_URL, which the conformance targets open as `redis:port=N`.
 * Torn down after the run.
 * Wire it with `globalSetup: ['test/support/redis-global-setup.ts']` in vitest.config.ts.
 */
import { startRedis, startRedisCluster } from './redis-server.js';

export default async function setup(): Promise<() => Promise<void>> {
  const server = await startRedis({ appendonly: true, appendfsync: 'always' });
  let cluster;
  let cache;
  try {
    cluster = await startRedisCluster(3, { appendonly: true, appendfsync: 'always' });
    cache = await startRedis({ appendonly: false });
  } catch (e) {
    await Promise.all([server.stop(), cluster?.stop()]);
    throw e;
  }
  process.env.KVLAB_REDIS_URL = server.url;
  process.env.KVLAB_REDIS_CLUSTER_NODES = cluster.nodes;
  process.env.KVLAB_REDIS_CACHE_URL = cache.url;
  return async () => {
    await Promise.all([server.stop(), cluster.stop(), cache.stop()]);
  };
}
