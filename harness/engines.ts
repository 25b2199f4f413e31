/**
 * How the harness finds engines: every registry engine (engines/registry.ts) plus the `null`
 * instrument (engines/reference/null.ts), which measures harness cost and is deliberately kept
 * out of the registry (it is not a store, so it cannot pass conformance).
 */
import type { AnyEngine, EngineDescriptor } from '../engines/engine.js';
import { DURABILITIES } from '../engines/engine.js';
import { invalidArgument, notSupported } from '../engines/errors.js';
import { NodeFs } from '../engines/fs.js';
import { nullDescriptor } from '../engines/reference/null.js';
import type { BaseOpenOptions, EngineSpec } from '../engines/registry.js';
import { getDescriptor, listEngines, openEngine, parseEngineSpec, resolveOptions } from '../engines/registry.js';

/** The descriptor for a name, the null instrument included. Throws UNKNOWN_ENGINE. */
export function descriptorFor(name: string): EngineDescriptor {
  return name === 'null' ? nullDescriptor : getDescriptor(name);
}

/** Registry engines plus the null instrument (last). */
export function allDescriptors(): EngineDescriptor[] {
  return [...listEngines(), nullDescriptor];
}

/**
 * Engines of the default matrix: embedded (sync or the classic-level reference) and persistent;
 * excludes map, null and network stores.
 */
export function defaultMatrixEngines(): string[] {
  return listEngines()
    .filter((d) => d.capabilities.persistent && !/network|redis/i.test(d.design))
    .map((d) => d.name);
}

/** Parses and validates a spec without opening anything (unknown engine/option → KvError). */
export function checkSpec(spec: string): EngineSpec {
  const s = parseEngineSpec(spec);
  resolveOptions(descriptorFor(s.name), s.options);
  return s;
}

/** Opens any engine by spec, the null instrument included. */
export async function openAny(spec: string | EngineSpec, base: BaseOpenOptions): Promise<AnyEngine> {
  const s = typeof spec === 'string' ? parseEngineSpec(spec) : spec;
  if (s.name !== 'null') return openEngine(s, base);
  const durability = base.durability ?? 'none';
  if (!DURABILITIES.includes(durability)) throw invalidArgument(`durability must be one of ${DURABILITIES.join(', ')}`);
  if (!nullDescriptor.capabilities.durability.includes(durability)) throw notSupported(`null: durability ${durability}`);
  const options = resolveOptions(nullDescriptor, s.options);
  return nullDescriptor.open({ ...base, durability, fs: base.fs ?? new NodeFs(), options, label: s.label });
}
