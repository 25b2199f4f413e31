/**
 * Exclusive ownership of an etcd namespace: the key `<namespace>\0lock` (outside the data range
 * `<namespace>/`..`<namespace>0`), bound to a lease of {@link LOCK_TTL_S} seconds that the holder
 * keeps alive. It is created in a Txn only if absent (create_revision = 0). A second open finds
 * it held and, after waiting up to {@link LOCK_WAIT_MS} for it to vanish, throws LOCKED; a holder
 * that was SIGKILLed stops its keepalives, its lease expires within the TTL and the key with it,
 * so the next open takes over within the wait. Caveat: if keepalives fail for longer than the
 * TTL (a partition), the lock is lost while the holder still runs; `lost()` reports it.
 */
import { randomBytes } from 'node:crypto';
import type { Etcd3, Lease } from 'etcd3';
import { KvError } from '../errors.js';
import { etcdError } from './etcd-target.js';

/** The lease TTL (etcd's minimum with a 1 s election timeout is 2 s). */
export const LOCK_TTL_S = 2;
/** How long acquire() waits for a held lock to expire before LOCKED: above the TTL plus expiry granularity. */
export const LOCK_WAIT_MS = 4000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A held namespace lock; release() is idempotent (revokes the lease, which deletes the key). */
export class EtcdLock {
  private released = false;
  private leaseLost = false;
  private constructor(private readonly lease: Lease, readonly key: Buffer) {
    lease.on('lost', () => (this.leaseLost = true));
  }

  /** Whether the lease was lost (keepalives failed past the TTL). */
  lost(): boolean {
    return this.leaseLost;
  }

  /** Takes the lock on `key`: LOCKED if a live holder keeps it past LOCK_WAIT_MS, IO on server errors. */
  static async acquire(client: Etcd3, key: Buffer, where: string): Promise<EtcdLock> {
    const me = Buffer.from(randomBytes(12).toString('hex'));
    const lease = client.lease(LOCK_TTL_S);
    lease.on('lost', () => undefined);
    try {
      const id = await lease.grant();
      const until = Date.now() + LOCK_WAIT_MS;
      for (;;) {
        const r = await client.kv.txn({
          compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
          success: [{ request_put: { key, value: me, lease: id } }],
          failure: [{ request_range: { key } }],
        });
        if (r.succeeded) return new EtcdLock(lease, key);
        const holder = r.responses[0]?.response_range.kvs[0]?.value;
        if (holder !== undefined && Buffer.from(holder).equals(me)) return new EtcdLock(lease, key); // a retried Txn that had succeeded
        if (Date.now() >= until) throw new KvError('LOCKED', `etcd namespace lock ${JSON.stringify(key.toString('latin1'))} at ${where} is held by a live lease (holder ${String(holder ?? '?')})`);
        await sleep(100);
      }
    } catch (e) {
      await lease.revoke().catch(() => undefined);
      throw etcdError(e, 'lock', where);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.lease.revoke();
    } catch {
      /* best effort: an unrevoked lease expires within the TTL, and the next open takes over */
    }
  }
}
