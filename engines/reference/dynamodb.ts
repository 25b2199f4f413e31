/**
 * `dynamodb` and `dynamodb-ordered`: DynamoDB's API behind the kvlab contract, through
 * @aws-sdk/client-dynamodb pointed at an endpoint (AWS, DynamoDB Local, or dynalite in the
 * tests). ASYNC engines: every call is an HTTPS/HTTP request; the harness keeps --threads in
 * flight over a keep-alive agent with that many sockets.
 *
 * Layout (YCSB's DynamoDB binding, adapted to opaque bytes as the Redis engine is):
 * - `dynamodb`: YCSB's layout, a hash key per record: table `kvlab` (option `table`), hash key
 *   `k` (binary) = `<namespace>:r:` + key, the value in one binary attribute `v` (YCSB writes each
 *   field as an attribute; kvlab's values are already encoded records). A hash-keyed table has no
 *   key order, so ordered scan is not supported (workload E is "not applicable").
 * - `dynamodb-ordered`: hash key `p` (string) = the namespace, sort key `k` (binary) = the key, so
 *   a scan is a Query in sort-key order (DynamoDB compares binary sort keys as unsigned bytes).
 *   The price of a global order: one partition holds the whole store (DynamoDB caps one partition
 *   near 1000 writes/s and 3000 reads/s), as redis-cluster's index lives on one node.
 * A table is created (on demand billing) when missing; an existing table with another key
 * schema is INVALID_ARGUMENT naming the schema expected.
 *
 * Reads are strongly consistent (ConsistentRead, so a get sees every acknowledged put, as the
 * contract requires). Batches: TransactWriteItems (all or nothing; at most `maxBatchItems`
 * distinct keys, AWS's limit is 100 since 2022 and was 25 before; a larger batch is TOO_LARGE;
 * two ops on one key are folded to the last, since a transaction may touch an item once). An
 * endpoint without TransactWriteItems (dynalite) is detected at open: batches then go through
 * BatchWriteItem (25 per request, not atomic), and the store is opened with `atomicBatch: false`
 * and `batchApi: BatchWriteItem` in its settings, so results say so.
 *
 * Durability: DynamoDB acknowledges a write once it is durably stored (the service's promise;
 * kvlab cannot observe it from a client): every mode is accepted and each acknowledged write is
 * durable on return (`durableWrites`); sync() is one DescribeTable round trip. The endpoint is in
 * every result's settings: dynalite and DynamoDB Local do not keep the service's promise.
 * Ownership: a lease item (conditional put, 3 s, refreshed every second); LOCKED after 5 s.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { randomBytes } from 'node:crypto';
import {
  BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand,
  QueryCommand, TransactWriteItemsCommand, waitUntilTableExists, type AttributeValue, type KeySchemaElement, type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { KvError } from '../errors.js';
import type { AsyncCore, Settings } from '../shell.js';
import { acquireDynamoLease, type DynamoLease } from './dynamodb-lease.js';
import { resolveNamespace } from './namespace.js';
import { packageVersion } from './version.js';

// The SDK warns on every Node 20 process that releases after January 2027 will need Node 22;
// the lockfile pins this one, so the warning says nothing about a run. Unset stays the user's choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Layout = 'hash' | 'ordered';
type Item = Record<string, AttributeValue>;
/** DynamoDB's item size limit (key + attribute names + values). */
const ITEM_MAX = 400 * 1024;
const BATCH_WRITE_MAX = 25;
const VERSION = `@aws-sdk/client-dynamodb ${packageVersion('@aws-sdk/client-dynamodb')}`;

function dynError(e: unknown, op: string): KvError {
  if (e instanceof KvError) return e;
  const err = e as Error & { name?: string };
  if (/item size|too large|exceeds/i.test(err.message ?? '')) return new KvError('TOO_LARGE', `dynamodb ${op}: ${err.message}`, { cause: e });
  return new KvError('IO', `dynamodb ${op}: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`, { cause: e });
}

/** The key schema each layout needs (and creates). */
function schemaOf(layout: Layout): { keys: KeySchemaElement[]; attrs: Array<{ AttributeName: string; AttributeType: 'S' | 'B' }> } {
  return layout === 'hash'
    ? { keys: [{ AttributeName: 'k', KeyType: 'HASH' }], attrs: [{ AttributeName: 'k', AttributeType: 'B' }] }
    : { keys: [{ AttributeName: 'p', KeyType: 'HASH' }, { AttributeName: 'k', KeyType: 'RANGE' }], attrs: [{ AttributeName: 'p', AttributeType: 'S' }, { AttributeName: 'k', AttributeType: 'B' }] };
}
const schemaText = (keys: readonly KeySchemaElement[]) => keys.map((k) => `${k.AttributeName} ${k.KeyType}`).join(', ');

/** The DynamoDB core (the shell owns checks, sequence numbers and durability). */
class DynamoCore implements AsyncCore {
  readonly recoveredSequence = 0;
  readonly durableWrites = true;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveKeys', 'liveBytes', 'diskBytes', 'files', 'flushes', 'compactions', 'cacheHits', 'cacheMisses', 'bloomNegatives', 'indexMemoryBytes'];
  private readonly prefix: Buffer;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly layout: Layout,
    private readonly namespace: string,
    private readonly transactions: boolean,
    private readonly maxBatch: number,
    private readonly lease: DynamoLease,
    readonly limits: Limits,
    readonly capabilities: Capabilities,
    readonly settings: Settings,
    readonly version: string,
  ) {
    this.prefix = Buffer.from(`${namespace}:r:`);
  }

  /** The primary key of record `key`. */
  private keyOf(key: Uint8Array): Item {
    return this.layout === 'hash' ? { k: { B: Buffer.concat([this.prefix, key]) } } : { p: { S: this.namespace }, k: { B: Buffer.from(key) } };
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const r = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.keyOf(key), ConsistentRead: true, ProjectionExpression: 'v' }));
      const v = r.Item?.v?.B;
      return v === undefined ? undefined : Buffer.from(v);
    } catch (e) {
      throw dynError(e, 'GetItem');
    }
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    try {
      await this.client.send(new PutItemCommand({ TableName: this.table, Item: { ...this.keyOf(key), v: { B: Buffer.from(value) } } }));
    } catch (e) {
      throw dynError(e, 'PutItem');
    }
  }

  async del(key: Uint8Array): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: this.keyOf(key) }));
    } catch (e) {
      throw dynError(e, 'DeleteItem');
    }
  }

  async write(batch: readonly BatchOp[]): Promise<void> {
    // a transaction may touch an item once: fold to the last op per key (the batch's effect)
    const last = new Map<string, BatchOp>();
    for (const op of batch) {
      const id = Buffer.from(op.key).toString('latin1');
      last.delete(id);
      last.set(id, op);
    }
    const ops = [...last.values()];
    if (ops.length === 0) return;
    if (this.transactions && ops.length > this.maxBatch)
      throw new KvError('TOO_LARGE', `dynamodb batch of ${ops.length} distinct keys: TransactWriteItems takes at most ${this.maxBatch} (option maxBatchItems)`);
    try {
      if (this.transactions) {
        await this.client.send(new TransactWriteItemsCommand({
          TransactItems: ops.map((op) => (op.type === 'put' ? { Put: { TableName: this.table, Item: { ...this.keyOf(op.key), v: { B: Buffer.from(op.value) } } } } : { Delete: { TableName: this.table, Key: this.keyOf(op.key) } })),
        }));
        return;
      }
      for (let i = 0; i < ops.length; i += BATCH_WRITE_MAX) {
        let pending: WriteRequest[] = ops.slice(i, i + BATCH_WRITE_MAX).map((op) =>
          op.type === 'put' ? { PutRequest: { Item: { ...this.keyOf(op.key), v: { B: Buffer.from(op.value) } } } } : { DeleteRequest: { Key: this.keyOf(op.key) } });
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 8) throw new KvError('IO', `dynamodb BatchWriteItem: ${pending.length} items still unprocessed after ${attempt} attempts`);
          const r = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } }));
          pending = r.UnprocessedItems?.[this.table] ?? [];
          if (pending.length > 0) await new Promise((res) => setTimeout(res, 10 << attempt));
        }
      }
    } catch (e) {
      throw dynError(e, this.transactions ? 'TransactWriteItems' : 'BatchWriteItem');
    }
  }

  /** Ordered layout only: a Query from `start` in sort-key order, page by page. */
  async scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    if (this.layout !== 'ordered') throw new KvError('NOT_SUPPORTED', 'dynamodb: a hash-keyed table has no key order (use dynamodb-ordered)');
    const out: Array<[Uint8Array, Uint8Array]> = [];
    let from: Item | undefined;
    try {
      do {
        const r = await this.client.send(new QueryCommand({
          TableName: this.table, KeyConditionExpression: 'p = :p AND k >= :s', ConsistentRead: true, Limit: limit - out.length, ExclusiveStartKey: from,
          ExpressionAttributeValues: { ':p': { S: this.namespace }, ':s': { B: Buffer.from(start) } },
        }));
        for (const it of r.Items ?? []) out.push([Buffer.from(it.k!.B!), Buffer.from(it.v?.B ?? new Uint8Array(0))]);
        from = r.LastEvaluatedKey;
      } while (from !== undefined && out.length < limit);
    } catch (e) {
      throw dynError(e, 'Query');
    }
    return out;
  }

  /** Each acknowledged write is durable already (the service's promise); one round trip proves the endpoint answers. */
  async sync(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.table }));
    } catch (e) {
      throw dynError(e, 'sync');
    }
  }

  async fillStats(s: EngineStats): Promise<void> {
    try {
      const t = (await this.client.send(new DescribeTableCommand({ TableName: this.table }))).Table;
      // table-wide levels (every namespace; DynamoDB refreshes them about every six hours)
      s.extra['table.itemCount'] = Number(t?.ItemCount ?? 0);
      s.extra['table.sizeBytes'] = Number(t?.TableSizeBytes ?? 0);
    } catch (e) {
      throw dynError(e, 'stats');
    }
  }

  async close(): Promise<void> {
    await this.lease.release();
    this.client.destroy();
  }
}

/** The endpoint from the option, then KVLAB_DYNAMODB_ENDPOINT, else '' (the SDK's AWS endpoint for the region). */
function endpointOf(option: string): string {
  return option.trim() || process.env.KVLAB_DYNAMODB_ENDPOINT?.trim() || '';
}

async function ensureTable(client: DynamoDBClient, table: string, layout: Layout, waitS: number): Promise<void> {
  const want = schemaOf(layout);
  let keys: KeySchemaElement[] | undefined;
  try {
    keys = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.KeySchema;
  } catch (e) {
    if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    try {
      await client.send(new CreateTableCommand({ TableName: table, KeySchema: want.keys, AttributeDefinitions: want.attrs, BillingMode: 'PAY_PER_REQUEST' }));
    } catch (c) {
      if ((c as Error).name !== 'ResourceInUseException') throw c; // created by a concurrent open
    }
    await waitUntilTableExists({ client, maxWaitTime: waitS }, { TableName: table });
    keys = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.KeySchema;
  }
  if (schemaText(keys ?? []) !== schemaText(want.keys))
    throw new KvError('INVALID_ARGUMENT', `dynamodb table '${table}' has key schema (${schemaText(keys ?? [])}); ${layout === 'hash' ? 'dynamodb' : 'dynamodb-ordered'} needs (${schemaText(want.keys)}): name another table with option table=`);
}

/** Whether the endpoint implements TransactWriteItems (dynalite does not): an empty call is a ValidationException there, UnknownOperation here. */
async function hasTransactions(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new TransactWriteItemsCommand({ TransactItems: [] }));
    return true;
  } catch (e) {
    return !/UnknownOperation/i.test(`${(e as Error).name} ${(e as Error).message}`);
  }
}

async function openDynamo(o: ResolvedOpenOptions, layout: Layout): Promise<DynamoCore> {
  const opt = o.options;
  const endpoint = endpointOf(opt.endpoint as string);
  const region = (opt.region as string) || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  const table = (opt.table as string) || (layout === 'hash' ? 'kvlab' : 'kvlab-ordered');
  const timeoutMs = opt.timeoutMs as number;
  const namespace = resolveNamespace(opt.namespace as string, o.dir, o.fs);
  const local = endpoint !== '' && !process.env.AWS_ACCESS_KEY_ID;
  const agentOpts = { keepAlive: true, maxSockets: opt.maxSockets as number };
  const client = new DynamoDBClient({
    region, ...(endpoint ? { endpoint } : {}), maxAttempts: 3,
    // a local endpoint (dynalite, DynamoDB Local) checks no signature: fixed credentials, recorded in settings
    ...(local ? { credentials: { accessKeyId: 'kvlab-local', secretAccessKey: 'kvlab-local' } } : {}),
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true, httpAgent: new http.Agent(agentOpts), httpsAgent: new https.Agent(agentOpts) },
  });
  try {
    try {
      await ensureTable(client, table, layout, Math.ceil(timeoutMs / 1000) + 60);
    } catch (e) {
      if (e instanceof KvError) throw e;
      throw new KvError('IO', `cannot use dynamodb table '${table}' at ${endpoint || `AWS ${region}`}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    }
    const transactions = await hasTransactions(client);
    const caps: Capabilities = { orderedScan: layout === 'ordered', atomicBatch: transactions, persistent: true, durability: ['none', 'group', 'always'] };
    const keyOverhead = layout === 'hash' ? Buffer.byteLength(`${namespace}:r:`) : 0;
    const limits: Limits = { maxKeyBytes: (layout === 'hash' ? 2048 : 1024) - keyOverhead, maxValueBytes: ITEM_MAX - 4096 };
    // a shared open (a scale-out run's clients 1..N-1) joins the namespace client 0 holds
    const lease = o.shared === true ? { release: async () => undefined } : await acquireDynamoLease(client, table, layout === 'hash' ? { k: { B: Buffer.from(`${namespace}:lock`) } } : { p: { S: `${namespace}:lock` }, k: { B: Buffer.from([0]) } }, randomBytes(12).toString('hex'), namespace);
    return new DynamoCore(client, table, layout, namespace, transactions, opt.maxBatchItems as number, lease, limits, caps, {
      endpoint: endpoint || `aws:${region}`, region, table, layout, namespace, batchApi: transactions ? 'TransactWriteItems' : 'BatchWriteItem (the endpoint has no TransactWriteItems: not atomic)',
      consistentRead: true, localCredentials: local, durableOnAck: 'the service promise (not observable by a client)',
    }, VERSION);
  } catch (e) {
    client.destroy();
    throw dynError(e, 'open');
  }
}

const OPTIONS = {
  endpoint: { type: 'string', default: '', doc: "endpoint URL (dynalite, DynamoDB Local); '' = KVLAB_DYNAMODB_ENDPOINT, else AWS for the region" },
  region: { type: 'string', default: '', doc: "AWS region; '' = AWS_REGION, else us-east-1" },
  table: { type: 'string', default: '', doc: "table name (created on demand if missing); '' = kvlab (dynamodb) or kvlab-ordered (dynamodb-ordered)" },
  namespace: { type: 'string', default: '', doc: "key prefix owned by this store; '' = a random one named by the marker file in dir" },
  maxBatchItems: { type: 'int', default: 100, min: 1, max: 100, doc: 'distinct keys per TransactWriteItems (AWS: 100 since 2022, 25 before); a larger batch is TOO_LARGE' },
  maxSockets: { type: 'int', default: 256, min: 1, max: 65536, doc: 'HTTP keep-alive sockets (bounds requests in flight)' },
  timeoutMs: { type: 'int', default: 10_000, min: 10, max: 600_000, doc: 'connect and request timeout of each HTTP request' },
} as const;

const LIMITS: Limits = { maxKeyBytes: 2048, maxValueBytes: ITEM_MAX - 4096 };

/** Registry entry: DynamoDB's API, YCSB's layout (a hash key per record; no ordered scan). */
export const dynamodbDescriptor: EngineDescriptor = {
  name: 'dynamodb',
  design: "DynamoDB's API via @aws-sdk/client-dynamodb: a hash key per record (YCSB layout), strongly consistent reads, TransactWriteItems batches (reference, network)",
  role: 'network', sharedOpen: true, version: VERSION, fsSeam: 'none', kind: 'async',
  capabilities: { orderedScan: false, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] },
  limits: LIMITS, options: OPTIONS,
  openCore: (o) => openDynamo(o, 'hash'),
};

/** Registry entry: DynamoDB's API with one partition per store and the key as sort key (ordered scans by Query). */
export const dynamodbOrderedDescriptor: EngineDescriptor = {
  name: 'dynamodb-ordered',
  design: "DynamoDB's API via @aws-sdk/client-dynamodb: one partition per store, the key as binary sort key, scans by Query (reference, network)",
  role: 'network', sharedOpen: true, version: VERSION, fsSeam: 'none', kind: 'async',
  capabilities: { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] },
  limits: { maxKeyBytes: 1024, maxValueBytes: ITEM_MAX - 4096 }, options: OPTIONS,
  openCore: (o) => openDynamo(o, 'ordered'),
};
