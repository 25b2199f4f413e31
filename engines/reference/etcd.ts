/**
 * `etcd` and `etcd-cluster`: an etcd 3.4 server (one member, or a Raft cluster) through the
 * `etcd3` gRPC client, behind the kvlab contract. ASYNC engines (every call is a round trip).
 *
 * Layout: a record is the etcd key `<namespace>/` + key bytes, its value the value bytes. get =
 * Range of one key, put = Put, delete = DeleteRange of one key, scan = one Range from
 * `<namespace>/start` to the namespace's prefix end `<namespace>0` with a limit (etcd returns keys
 * in ascending byte order), batch = one Txn (atomic; at most `maxTxnOps` ops, etcd's
 * --max-txn-ops, 128 by default: more is TOO_LARGE). All reads are linearizable.
 *
 * Two descriptors, one implementation: a cluster is just more endpoints for the client, but its
 * own name keeps a cluster run labelled as such in results (and lets the conformance suite run
 * both); `settings` records members, endpoints, server version and the raft leader either way.
 *
 * Durability: etcd 3.4 fsyncs its WAL before acknowledging a committed proposal (on a majority
 * of members), and has no way to turn that off, so every acknowledged write is durable:
 * durableWrites true for every mode; sync() is a linearizable read round trip. Lock: etcd-lock.ts.
 */
import type { Etcd3 } from 'etcd3';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, OptionSpec, ResolvedOpenOptions } from '../engine.js';
import { KvError } from '../errors.js';
import type { AsyncCore, Settings } from '../shell.js';
import { EtcdLock } from './etcd-lock.js';
import { connectEtcd, etcdEndpoints, etcdError, makeClient, resolveNamespace } from './etcd-target.js';
import { packageVersion } from './version.js';

/**
 * etcd's --max-request-bytes is 1.5 MiB (1,572,864) by default; a value of 1,500,000 plus a key of
 * 16 KiB and the namespace leaves room for the request's framing. etcd itself has no separate key
 * limit; 16 KiB is kvlab's. A batch whose total exceeds the request limit is TOO_LARGE (server).
 */
const LIMITS: Limits = { maxKeyBytes: 16 * 1024, maxValueBytes: 1_500_000 };
const CAPS: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
/** etcd's default --max-txn-ops (the server does not report it; the test servers run with the default). */
export const DEFAULT_MAX_TXN_OPS = 128;

const buf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));

/** The etcd core (the shell owns checks, sequence numbers and the durability schedule). */
class EtcdCore implements AsyncCore {
  readonly recoveredSequence = 0;
  /** Every acknowledged write was fsynced by a majority of members (etcd 3.4 cannot skip it). */
  readonly durableWrites = true;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveBytes', 'files', 'flushes', 'compactions', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes'];
  private readonly prefix: Buffer;
  private readonly end: Buffer;
  private syncs = 0;

  constructor(
    private readonly client: Etcd3,
    /** One client per endpoint, for per-member Status. */
    private readonly memberClients: Etcd3[],
    private readonly endpoints: string[],
    private readonly lock: Pick<EtcdLock, 'key' | 'lost' | 'release'>,
    private readonly maxTxnOps: number,
    namespace: string,
    readonly version: string,
    readonly settings: Settings,
  ) {
    this.prefix = Buffer.from(`${namespace}/`);
    this.end = Buffer.from(`${namespace}0`); // '/' + 1: the first key after every `<ns>/...`
  }

  private where(): string {
    return this.endpoints.join(',');
  }

  private rec(key: Uint8Array): Buffer {
    return Buffer.concat([this.prefix, buf(key)]);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const r = await this.client.kv.range({ key: this.rec(key) });
      const kv = r.kvs[0];
      return kv === undefined ? undefined : kv.value;
    } catch (e) {
      throw etcdError(e, 'get', this.where());
    }
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    try {
      await this.client.kv.put({ key: this.rec(key), value: buf(value) });
    } catch (e) {
      throw etcdError(e, 'put', this.where());
    }
  }

  async del(key: Uint8Array): Promise<void> {
    try {
      await this.client.kv.deleteRange({ key: this.rec(key) });
    } catch (e) {
      throw etcdError(e, 'delete', this.where());
    }
  }

  async write(batch: readonly BatchOp[]): Promise<void> {
    if (batch.length === 0) return;
    if (batch.length > this.maxTxnOps) throw new KvError('TOO_LARGE', `etcd batch of ${batch.length} ops exceeds the server's --max-txn-ops limit of ${this.maxTxnOps}`);
    // etcd rejects a Txn that touches one key twice; the last op on a key wins, as in a batch.
    const last = new Map<string, BatchOp>();
    for (const op of batch) {
      const k = buf(op.key).toString('latin1');
      last.delete(k);
      last.set(k, op);
    }
    const success = [...last.values()].map((op) =>
      op.type === 'put' ? { request_put: { key: this.rec(op.key), value: buf(op.value) } } : { request_delete_range: { key: this.rec(op.key) } },
    );
    try {
      await this.client.kv.txn({ compare: [], success, failure: [] });
    } catch (e) {
      throw etcdError(e, 'batch', this.where());
    }
  }

  async scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    try {
      const r = await this.client.kv.range({ key: this.rec(start), range_end: this.end, limit, sort_order: 'Ascend', sort_target: 'Key' });
      const n = this.prefix.length;
      return r.kvs.map((kv): [Uint8Array, Uint8Array] => [kv.key.subarray(n), kv.value]);
    } catch (e) {
      throw etcdError(e, 'scan', this.where());
    }
  }

  /**
   * Every acknowledged write is already fsynced on a majority, so nothing is left to flush; a
   * linearizable read (quorum round trip) makes sync() fail on a server that lost quorum or died
   * instead of succeeding silently.
   */
  async sync(): Promise<void> {
    try {
      await this.client.kv.range({ key: this.lock.key, count_only: true });
    } catch (e) {
      throw etcdError(e, 'sync', this.where());
    }
    this.syncs++;
  }

  async fillStats(s: EngineStats): Promise<void> {
    s.extra['sync.barriers'] = this.syncs;
    try {
      const r = await this.client.kv.range({ key: this.prefix, range_end: this.end, count_only: true });
      s.liveKeys = Number(r.count);
    } catch (e) {
      throw etcdError(e, 'stats', this.where());
    }
    // Server-wide levels (every namespace), summed over the members that answer; how many did is recorded.
    const st = await Promise.all(this.memberClients.map((c) => c.maintenance.status().catch(() => undefined)));
    const up = st.filter((x) => x !== undefined);
    if (up.length === 0) throw new KvError('IO', `etcd stats at ${this.where()}: no member answers Status`);
    s.diskBytes = up.reduce((a, x) => a + Number(x.dbSize), 0);
    s.extra['server.membersAnswering'] = up.length;
    s.extra['server.raftIndex'] = Math.max(...up.map((x) => Number(x.raftIndex)));
    s.extra['server.lockLost'] = this.lock.lost() ? 1 : 0;
  }

  async close(): Promise<void> {
    await this.lock.release();
    this.client.close();
    for (const c of this.memberClients) c.close();
  }
}

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  namespace: { type: 'string', default: '', doc: "key prefix owned by this store; '' = a random one named by the marker file in dir" },
  callTimeoutMs: { type: 'int', default: 5000, min: 100, max: 600_000, doc: 'gRPC deadline of every call (a dead server is an IO error after this)' },
  maxTxnOps: { type: 'int', default: DEFAULT_MAX_TXN_OPS, min: 1, max: 1_000_000, doc: "the server's --max-txn-ops: larger batches are TOO_LARGE (etcd's default 128)" },
};

async function openEtcd(o: ResolvedOpenOptions, cluster: boolean): Promise<EtcdCore> {
  const opt = o.options;
  const endpoints = cluster ? etcdEndpoints(opt.endpoints as string, 'KVLAB_ETCD_CLUSTER_ENDPOINTS', undefined) : etcdEndpoints(opt.endpoints as string, 'KVLAB_ETCD_ENDPOINTS', 'http://127.0.0.1:2379');
  const where = endpoints.join(',');
  const timeout = opt.callTimeoutMs as number;
  const namespace = resolveNamespace(opt.namespace as string, o.dir, o.fs);
  // `<ns>/` must not be a prefix of another namespace's range: a namespace `a/b` would live inside `a`'s.
  if (/[/\0]/.test(namespace)) throw new KvError('INVALID_ARGUMENT', `etcd namespace ${JSON.stringify(namespace)} must not contain '/' or NUL`);
  const client = await connectEtcd(endpoints, timeout);
  const memberClients = endpoints.map((e) => makeClient([e], timeout));
  const closeAll = () => [client, ...memberClients].forEach((c) => c.close());
  try {
    const members = (await client.cluster.memberList({})).members;
    const status = await client.maintenance.status();
    if (cluster && members.length < 2) throw new KvError('INVALID_ARGUMENT', `etcd-cluster at ${where}: the cluster has ${members.length} member (use engine etcd for a single member)`);
    const leader = members.find((m) => m.ID === status.leader);
    // a shared open (a scale-out run's clients 1..N-1) joins the namespace client 0 holds: no lease of its own
    const lockKey = Buffer.from(`${namespace}\0lock`);
    const lock = o.shared === true ? { key: lockKey, lost: () => false, release: async () => undefined } : await EtcdLock.acquire(client, lockKey, where);
    return new EtcdCore(client, memberClients, endpoints, lock, opt.maxTxnOps as number, namespace,
      `etcd3 ${packageVersion('etcd3')}, etcd ${status.version}`,
      { endpoints: where, namespace, members: members.length, serverVersion: status.version, raftLeader: leader?.name || status.leader, serverFsyncEveryWrite: true, maxTxnOps: opt.maxTxnOps as number });
  } catch (e) {
    closeAll();
    throw etcdError(e, 'open', where);
  }
}

/** Registry entry for one etcd member (or any endpoints the option names). */
export const etcdDescriptor: EngineDescriptor = {
  name: 'etcd',
  design: 'etcd 3.4 via etcd3 (gRPC): one key per record under <ns>/, Range scans, Txn batches, every write WAL-fsynced (reference, network)',
  role: 'network',
  sharedOpen: true,
  version: `etcd3 ${packageVersion('etcd3')}`,
  fsSeam: 'none',
  kind: 'async',
  capabilities: CAPS,
  limits: LIMITS,
  options: {
    endpoints: { type: 'string', default: '', doc: "client URLs separated by '+' (or spaces); '' = KVLAB_ETCD_ENDPOINTS, else http://127.0.0.1:2379" },
    ...COMMON_OPTIONS,
  },
  openCore: (o) => openEtcd(o, false),
};

/** Registry entry for a multi-member etcd Raft cluster (same layout; refuses a single member). */
export const etcdClusterDescriptor: EngineDescriptor = {
  name: 'etcd-cluster',
  design: 'etcd 3.4 Raft cluster via etcd3: writes committed and fsynced on a majority (reference, network)',
  role: 'network',
  sharedOpen: true,
  version: `etcd3 ${packageVersion('etcd3')}`,
  fsSeam: 'none',
  kind: 'async',
  capabilities: CAPS,
  limits: LIMITS,
  options: {
    endpoints: { type: 'string', default: '', doc: "every member's client URL, separated by '+'; '' = KVLAB_ETCD_CLUSTER_ENDPOINTS" },
    ...COMMON_OPTIONS,
  },
  openCore: (o) => openEtcd(o, true),
};
