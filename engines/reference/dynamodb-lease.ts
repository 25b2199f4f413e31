/**
 * Exclusive ownership of a DynamoDB namespace: a lease item (the item at `key`, outside the
 * records' key range) holding `owner` and `expiresAt` (ms since the epoch). It is taken with a
 * conditional PutItem that succeeds only when the item is absent, expired or already ours;
 * refreshed every second for LEASE_MS more; deleted (if still ours) at release. A second open
 * waits up to ACQUIRE_MS and then throws LOCKED; a SIGKILLed holder's lease runs out within
 * LEASE_MS and is taken over. Leases compare clocks of the clients: skew between hosts adds to
 * the takeover wait (same-host runs have none).
 */
import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KvError } from '../errors.js';

const LEASE_MS = 3000;
const REFRESH_MS = 1000;
const ACQUIRE_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A held lease; release() is idempotent. */
export interface DynamoLease {
  release(): Promise<void>;
}

/** Takes the lease at `key` of `table` for `owner`; LOCKED when a live holder keeps it for ACQUIRE_MS. */
export async function acquireDynamoLease(client: DynamoDBClient, table: string, key: Record<string, AttributeValue>, owner: string, namespace: string): Promise<DynamoLease> {
  const put = () => client.send(new PutItemCommand({
    TableName: table, Item: { ...key, owner: { S: owner }, expiresAt: { N: String(Date.now() + LEASE_MS) } },
    ConditionExpression: 'attribute_not_exists(k) OR expiresAt < :now OR #o = :me',
    ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':now': { N: String(Date.now()) }, ':me': { S: owner } },
  }));
  const deadline = Date.now() + ACQUIRE_MS;
  for (;;) {
    try {
      await put();
      break;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException) && (e as Error).name !== 'ConditionalCheckFailedException') throw e;
      if (Date.now() > deadline) throw new KvError('LOCKED', `dynamodb namespace '${namespace}' is held by another open engine (its lease in table '${table}' has been refreshed for ${ACQUIRE_MS / 1000} s)`);
      await sleep(100);
    }
  }
  const timer = setInterval(() => void put().catch(() => undefined), REFRESH_MS);
  timer.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        await client.send(new DeleteItemCommand({ TableName: table, Key: key, ConditionExpression: '#o = :me', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':me': { S: owner } } }));
      } catch {
        /* taken over or gone: the lease expires by itself */
      }
    },
  };
}
