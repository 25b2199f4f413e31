/**
 * Exclusive ownership of a Redis namespace, the network analogue of the DirLock pid file: the
 * key `<namespace>:lock` holds `<server run_id>:<CLIENT ID>` of a dedicated connection. A second
 * open finds the holder's connection alive (same run_id, CLIENT LIST ID non-empty) and throws
 * LOCKED; a holder whose process died has no connection left (the kernel closes its socket), and
 * a holder from before a server restart has another run_id (client ids restart at 1), so such a
 * lock is taken over with a compare-and-set script — recovery after SIGKILL just works. Caveat: if the lock connection
 * itself drops and reconnects, the lock looks stale to others until this engine closes.
 */
import type { Redis } from 'ioredis';
import { KvError } from '../errors.js';

const TAKEOVER = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A held namespace lock; release() is idempotent and closes the lock connection. */
export class NamespaceLock {
  private released = false;
  private constructor(private readonly conn: Redis, private readonly key: string, private readonly id: string) {}

  /**
   * Takes the lock on `key` through `conn` (a connection to the node serving `key`, owned by the
   * lock from now on). LOCKED when a live connection holds it; waits up to ~1.5 s for a dying
   * holder's connection to disappear first.
   */
  static async acquire(conn: Redis, key: string): Promise<NamespaceLock> {
    try {
      const runId = /^run_id:(\w+)/m.exec(await conn.info('server'))?.[1] ?? 'unknown';
      const id = `${runId}:${String(await conn.client('ID'))}`;
      for (let attempt = 0; ; attempt++) {
        if ((await conn.set(key, id, 'NX')) === 'OK') return new NamespaceLock(conn, key, id);
        const holder = await conn.get(key);
        if (holder === null) continue;
        const [holderRun, holderId] = holder.split(':');
        const alive = holderRun === runId && holderId !== undefined && /^\d+$/.test(holderId) && String(await conn.client('LIST', 'ID', holderId)).trim() !== '';
        if (!alive) {
          if (Number(await conn.eval(TAKEOVER, 1, key, holder, id)) === 1) return new NamespaceLock(conn, key, id);
          continue;
        }
        if (attempt >= 30) throw new KvError('LOCKED', `redis namespace lock ${key} is held by live connection ${holder}`);
        await sleep(50);
      }
    } catch (e) {
      conn.disconnect();
      if (e instanceof KvError) throw e;
      throw new KvError('IO', `redis lock ${key}: ${(e as Error).message}`, { cause: e });
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.conn.eval(RELEASE, 1, this.key, this.id);
      await this.conn.quit();
    } catch {
      this.conn.disconnect(); // best effort: a lock whose connection is gone is taken over on the next open
    }
  }
}
