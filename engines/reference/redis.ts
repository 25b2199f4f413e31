/**
 * `redis` and `redis-cluster`: a Redis server, or a Redis Cluster, behind the kvlab contract.
 * ASYNC engines (every call is a network round trip; the harness keeps --threads in flight;
 * ioredis auto-pipelining, option `pipelining`, batches the commands of one tick in one write).
 *
 * Records are stored as YCSB's Redis binding does — a hash per record plus a sorted-set index
 * for scans — adapted to opaque bytes: hash `<ns>:r:<key>` with one field `v` = the value bytes,
 * sorted set `<ns>:i` with every key as a member at score 0, scanned with ZRANGEBYLEX (members
 * of equal score sort by memcmp = unsigned byte order; YCSB's binding scores by a key hash and
 * so does not scan in key order).
 *
 * - `redis` (one server): put/delete/batch/scan are Lua scripts (redis-scripts.ts), atomic on the
 *   server and in its AOF: atomicBatch, and scans see one consistent state.
 * - `redis-cluster`: records spread over the hash slots; the index is one key, so it lives in one
 *   slot (one node serves every index update and scan — the price of a global order). A record
 *   and the index are on different nodes, so no transaction spans them: put = ZADD then HSET,
 *   delete = DEL then ZREM, and scans skip index members whose record is missing. A client crash
 *   between the two leaves at most a dangling member (invisible), never a record that a scan
 *   misses. Batches are applied op by op: atomicBatch false. Scans are not snapshots under
 *   concurrent writers.
 *
 * Durability: the server's AOF policy (redis-durability.ts). Locking: redis-lock.ts.
 * Namespace and target: redis-target.ts (the `dir` open option only holds a namespace marker).
 */
import { isUtf8 } from 'node:buffer';
import type { Cluster, Redis } from 'ioredis';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, OptionSpec, ResolvedOpenOptions } from '../engine.js';
import { KvError } from '../errors.js';
import type { AsyncCore, Settings } from '../shell.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { aofBarrier, checkPersistence, readPersistence } from './redis-durability.js';
import { NamespaceLock } from './redis-lock.js';
import { defineScripts, type ScriptCommands } from './redis-scripts.js';
import { clusterTarget, connectCluster, connectSingle, resolveNamespace, singleTarget } from './redis-target.js';
import { packageVersion } from './version.js';

/** Practical limits (Redis itself allows 512 MB strings, but one such value blocks the server for seconds). */
const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const SINGLE_CAPS: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
const CLUSTER_CAPS: Capabilities = { orderedScan: true, atomicBatch: false, persistent: true, durability: ['none', 'group', 'always'] };
const KP_AFTER_WRITE = declareKillPoint('redis.after-write');
const KP_CLUSTER_BETWEEN = declareKillPoint('redis-cluster.between-index-and-record');

type Client = Redis | Cluster;
const view = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));

function redisError(e: unknown, op: string): KvError {
  if (e instanceof KvError) return e;
  return new KvError('IO', `redis ${op}: ${(e as Error).message ?? String(e)}`, { cause: e });
}

/** The Redis core (the engine shell owns checks, sequence numbers, durability and the lock of the dir). */
class RedisCore implements AsyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveBytes', 'diskBytes', 'files', 'flushes', 'compactions', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes'];
  private readonly client: Client;
  /**
   * Cluster + pipelining only: a second, unpipelined cluster client for record keys that are not
   * valid UTF-8. ioredis 6's auto-pipelining picks a key's slot from `${key}` (a lossy UTF-8
   * string), which puts such keys in the wrong node's pipeline ("All keys in the pipeline should
   * belong to the same slots allocation group"); unpipelined commands use the byte-exact slot.
   */
  private readonly binaryClient: Client | undefined;
  private readonly scripts: ScriptCommands;
  private readonly recPrefix: Buffer;
  private readonly idx: Buffer;
  private syncs = 0;

  constructor(
    client: Client,
    binaryClient: Client | undefined,
    private readonly cluster: boolean,
    private readonly primaries: Redis[],
    private readonly lock: Pick<NamespaceLock, 'release'>,
    /** Every primary fsyncs each write before replying (appendfsync always): each write is durable on return. */
    readonly durableWrites: boolean,
    namespace: string,
    readonly version: string,
    readonly settings: Settings,
    /** Narrowed for a cache (a server without AOF): not persistent, durability none only. */
    readonly capabilities?: Capabilities,
  ) {
    this.client = client;
    this.binaryClient = binaryClient;
    this.scripts = defineScripts(client);
    this.recPrefix = Buffer.from(`${namespace}:r:`);
    this.idx = Buffer.from(`${namespace}:i`);
  }

  private rec(key: Uint8Array): Buffer {
    return Buffer.concat([this.recPrefix, key]);
  }

  /** The client for commands on record key `rec` (see {@link binaryClient}). */
  private via(c: Client, rec: Buffer): Client {
    return this.binaryClient !== undefined && !isUtf8(rec) ? this.binaryClient : c;
  }


  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const c = this.client;
    let v: Buffer | null;
    try {
      const rec = this.rec(key);
      v = await this.via(c, rec).hgetBuffer(rec, 'v');
    } catch (e) {
      throw redisError(e, 'HGET');
    }
    return v === null ? undefined : v;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    const c = this.client;
    const k = Buffer.from(key);
    try {
      if (this.cluster) {
        await c.zadd(this.idx, 0, k);
        killPoint(KP_CLUSTER_BETWEEN);
        const rec = this.rec(k);
        await this.via(c, rec).hset(rec, 'v', view(value));
      } else await this.scripts.kvPut(this.rec(k), this.idx, view(value), k);
    } catch (e) {
      throw redisError(e, 'put');
    }
    killPoint(KP_AFTER_WRITE);
  }

  async del(key: Uint8Array): Promise<void> {
    const c = this.client;
    const k = Buffer.from(key);
    try {
      if (this.cluster) {
        const rec = this.rec(k);
        await this.via(c, rec).del(rec);
        killPoint(KP_CLUSTER_BETWEEN);
        await c.zrem(this.idx, k);
      } else await this.scripts.kvDel(this.rec(k), this.idx, k);
    } catch (e) {
      throw redisError(e, 'delete');
    }
    killPoint(KP_AFTER_WRITE);
  }

  async write(batch: readonly BatchOp[]): Promise<void> {
    const c = this.client;
    try {
      if (this.cluster) {
        for (const op of batch) {
          const k = Buffer.from(op.key);
          const rec = this.rec(k);
          if (op.type === 'put') {
            await c.zadd(this.idx, 0, k);
            await this.via(c, rec).hset(rec, 'v', view(op.value));
          } else {
            await this.via(c, rec).del(rec);
            await c.zrem(this.idx, k);
          }
        }
      } else if (batch.length > 0) {
        const recs = batch.map((op) => this.rec(op.key));
        const args = batch.flatMap((op) => [op.type === 'put' ? 'p' : 'd', Buffer.from(op.key)]);
        const values = batch.map((op) => (op.type === 'put' ? view(op.value) : ''));
        await this.scripts.kvBatch(1 + recs.length, this.idx, ...recs, ...args, ...values);
      }
    } catch (e) {
      throw redisError(e, 'batch');
    }
    killPoint(KP_AFTER_WRITE);
  }

  async scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    const c = this.client;
    let rows: Array<[Buffer, Buffer]>;
    try {
      rows = this.cluster ? await this.clusterScan(c, Buffer.from(start), limit) : this.pairs(await this.scripts.kvScanBuffer(this.idx, Buffer.from(start), limit, this.recPrefix));
    } catch (e) {
      throw redisError(e, 'scan');
    }
    return rows;
  }

  private pairs(flat: Array<Buffer | null>): Array<[Buffer, Buffer]> {
    const out: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i + 1] != null) out.push([flat[i]!, flat[i + 1]!]);
    return out;
  }

  /** Index page by page (ZRANGEBYLEX), records fetched concurrently; dangling members skipped. */
  private async clusterScan(c: Client, start: Buffer, limit: number): Promise<Array<[Buffer, Buffer]>> {
    const out: Array<[Buffer, Buffer]> = [];
    let from = Buffer.concat([Buffer.from('['), start]);
    while (out.length < limit) {
      const want = limit - out.length;
      const keys = await c.zrangebylexBuffer(this.idx, from, '+', 'LIMIT', 0, want);
      const values = await Promise.all(
        keys.map((k) => {
          const rec = this.rec(k);
          return this.via(c, rec).hgetBuffer(rec, 'v');
        }),
      );
      keys.forEach((k, i) => values[i] != null && out.push([k, values[i]!]));
      if (keys.length < want) break;
      from = Buffer.concat([Buffer.from('('), keys[keys.length - 1]!]);
    }
    return out;
  }

  /**
   * A PING round trip on an appendfsync-always server (each write was fsynced before its reply)
   * or on a cache (nothing to make durable: every write is in the server's memory on its reply),
   * else an AOF rewrite barrier.
   */
  async sync(): Promise<void> {
    try {
      if (this.durableWrites || this.capabilities?.persistent === false) await Promise.all(this.primaries.map((p) => p.ping()));
      else await Promise.all(this.primaries.map((p) => aofBarrier(p, `${p.options.host}:${p.options.port}`)));
    } catch (e) {
      throw redisError(e, 'sync');
    }
    this.syncs++;
  }

  async fillStats(s: EngineStats): Promise<void> {
    const c = this.client;
    s.extra['sync.barriers'] = this.syncs; // sync() calls; the server's own fsyncs are not visible to a client
    try {
      s.liveKeys = await c.zcard(this.idx);
      // Server-wide levels (every namespace on the server), summed over the primaries.
      for (const p of this.primaries) {
        const text = `${await p.info('memory')}\n${await p.info('persistence')}`;
        for (const [name, field] of [['server.usedMemory', 'used_memory'], ['server.aofBytes', 'aof_current_size']] as const) {
          const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
          if (m) s.extra[name] = (s.extra[name] ?? 0) + Number(m[1]);
        }
      }
    } catch (e) {
      throw redisError(e, 'stats');
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    await this.lock.release();
    for (const x of [c, this.binaryClient]) {
      if (x === undefined) continue;
      try {
        await x.quit();
      } catch {
        x.disconnect();
      }
    }
  }
}

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  namespace: { type: 'string', default: '', doc: "key prefix owned by this store; '' = a random one named by the marker file in dir" },
  pipelining: { type: 'bool', default: true, doc: 'ioredis auto-pipelining: commands issued in one tick share one socket write' },
};

async function openRedis(o: ResolvedOpenOptions, cluster: boolean): Promise<RedisCore> {
  const opt = o.options;
  const pipelining = opt.pipelining as boolean;
  const namespace = resolveNamespace(opt.namespace as string, o.dir, o.fs);
  const lockKey = `${namespace}:lock`;
  let client: Client;
  let binaryClient: Client | undefined;
  let primaries: Redis[];
  let target: string;
  let lockConn: Redis;
  if (cluster) {
    const seeds = clusterTarget(opt.nodes as string);
    const c = await connectCluster(seeds, pipelining);
    client = c;
    primaries = c.nodes('master');
    target = seeds.map((s) => `${s.host}:${s.port}`).join('+');
    try {
      const slot = Number(await c.cluster('KEYSLOT', lockKey));
      const owner = c.slots[slot]?.[0];
      if (owner === undefined) throw new KvError('IO', `redis-cluster: no node serves slot ${slot}`);
      const [host, port] = [owner.slice(0, owner.lastIndexOf(':')), Number(owner.slice(owner.lastIndexOf(':') + 1))];
      lockConn = await connectSingle({ host, port }, 0, false);
      if (pipelining) binaryClient = await connectCluster(seeds, false);
    } catch (e) {
      c.disconnect();
      binaryClient?.disconnect();
      throw redisError(e, 'open');
    }
  } else {
    const a = singleTarget(opt.host as string, opt.port as number);
    const c = await connectSingle(a, opt.db as number, pipelining);
    client = c;
    primaries = [c];
    target = `${a.host}:${a.port}/${opt.db as number}`;
    try {
      lockConn = await connectSingle(a, opt.db as number, false);
    } catch (e) {
      c.disconnect();
      throw e;
    }
  }
  try {
    let fsyncEveryWrite = true;
    let persistent = true;
    const policies = new Set<string>();
    for (const p of primaries) {
      const where = `${p.options.host}:${p.options.port}`;
      const persistence = await readPersistence(p, where);
      if (!checkPersistence(o.durability, persistence, where).persistent) persistent = false;
      if (persistence.appendfsync !== 'always' || !persistence.appendonly) fsyncEveryWrite = false;
      policies.add(persistence.appendonly ? persistence.appendfsync : 'off');
    }
    const serverVersion = /^redis_version:(.+)$/m.exec(await primaries[0]!.info('server'))?.[1]?.trim() ?? 'unknown';
    // a shared open (a scale-out run's clients 1..N-1) joins the namespace client 0 holds
    const lock = o.shared === true ? { release: async () => void lockConn.disconnect() } : await NamespaceLock.acquire(lockConn, lockKey);
    const caps = cluster ? CLUSTER_CAPS : SINGLE_CAPS;
    return new RedisCore(client, binaryClient, cluster, primaries, lock, fsyncEveryWrite, namespace,
      `ioredis ${packageVersion('ioredis')}, redis-server ${serverVersion}`,
      { target, namespace, serverAppendonly: persistent, serverAppendfsync: [...policies].join('/'), serverFsyncEveryWrite: fsyncEveryWrite, primaries: primaries.length },
      persistent ? undefined : { ...caps, persistent: false, durability: ['none'] });
  } catch (e) {
    lockConn.disconnect();
    client.disconnect();
    binaryClient?.disconnect();
    throw redisError(e, 'open');
  }
}

/** Registry entry for one Redis server (single node). */
export const redisDescriptor: EngineDescriptor = {
  name: 'redis',
  design: 'Redis server via ioredis: hash per record + sorted-set index (YCSB layout), Lua-atomic writes (reference, network)',
  role: 'network',
  sharedOpen: true,
  version: `ioredis ${packageVersion('ioredis')}`,
  fsSeam: 'none',
  kind: 'async',
  capabilities: SINGLE_CAPS,
  limits: LIMITS,
  options: {
    host: { type: 'string', default: '', doc: "server host; '' = from KVLAB_REDIS_URL, else 127.0.0.1" },
    port: { type: 'int', default: 0, min: 0, max: 65535, doc: 'server port; 0 = from KVLAB_REDIS_URL, else 6379' },
    db: { type: 'int', default: 0, min: 0, max: 15, doc: 'logical database (SELECT)' },
    ...COMMON_OPTIONS,
  },
  openCore: (o) => openRedis(o, false),
};

/** Registry entry for a Redis Cluster (records spread over hash slots; batches not atomic). */
export const redisClusterDescriptor: EngineDescriptor = {
  name: 'redis-cluster',
  design: 'Redis Cluster via ioredis: records over hash slots, one sorted-set index, non-atomic batches (reference, network)',
  role: 'network',
  sharedOpen: true,
  version: `ioredis ${packageVersion('ioredis')}`,
  fsSeam: 'none',
  kind: 'async',
  capabilities: CLUSTER_CAPS,
  limits: LIMITS,
  options: {
    nodes: { type: 'string', default: '', doc: "seed nodes host:port+host:port; '' = from KVLAB_REDIS_CLUSTER_NODES" },
    ...COMMON_OPTIONS,
  },
  openCore: (o) => openRedis(o, true),
};
