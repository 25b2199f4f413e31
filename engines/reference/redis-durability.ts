/**
 * How kvlab's durability modes map onto a Redis server's own persistence (argued in
 * engines/reference/README.md, section Redis). Redis 7.0 (Debian's) has no per-client fsync
 * (WAITAOF arrived in 7.2), so the server's AOF policy *is* the durability; the engine reads it
 * at open and refuses a mode the server cannot keep:
 *
 * | mode     | server must run                      | durableSequence                           |
 * |----------|--------------------------------------|-------------------------------------------|
 * | `none`   | any; `appendonly no` = a cache: the store is opened as **not persistent** (`persistent: false`) | = last on an `always` server; else at sync() |
 * | `group`  | `appendonly yes`, `appendfsync always` | = last after every acknowledged write   |
 * | `always` | `appendonly yes`, `appendfsync always` | = last after every acknowledged write   |
 *
 * sync() on a server that does not fsync every write is an AOF rewrite barrier
 * ({@link aofBarrier}): BGREWRITEAOF forks, writes the whole dataset to a new base file, fsyncs
 * it and switches the manifest, so every write acknowledged before it is on stable storage.
 * It costs O(dataset) — the only client-triggered fsync Redis 7.0 offers.
 */
import type { Redis } from 'ioredis';
import type { Durability } from '../engine.js';
import { KvError, notSupported } from '../errors.js';

/** A node's AOF settings as read with CONFIG GET. */
export interface ServerPersistence {
  readonly appendonly: boolean;
  readonly appendfsync: string;
}

/** Reads `appendonly` and `appendfsync` from one node. NOT_SUPPORTED when CONFIG is unavailable. */
export async function readPersistence(node: Redis, where: string): Promise<ServerPersistence> {
  let pairs: string[];
  try {
    pairs = [...((await node.config('GET', 'appendonly')) as string[]), ...((await node.config('GET', 'appendfsync')) as string[])];
  } catch (e) {
    throw new KvError('NOT_SUPPORTED', `redis ${where}: cannot read the persistence config (CONFIG GET): ${(e as Error).message}`, { cause: e });
  }
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) m.set(pairs[i]!, pairs[i + 1]!);
  return { appendonly: m.get('appendonly') === 'yes', appendfsync: m.get('appendfsync') ?? 'unknown' };
}

/**
 * Whether a node running `p` keeps what it acknowledges across a restart: false for a cache
 * (`appendonly no`), which only durability `none` accepts (the store is then opened with
 * `persistent: false`, and results and reports say so). Throws NOT_SUPPORTED (one line, with the
 * server flags to use) when `p` cannot keep `mode`.
 */
export function checkPersistence(mode: Durability, p: ServerPersistence, where: string): { persistent: boolean } {
  const hint = (fsync: string) => `start it with \`redis-server --appendonly yes --appendfsync ${fsync}\` (or CONFIG SET appendfsync ${fsync})`;
  if (!p.appendonly) {
    if (mode === 'none') return { persistent: false };
    throw notSupported(`redis ${where} has appendonly no (a cache: its data would not survive a restart): durability '${mode}' needs persistence; ${hint('always')}, or use durability none for a cache`);
  }
  if (mode === 'always' && p.appendfsync !== 'always') throw notSupported(`redis ${where} has appendfsync ${p.appendfsync}: durability 'always' needs appendfsync always; ${hint('always')}`);
  // `group` promises durability within groupCommitMs (milliseconds) of the reply; everysec's
  // window is 1-2 s and not observable by a client, and the only client-side sync (an AOF
  // rewrite, O(dataset)) cannot run every few ms. So only a server that fsyncs each write keeps it.
  if (mode === 'group' && p.appendfsync !== 'always')
    throw notSupported(`redis ${where} has appendfsync ${p.appendfsync}: durability 'group' (durable within groupCommitMs) needs appendfsync always (everysec's 1-2 s window is longer than any group window and invisible to a client); ${hint('always')}`);
  return { persistent: true };
}

function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Returns once every write this node acknowledged before the call is fsynced: it waits out a
 * rewrite already running (it may have forked before those writes), then runs BGREWRITEAOF and
 * waits for it to finish. IO when the rewrite fails.
 */
export async function aofBarrier(node: Redis, where: string): Promise<void> {
  for (;;) {
    const info = parseInfo(await node.info('persistence'));
    if (info.get('aof_rewrite_in_progress') === '1' || info.get('aof_rewrite_scheduled') === '1') {
      await sleep(2);
      continue;
    }
    const before = Number(info.get('aof_rewrites'));
    try {
      await node.bgrewriteaof();
    } catch (e) {
      if (/already in progress/i.test((e as Error).message)) continue;
      throw new KvError('IO', `redis ${where}: BGREWRITEAOF: ${(e as Error).message}`, { cause: e });
    }
    for (;;) {
      const now = parseInfo(await node.info('persistence'));
      if (now.get('aof_rewrite_in_progress') === '0' && now.get('aof_rewrite_scheduled') === '0' && Number(now.get('aof_rewrites')) > before) {
        if (now.get('aof_last_bgrewrite_status') !== 'ok') throw new KvError('IO', `redis ${where}: AOF rewrite failed (aof_last_bgrewrite_status ${now.get('aof_last_bgrewrite_status')})`);
        return;
      }
      await sleep(2);
    }
  }
}
