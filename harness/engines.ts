/**
 * How the harness finds engines: the registry (engines/registry.ts), whose descriptors say
 * their role; the `null` instrument is a registered probe (it measures harness cost and breaks
 * the storage contract on purpose, so default listings leave it out).
 */
import type { AnyEngine, EngineDescriptor } from '../engines/engine.js';
import type { BaseOpenOptions, EngineSpec } from '../engines/registry.js';
import { getDescriptor, listEngines, openEngine, parseEngineSpec, resolveOptions } from '../engines/registry.js';

/** The descriptor for a name, the null instrument included. Throws UNKNOWN_ENGINE. */
export function descriptorFor(name: string): EngineDescriptor {
  return getDescriptor(name);
}

/** Every descriptor the registry opens, probes last. */
export function allDescriptors(): EngineDescriptor[] {
  const all = listEngines({ all: true });
  return [...all.filter((d) => d.probe !== true), ...all.filter((d) => d.probe === true)];
}

/**
 * Engines of the default matrix: kvlab's own and the embedded references, persistent ones
 * (role engine or reference); no instruments, no network stores.
 */
export function defaultMatrixEngines(): string[] {
  return listEngines()
    .filter((d) => d.capabilities.persistent && (d.role === 'engine' || d.role === 'reference'))
    .map((d) => d.name);
}

/** Parses and validates a spec without opening anything (unknown engine/option → KvError). */
export function checkSpec(spec: string): EngineSpec {
  const s = parseEngineSpec(spec);
  resolveOptions(descriptorFor(s.name), s.options);
  return s;
}

/** Opens any engine by spec, the null instrument included (the registry's one open path). */
export async function openAny(spec: string | EngineSpec, base: BaseOpenOptions): Promise<AnyEngine> {
  return openEngine(spec, base);
}
