/**
 * The engine registry: opens any engine by name (with options) and lists what is available.
 *
 * An engine spec is `name` or `name:opt=value,opt=value` (e.g. `lsm:compaction=tiered,bloomBits=0`).
 * Options are validated against the engine's descriptor: an unknown engine or option, or a
 * value of the wrong type or range, throws a KvError (`UNKNOWN_ENGINE` / `INVALID_ARGUMENT`).
 * To add an engine, export an {@link EngineDescriptor} from its folder and list it in DESCRIPTORS.
 */
import type { AnyEngine, Engine, EngineDescriptor } from './engine.js';
import { KvError, notSupported } from './errors.js';
import { openDescriptor, parseEngineSpec, type BaseOpenOptions, type EngineSpec } from './open.js';
import { mapDescriptor } from './reference/map.js';
import { lmdbDescriptor } from './reference/lmdb.js';
import { sqliteDescriptor } from './reference/sqlite.js';
import { classicLevelDescriptor } from './reference/classic-level.js';
import { rocksdbDescriptor } from './reference/rocksdb.js';
import { hashlogDescriptor } from './hashlog/index.js';
import { lsmDescriptor } from './lsm/index.js';
import { btreeDescriptor } from './btree/index.js';
import { nativeDescriptor } from './native/index.js';
import { redisClusterDescriptor, redisDescriptor } from './reference/redis.js';
import { memcachedDescriptor } from './reference/memcached.js';
import { dynamodbDescriptor, dynamodbOrderedDescriptor } from './reference/dynamodb.js';
import { etcdClusterDescriptor, etcdDescriptor } from './reference/etcd.js';
import { nullDescriptor } from './reference/null.js';
import { stallDescriptor, stallSyncDescriptor } from './reference/stall.js';

export { openDescriptor, parseEngineSpec, resolveOpen, resolveOptions } from './open.js';
export type { BaseOpenOptions, EngineSpec } from './open.js';

/** Every registered engine, in the order `kvlab engines` lists them. */
const DESCRIPTORS: EngineDescriptor[] = [mapDescriptor, hashlogDescriptor, nativeDescriptor, lsmDescriptor, btreeDescriptor, lmdbDescriptor, sqliteDescriptor, classicLevelDescriptor, rocksdbDescriptor, redisDescriptor, redisClusterDescriptor, memcachedDescriptor, dynamodbDescriptor, dynamodbOrderedDescriptor, etcdDescriptor, etcdClusterDescriptor, nullDescriptor, stallDescriptor, stallSyncDescriptor];

/**
 * Registered descriptors, in the order `kvlab engines` lists them. By default the stores only
 * (not the probes, such as the null instrument, which break the storage contract on purpose);
 * pass `{ all: true }` for every descriptor the registry can open.
 */
export function listEngines(opts: { all?: boolean } = {}): readonly EngineDescriptor[] {
  return opts.all ? DESCRIPTORS : DESCRIPTORS.filter((d) => d.probe !== true);
}

/** The descriptor for `name`; throws UNKNOWN_ENGINE listing the known names. */
export function getDescriptor(name: string): EngineDescriptor {
  const d = DESCRIPTORS.find((x) => x.name === name);
  if (!d) throw new KvError('UNKNOWN_ENGINE', `unknown engine '${name}' (known: ${DESCRIPTORS.map((x) => x.name).join(', ')})`);
  return d;
}

/** Opens (creating or recovering) any registered engine, sync or async. */
export async function openEngine(spec: string | EngineSpec, base: BaseOpenOptions): Promise<AnyEngine> {
  const s = typeof spec === 'string' ? parseEngineSpec(spec) : spec;
  return await openDescriptor(getDescriptor(s.name), s, base);
}

/** Opens a synchronous registered engine without a promise; throws NOT_SUPPORTED for an async one. */
export function openSyncEngine(spec: string | EngineSpec, base: BaseOpenOptions): Engine {
  const s = typeof spec === 'string' ? parseEngineSpec(spec) : spec;
  const d = getDescriptor(s.name);
  if (d.kind !== 'sync') throw notSupported(`engine '${d.name}' is asynchronous; use openEngine`);
  return openDescriptor(d, s, base) as Engine;
}
