/**
 * The engine registry: opens any engine by name (with options) and lists what is available.
 *
 * An engine spec is `name` or `name:opt=value,opt=value` (e.g. `lsm:compaction=tiered,bloomBits=0`).
 * Options are validated against the engine's descriptor: an unknown engine or option, or a
 * value of the wrong type or range, throws a KvError (`UNKNOWN_ENGINE` / `INVALID_ARGUMENT`).
 * To add an engine, export an {@link EngineDescriptor} from its folder and list it in DESCRIPTORS.
 */
import type { AnyEngine, Engine, EngineDescriptor, OpenOptions, OptionSpec } from './engine.js';
import { DURABILITIES } from './engine.js';
import { KvError, invalidArgument, notSupported } from './errors.js';
import { NodeFs } from './fs.js';
import { mapDescriptor } from './reference/map.js';
import { lmdbDescriptor } from './reference/lmdb.js';
import { sqliteDescriptor } from './reference/sqlite.js';
import { classicLevelDescriptor } from './reference/classic-level.js';
import { hashlogDescriptor } from './hashlog/index.js';
import { lsmDescriptor } from './lsm/index.js';
import { btreeDescriptor } from './btree/index.js';
import { nativeDescriptor } from './native/index.js';
import { redisClusterDescriptor, redisDescriptor } from './reference/redis.js';

/** Every registered engine, in the order `kvlab engines` lists them. */
const DESCRIPTORS: EngineDescriptor[] = [mapDescriptor, hashlogDescriptor, nativeDescriptor, lsmDescriptor, btreeDescriptor, lmdbDescriptor, sqliteDescriptor, classicLevelDescriptor, redisDescriptor, redisClusterDescriptor];

/** All registered engine descriptors. */
export function listEngines(): readonly EngineDescriptor[] {
  return DESCRIPTORS;
}

/** The descriptor for `name`; throws UNKNOWN_ENGINE listing the known names. */
export function getDescriptor(name: string): EngineDescriptor {
  const d = DESCRIPTORS.find((x) => x.name === name);
  if (!d) throw new KvError('UNKNOWN_ENGINE', `unknown engine '${name}' (known: ${DESCRIPTORS.map((x) => x.name).join(', ')})`);
  return d;
}

/** A parsed engine spec: the engine name, its raw options, and the label results show. */
export interface EngineSpec {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
  /** The spec as written, normalised: `name` or `name:k=v,k=v` (keys in the given order). */
  readonly label: string;
}

/** Parses `name[:k=v,k=v]`. Syntax errors throw INVALID_ARGUMENT. Does not validate names. */
export function parseEngineSpec(spec: string): EngineSpec {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw invalidArgument(`bad engine name in spec '${spec}'`);
  const options: Record<string, string> = {};
  if (colon >= 0) {
    for (const part of spec.slice(colon + 1).split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw invalidArgument(`bad engine option '${part}' in '${spec}' (want key=value)`);
      options[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`);
  return { name, options, label: opts.length ? `${name}:${opts.join(',')}` : name };
}

/** Converts raw option strings (or values) to typed values, filling defaults. */
export function resolveOptions(
  d: EngineDescriptor,
  raw: Readonly<Record<string, string | number | boolean>>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(raw)) {
    if (!(key in d.options)) {
      const known = Object.keys(d.options);
      throw new KvError('UNKNOWN_ENGINE', `engine '${d.name}' has no option '${key}' (options: ${known.length ? known.join(', ') : 'none'})`);
    }
  }
  for (const [key, spec] of Object.entries(d.options)) {
    out[key] = key in raw ? convert(d.name, key, spec, raw[key]!) : spec.default;
  }
  return out;
}

function convert(engine: string, key: string, spec: OptionSpec, v: string | number | boolean): string | number | boolean {
  const bad = (why: string) => invalidArgument(`${engine} option ${key}=${String(v)}: ${why}`);
  switch (spec.type) {
    case 'int':
    case 'number': {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || (typeof v === 'string' && v.trim() === '') || !Number.isFinite(n)) throw bad('not a number');
      if (spec.type === 'int' && !Number.isInteger(n)) throw bad('not an integer');
      if (spec.min !== undefined && n < spec.min) throw bad(`below the minimum ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`above the maximum ${spec.max}`);
      return n;
    }
    case 'bool':
      if (v === true || v === 'true' || v === '1') return true;
      if (v === false || v === 'false' || v === '0') return false;
      throw bad('want true or false');
    case 'enum':
      if (!spec.values.includes(String(v))) throw bad(`want one of ${spec.values.join(', ')}`);
      return String(v);
    case 'string':
      return String(v);
  }
}

/** Base options for {@link openEngine}: everything but the engine-specific `options`. */
export type BaseOpenOptions = Omit<OpenOptions, 'options'>;

function prepare(spec: string | EngineSpec, base: BaseOpenOptions) {
  const s = typeof spec === 'string' ? parseEngineSpec(spec) : spec;
  const d = getDescriptor(s.name);
  const durability = base.durability ?? 'none';
  if (!DURABILITIES.includes(durability)) throw invalidArgument(`durability must be one of ${DURABILITIES.join(', ')}, got '${String(durability)}'`);
  if (!d.capabilities.durability.includes(durability))
    throw notSupported(`engine '${d.name}' does not support durability '${durability}' (supports ${d.capabilities.durability.join(', ')})`);
  const options = resolveOptions(d, s.options);
  return { d, opts: { ...base, durability, fs: base.fs ?? new NodeFs(), options, label: s.label } };
}

/** Opens (creating or recovering) any engine, sync or async. */
export async function openEngine(spec: string | EngineSpec, base: BaseOpenOptions): Promise<AnyEngine> {
  const { d, opts } = prepare(spec, base);
  return await d.open(opts);
}

/** Opens a synchronous engine without a promise; throws NOT_SUPPORTED for an async one. */
export function openSyncEngine(spec: string | EngineSpec, base: BaseOpenOptions): Engine {
  const { d, opts } = prepare(spec, base);
  if (d.kind !== 'sync') throw notSupported(`engine '${d.name}' is asynchronous; use openEngine`);
  const e = d.open(opts);
  if (e instanceof Promise) throw notSupported(`engine '${d.name}' did not open synchronously`);
  if (e.info.kind !== 'sync') throw notSupported(`engine '${d.name}' is asynchronous; use openEngine`);
  return e as Engine;
}
