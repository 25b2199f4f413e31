/**
 * Where a Redis engine connects and which namespace it owns.
 *
 * Target: the `host`/`port` options (single server) or `nodes` (cluster); when unset, the
 * environment (`KVLAB_REDIS_URL=redis://host:port`, `KVLAB_REDIS_CLUSTER_NODES="h:p h:p"`, which
 * the test global setup exports), else 127.0.0.1:6379. Connections fail fast (a few retries),
 * never queue forever: an unreachable server is an IO KvError saying how to start one.
 *
 * Namespace: every key the engine writes starts with `<namespace>:`. With the `namespace` option
 * empty (default), the namespace is named by a small marker file `redis-namespace` in the `dir`
 * open option, created with a random name on first open. So a directory still identifies one
 * store, as for embedded engines: reopening it sees the data, a fresh or wiped directory (a new
 * `kvlab matrix` trial) starts empty. Nothing else is written to `dir`; all data is on the server.
 */
import { Cluster, Redis } from 'ioredis';
import { KvError, invalidArgument } from '../errors.js';

export { resolveNamespace } from './namespace.js';

const START_HINT = 'start one with `redis-server --port 6379 --appendonly yes --appendfsync always` (Debian: `sudo apt-get install redis-server`)';

/** One `host:port`. */
export interface Addr {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`. */
export function parseAddr(s: string): Addr {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s.trim());
  if (!m) throw invalidArgument(`bad redis address '${s}' (want host:port)`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** The single-server target from options, then KVLAB_REDIS_URL, then 127.0.0.1:6379. */
export function singleTarget(host: string, port: number): Addr {
  if (host !== '' || port !== 0) return { host: host || '127.0.0.1', port: port || 6379 };
  const url = process.env.KVLAB_REDIS_URL;
  if (url) {
    const u = new URL(url);
    return { host: u.hostname || '127.0.0.1', port: Number(u.port) || 6379 };
  }
  return { host: '127.0.0.1', port: 6379 };
}

/** The cluster seed nodes from the `nodes` option (separated by spaces or `+`), then KVLAB_REDIS_CLUSTER_NODES. */
export function clusterTarget(nodes: string): Addr[] {
  const list = (nodes.trim() || process.env.KVLAB_REDIS_CLUSTER_NODES || '').split(/[\s+]+/).filter((x) => x !== '');
  if (list.length === 0) throw invalidArgument('redis-cluster needs seed nodes: option nodes=host:port+host:port, or KVLAB_REDIS_CLUSTER_NODES');
  return list.map(parseAddr);
}

const unreachable = (where: string, e: unknown) => new KvError('IO', `cannot reach redis at ${where}: ${(e as Error).message ?? String(e)}; ${START_HINT}`, { cause: e });

/** Connects to one server and checks it answers. IO KvError when it does not. */
export async function connectSingle(a: Addr, db: number, pipelining: boolean): Promise<Redis> {
  const client = new Redis({
    host: a.host, port: a.port, db, lazyConnect: true, enableAutoPipelining: pipelining, connectTimeout: 5000,
    maxRetriesPerRequest: 2, retryStrategy: (times) => (times > 5 ? null : Math.min(times * 100, 1000)),
  });
  client.on('error', () => undefined); // surfaced through the failing command instead
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw unreachable(`${a.host}:${a.port}`, e);
  }
  return client;
}

/** Connects to a cluster through its seed nodes and waits until the slot map is known. */
export async function connectCluster(seeds: Addr[], pipelining: boolean): Promise<Cluster> {
  const client = new Cluster(seeds, {
    lazyConnect: true, enableAutoPipelining: pipelining, maxRedirections: 16,
    clusterRetryStrategy: (times) => (times > 5 ? null : 100), redisOptions: { connectTimeout: 5000, maxRetriesPerRequest: 2 },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw unreachable(seeds.map((s) => `${s.host}:${s.port}`).join(' '), e);
  }
  return client;
}
