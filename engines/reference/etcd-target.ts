/**
 * Where an etcd engine connects, and how its calls are bounded.
 *
 * Target: the `endpoints` option (client URLs separated by commas, spaces or `+` (in an engine spec, where commas separate options)); when empty, the
 * environment (`KVLAB_ETCD_ENDPOINTS` for `etcd`, `KVLAB_ETCD_CLUSTER_ENDPOINTS` for
 * `etcd-cluster`, which the test global setup exports), else http://127.0.0.1:2379 (`etcd` only).
 * Every call carries a gRPC deadline (`callTimeoutMs`) and the dial is bounded, so a dead
 * server is an IO KvError in one line naming the endpoints, never a hang. The namespace is the
 * shared marker of namespace.ts.
 */
import { Etcd3 } from 'etcd3';
import { KvError, invalidArgument } from '../errors.js';

export { resolveNamespace } from './namespace.js';

const START_HINT = 'start one with `etcd --data-dir /tmp/etcd` (Debian: `sudo apt-get install etcd-server`)';

/** The endpoints from the option, then `envVar`, then `fallback` (INVALID_ARGUMENT when none). */
export function etcdEndpoints(option: string, envVar: string, fallback: string | undefined): string[] {
  const raw = option.trim() || process.env[envVar]?.trim() || fallback || '';
  const list = raw.split(/[\s,+]+/).filter((x) => x !== '');
  if (list.length === 0) throw invalidArgument(`etcd needs endpoints: option endpoints=http://host:port,..., or ${envVar}`);
  for (const u of list) if (!/^https?:\/\/[^/\s]+:\d+$/.test(u)) throw invalidArgument(`bad etcd endpoint '${u}' (want http://host:port)`);
  return list;
}

/** An IO KvError (or TOO_LARGE for the server's size limits) for a failed etcd call, in one line. */
export function etcdError(e: unknown, op: string, where: string): KvError {
  if (e instanceof KvError) return e;
  const msg = ((e as Error)?.message ?? String(e)).split('\n')[0]!;
  if (/too many operations in txn request|request is too large/.test(msg)) return new KvError('TOO_LARGE', `etcd ${op} at ${where}: ${msg}`, { cause: e });
  return new KvError('IO', `etcd ${op} at ${where}: ${msg}`, { cause: e });
}

/** A client whose every call has a deadline of `callTimeoutMs`. Does not connect yet. */
export function makeClient(hosts: string[], callTimeoutMs: number): Etcd3 {
  return new Etcd3({
    hosts,
    dialTimeout: Math.min(callTimeoutMs, 3000),
    defaultCallOptions: () => ({ deadline: Date.now() + callTimeoutMs }),
  });
}

/** Connects (one Status round trip) and returns the client; IO KvError with a start hint when unreachable. */
export async function connectEtcd(hosts: string[], callTimeoutMs: number): Promise<Etcd3> {
  const c = makeClient(hosts, callTimeoutMs);
  try {
    await c.maintenance.status();
  } catch (e) {
    c.close();
    throw new KvError('IO', `cannot reach etcd at ${hosts.join(',')}: ${((e as Error).message ?? String(e)).split('\n')[0]}; ${START_HINT}`, { cause: e });
  }
  return c;
}
