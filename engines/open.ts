/**
 * Opening a descriptor: the one path every open takes (the registry's, the harness's null
 * instrument, the torture's test engines, each engine folder's typed helper). A spec is parsed,
 * its options validated against the descriptor, durability and the group-commit defaults
 * resolved, and the descriptor's core opened inside the shell (engines/shell.ts).
 *
 * This module imports no descriptor, so engine folders may use it without an import cycle.
 */
import type { AsyncEngine, Engine, EngineDescriptor, OpenOptions, OptionSpec, ResolvedOpenOptions } from './engine.js';
import { DURABILITIES } from './engine.js';
import { KvError, invalidArgument, notSupported } from './errors.js';
import { NodeFs } from './fs.js';
import { GROUP_COMMIT_DEFAULTS, openShell } from './shell.js';

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

/**
 * Resolves everything an open needs, once: durability (checked against the descriptor),
 * options (validated, defaults filled), the group-commit defaults, the Fs, the label.
 */
export function resolveOpen(d: EngineDescriptor, s: EngineSpec, base: BaseOpenOptions): ResolvedOpenOptions {
  const durability = base.durability ?? 'none';
  if (!DURABILITIES.includes(durability)) throw invalidArgument(`durability must be one of ${DURABILITIES.join(', ')}, got '${String(durability)}'`);
  if (!d.capabilities.durability.includes(durability))
    throw notSupported(`engine '${d.name}' does not support durability '${durability}' (supports ${d.capabilities.durability.join(', ')})`);
  const options = resolveOptions(d, s.options);
  const groupCommitMs = base.groupCommitMs ?? GROUP_COMMIT_DEFAULTS.groupCommitMs;
  const groupCommitBytes = base.groupCommitBytes ?? GROUP_COMMIT_DEFAULTS.groupCommitBytes;
  if (!(groupCommitMs > 0) || !Number.isFinite(groupCommitMs)) throw invalidArgument(`groupCommitMs must be a positive number, got ${groupCommitMs}`);
  if (!(groupCommitBytes > 0) || !Number.isFinite(groupCommitBytes)) throw invalidArgument(`groupCommitBytes must be a positive number, got ${groupCommitBytes}`);
  return { ...base, durability, groupCommitMs, groupCommitBytes, fs: base.fs ?? new NodeFs(), options, label: s.label };
}

/**
 * The one way any descriptor is opened (registered ones, the null instrument, test engines
 * loaded from a module): resolve, then the shell around the descriptor's core.
 */
export function openDescriptor(d: EngineDescriptor, spec: string | EngineSpec, base: BaseOpenOptions): Engine | Promise<AsyncEngine> {
  const s = typeof spec === 'string' ? parseEngineSpec(spec) : spec;
  if (s.name !== d.name) throw invalidArgument(`spec '${s.label}' does not name engine '${d.name}'`);
  return openShell(d, resolveOpen(d, s, base));
}

