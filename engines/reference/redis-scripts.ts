/**
 * Lua scripts of the single-server `redis` engine. Each runs atomically on the server (and is
 * logged to the AOF as one MULTI/EXEC of its effects, which AOF loading never applies by half),
 * so a record and its index entry change together. Layout (see README, section Redis):
 * record = hash `<ns>:r:<key>` with one field `v` holding the value bytes; index = sorted set
 * `<ns>:i` with every key as a member at score 0 (ZRANGEBYLEX order = memcmp of the members).
 * Invariant kept by every script: a record exists ⇔ its key is an index member.
 */
import type { Redis, Cluster } from 'ioredis';

/** KEYS: rec, idx. ARGV: value, key. HSET returns 1 only for a new field = a new record. */
const PUT = `if redis.call('HSET', KEYS[1], 'v', ARGV[1]) == 1 then redis.call('ZADD', KEYS[2], 0, ARGV[2]) end return 1`;

/** KEYS: rec, idx. ARGV: key. */
const DEL = `if redis.call('DEL', KEYS[1]) == 1 then redis.call('ZREM', KEYS[2], ARGV[1]) end return 1`;

/** KEYS: idx, rec_1..rec_n. ARGV: type_1, key_1, ..., type_n, key_n, value_1..value_n ('p' put, 'd' delete). */
const BATCH = `local n = #KEYS - 1
for i = 1, n do
  local rec = KEYS[i + 1]
  if ARGV[2 * i - 1] == 'p' then
    if redis.call('HSET', rec, 'v', ARGV[2 * n + i]) == 1 then redis.call('ZADD', KEYS[1], 0, ARGV[2 * i]) end
  else
    if redis.call('DEL', rec) == 1 then redis.call('ZREM', KEYS[1], ARGV[2 * i]) end
  end
end
return n`;

/**
 * KEYS: idx. ARGV: start key, limit, record prefix. Returns key_1, value_1, key_2, ... for up to
 * `limit` keys >= start, from one atomic state. Reads record keys it does not declare: allowed
 * on a single server, which is why the cluster engine scans client-side instead.
 */
const SCAN = `local ks = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1], '+', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i, k in ipairs(ks) do
  out[2 * i - 1] = k
  out[2 * i] = redis.call('HGET', ARGV[3] .. k, 'v')
end
return out`;

type Arg = Buffer | string | number;

/** The scripts as methods (ioredis `defineCommand`: EVALSHA with an EVAL fallback). */
export interface ScriptCommands {
  kvPut(rec: Buffer, idx: Buffer, value: Buffer, key: Buffer): Promise<unknown>;
  kvDel(rec: Buffer, idx: Buffer, key: Buffer): Promise<unknown>;
  kvBatch(numKeys: number, ...args: Arg[]): Promise<unknown>;
  kvScanBuffer(idx: Buffer, start: Buffer, limit: number, recPrefix: Buffer): Promise<Array<Buffer | null>>;
}

/** Registers the scripts on a client and returns it typed with them. */
export function defineScripts(client: Redis | Cluster): ScriptCommands {
  client.defineCommand('kvPut', { numberOfKeys: 2, lua: PUT });
  client.defineCommand('kvDel', { numberOfKeys: 2, lua: DEL });
  client.defineCommand('kvBatch', { lua: BATCH });
  client.defineCommand('kvScan', { numberOfKeys: 1, lua: SCAN });
  return client as unknown as ScriptCommands;
}
