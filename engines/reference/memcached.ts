/**
 * `memcached`: a memcached 1.6 server, or a pool of them, behind the kvlab contract through
 * memjs (the binary protocol, so keys are arbitrary bytes). ASYNC engine: every call is a
 * round trip; the harness keeps --threads operations in flight (memjs writes each request as it
 * is issued and matches replies by opaque, so requests in flight share the socket).
 *
 * - A cache, **not persistent**: nothing survives a server restart, and memcached may evict any
 *   item under memory pressure (the server's `evictions` counter is in every result's stats, so
 *   a run that lost data to eviction says so). Durability `none` only: a reply means the item is
 *   in the server's memory, so a SIGKILL of the client loses nothing acknowledged; `group` and
 *   `always` are refused (NOT_SUPPORTED), since no write is ever durable.
 * - Pools: `servers=h:p+h:p+h:p` spreads keys with ketama consistent hashing
 *   (memcached-ring.ts), as libmemcached and spymemcached do, instead of memjs's `hash % N`.
 * - No ordered scan (memcached has no key order): scan throws NOT_SUPPORTED (workload E is
 *   "not applicable"). Batches are applied op by op: atomicBatch false.
 * - Limits: keys ≤ 250 bytes including the namespace prefix (memcached's KEY_MAX_LENGTH); values
 *   ≤ the server's `item_size_max` (read at open with `stats settings`) minus 1 KiB for the item
 *   header and key. A larger value is TOO_LARGE before it is sent; a server reply "Too large" is
 *   TOO_LARGE too.
 * - Namespace: engines/reference/namespace.ts (the `dir` open option only holds the marker).
 *   Ownership: a lease key `<ns>:lock` added with `add` (atomic create-if-absent) with a 3 s
 *   expiry, refreshed every second; a second open waits up to 5 s and then throws LOCKED; a
 *   SIGKILLed holder's lease expires within 3 s and is taken over.
 */
import { randomBytes } from 'node:crypto';
import memjs, { type Client as MemjsClient } from 'memjs';
import type { Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions, BatchOp } from '../engine.js';
import { KvError, invalidArgument } from '../errors.js';
import type { AsyncCore, Settings } from '../shell.js';
import { KetamaRing } from './memcached-ring.js';
import { resolveNamespace } from './namespace.js';
import { packageVersion } from './version.js';

/** memcached's KEY_MAX_LENGTH. */
const MAX_KEY = 250;
/** Bytes of an item's size budget kept for the item header and key. */
const ITEM_OVERHEAD = 1024;
const CAPS: Capabilities = { orderedScan: false, atomicBatch: false, persistent: false, durability: ['none'] };
const LIMITS: Limits = { maxKeyBytes: MAX_KEY, maxValueBytes: 1024 * 1024 - ITEM_OVERHEAD };
const LEASE_S = 3;
const REFRESH_MS = 1000;
const ACQUIRE_MS = 5000;
const START_HINT = 'start one with `memcached -l 127.0.0.1 -p 11211 -U 0 -m 1024` (Debian: `sudo apt-get install memcached`)';
const SILENT = { log: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mcError(e: unknown, op: string): KvError {
  if (e instanceof KvError) return e;
  const msg = (e as Error).message ?? String(e);
  if (/too large/i.test(msg)) return new KvError('TOO_LARGE', `memcached ${op}: the server refused the item: ${msg}`, { cause: e });
  return new KvError('IO', `memcached ${op}: ${msg}`, { cause: e });
}

/** The server list from the option (separated by `+`, `,` or spaces), then KVLAB_MEMCACHED_SERVERS, then 127.0.0.1:11211. */
export function memcachedServers(option: string): string[] {
  const raw = option.trim() || process.env.KVLAB_MEMCACHED_SERVERS?.trim() || '127.0.0.1:11211';
  const list = raw.split(/[\s+,]+/).filter((x) => x !== '');
  for (const s of list) if (!/^[^\s:]+:\d{1,5}$/.test(s)) throw invalidArgument(`bad memcached address '${s}' (want host:port)`);
  return list;
}

/** Per-server `stats` (or `stats <group>`) of `client`, keyed by host:port; IO when a server does not answer. */
function serverStats(client: MemjsClient, group: string, timeoutMs: number): Promise<Map<string, Record<string, string>>> {
  const n = client.servers.length;
  return new Promise((resolve, reject) => {
    const out = new Map<string, Record<string, string>>();
    const timer = setTimeout(() => reject(new Error(`no stats reply within ${timeoutMs} ms from ${client.servers.filter((s) => !out.has(`${s.host}:${s.port}`)).map((s) => `${s.host}:${s.port}`).join(', ')}`)), timeoutMs);
    client.statsWithKey(group, (err, server, stats) => {
      if (err || stats === null) {
        clearTimeout(timer);
        return reject(err ?? new Error(`no stats from ${server}`));
      }
      out.set(server, stats);
      if (out.size === n) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

/** The memcached core (the shell owns checks, sequence numbers and durability). */
class MemcachedCore implements AsyncCore {
  readonly recoveredSequence = 0;
  /** The servers count items and hits for every namespace they hold, so this store's own are unknown (server-wide figures are in `extra`). */
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveKeys', 'liveBytes', 'diskBytes', 'files', 'flushes', 'compactions', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes'];
  private readonly prefix: Buffer;
  private readonly refresh: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly client: MemjsClient,
    namespace: string,
    /** The lease key, or null for a shared open (it joins the namespace another open holds). */
    private readonly lockKey: Buffer | null,
    private readonly lockId: Buffer,
    readonly limits: Limits,
    readonly version: string,
    readonly settings: Settings,
    private readonly timeoutMs: number,
  ) {
    this.prefix = Buffer.from(`${namespace}:r:`);
    const key = lockKey;
    this.refresh = setInterval(() => void (key === null ? undefined : this.client.touch(key, LEASE_S).catch(() => undefined)), REFRESH_MS);
    this.refresh.unref();
  }

  private key(k: Uint8Array): Buffer {
    return Buffer.concat([this.prefix, k]);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const r = await this.client.get(this.key(key));
      return r.value === null ? undefined : Buffer.from(r.value); // a copy: memjs's reply is a slice of its read buffer
    } catch (e) {
      throw mcError(e, 'get');
    }
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    try {
      const ok = await this.client.set(this.key(key), Buffer.from(value.buffer, value.byteOffset, value.length));
      if (!ok) throw new KvError('IO', 'memcached set: the server did not store the item');
    } catch (e) {
      throw mcError(e, 'set');
    }
  }

  async del(key: Uint8Array): Promise<void> {
    try {
      await this.client.delete(this.key(key));
    } catch (e) {
      throw mcError(e, 'delete');
    }
  }

  /** Op by op, in order (memcached has no multi-key transaction). */
  async write(batch: readonly BatchOp[]): Promise<void> {
    for (const op of batch) await (op.type === 'put' ? this.put(op.key, op.value) : this.del(op.key));
  }

  /** Nothing to make durable (a cache); a stats round trip proves every server still answers. */
  async sync(): Promise<void> {
    try {
      await serverStats(this.client, 'settings', this.timeoutMs);
    } catch (e) {
      throw mcError(e, 'sync');
    }
  }

  async fillStats(s: EngineStats): Promise<void> {
    let stats: Map<string, Record<string, string>>;
    try {
      stats = await serverStats(this.client, '', this.timeoutMs);
    } catch (e) {
      throw mcError(e, 'stats');
    }
    // Server-wide levels and counters, summed over the pool (every namespace on the servers).
    const sum = (f: string) => [...stats.values()].reduce((a, r) => a + Number(r[f] ?? 0), 0);
    s.extra['server.currItems'] = sum('curr_items');
    s.extra['server.getHits'] = sum('get_hits');
    s.extra['server.getMisses'] = sum('get_misses');
    s.extra['server.bytes'] = sum('bytes');
    s.extra['server.limitMaxbytes'] = sum('limit_maxbytes');
    s.extra['server.evictions'] = sum('evictions');
    s.extra['server.servers'] = stats.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refresh);
    try {
      if (this.lockKey !== null) {
        const held = await this.client.get(this.lockKey);
        if (held.value !== null && held.value.equals(this.lockId)) await this.client.delete(this.lockKey);
      }
    } catch {
      /* the lease expires by itself */
    }
    this.client.close();
  }
}

/** Adds the lease key; waits up to ACQUIRE_MS for a dead holder's lease to expire, then LOCKED. */
async function acquireLease(client: MemjsClient, key: Buffer, id: Buffer, namespace: string): Promise<void> {
  const deadline = Date.now() + ACQUIRE_MS;
  for (;;) {
    if (await client.add(key, id, { expires: LEASE_S })) return;
    if (Date.now() > deadline)
      throw new KvError('LOCKED', `memcached namespace '${namespace}' is held by another open engine (its lease ${key.toString()} has been refreshed for ${ACQUIRE_MS / 1000} s)`);
    await sleep(100);
  }
}

async function openMemcached(o: ResolvedOpenOptions): Promise<MemcachedCore> {
  const servers = memcachedServers(o.options.servers as string);
  const timeoutMs = (o.options.timeoutMs as number);
  const namespace = resolveNamespace(o.options.namespace as string, o.dir, o.fs);
  const client = memjs.Client.create(servers.join(','), { retries: 1, timeout: timeoutMs / 1000, conntimeout: timeoutMs / 1000, keepAlive: true, logger: SILENT });
  const ring = new KetamaRing(servers);
  client.getServer = (key) => ring.serverOf(typeof key === 'string' ? Buffer.from(key) : key);
  try {
    let settings: Map<string, Record<string, string>>;
    try {
      settings = await serverStats(client, 'settings', timeoutMs);
    } catch (e) {
      throw new KvError('IO', `cannot reach memcached at ${servers.join(' ')}: ${(e as Error).message}; ${START_HINT}`, { cause: e });
    }
    const versions = new Set<string>();
    let itemMax = Infinity;
    for (const r of settings.values()) itemMax = Math.min(itemMax, Number(r.item_size_max ?? 1024 * 1024));
    const general = await serverStats(client, '', timeoutMs);
    for (const r of general.values()) versions.add(r.version ?? 'unknown');
    const prefixBytes = Buffer.byteLength(`${namespace}:r:`);
    const limits: Limits = { maxKeyBytes: MAX_KEY - prefixBytes, maxValueBytes: Math.min(LIMITS.maxValueBytes, itemMax - ITEM_OVERHEAD) };
    const lockKey = Buffer.from(`${namespace}:lock`);
    const lockId = randomBytes(12);
    // a shared open (a scale-out run's clients 1..N-1) joins the namespace client 0 holds
    if (o.shared !== true) await acquireLease(client, lockKey, lockId, namespace);
    return new MemcachedCore(client, namespace, o.shared === true ? null : lockKey, lockId, limits, `memjs ${packageVersion('memjs')}, memcached ${[...versions].join('/')}`,
      { servers: servers.join('+'), serverCount: servers.length, hashing: servers.length > 1 ? 'ketama' : 'single', namespace, itemSizeMax: itemMax, persistent: false }, timeoutMs);
  } catch (e) {
    client.close();
    throw mcError(e, 'open');
  }
}

/** Registry entry for memcached (one server or a ketama pool). */
export const memcachedDescriptor: EngineDescriptor = {
  name: 'memcached',
  design: 'memcached via memjs (binary protocol): a cache, not persistent; pools by ketama consistent hashing (reference, network)',
  role: 'network',
  sharedOpen: true,
  version: `memjs ${packageVersion('memjs')}`,
  fsSeam: 'none',
  kind: 'async',
  capabilities: CAPS,
  limits: LIMITS,
  options: {
    servers: { type: 'string', default: '', doc: "servers host:port+host:port (a pool, ketama-hashed); '' = KVLAB_MEMCACHED_SERVERS, else 127.0.0.1:11211" },
    namespace: { type: 'string', default: '', doc: "key prefix owned by this store; '' = a random one named by the marker file in dir" },
    timeoutMs: { type: 'int', default: 5000, min: 10, max: 600_000, doc: 'per-request and connect timeout (memjs), after which the call fails with IO' },
  },
  openCore: openMemcached,
};
