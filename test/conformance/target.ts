/**
 * What the shared conformance suite runs against: a descriptor (the registry's, or one an
 * engine outside the registry exports) and the spec to open it with. Child processes (SIGKILL,
 * strace) open the same engine from compiled code: registry engines by spec, others from
 * `module`, a repository-relative path without extension whose compiled `dist/` module exports
 * the descriptor (as torture/engine-ref.ts loads it).
 */
import type { AnyEngine, EngineDescriptor } from '../../engines/engine.js';
import { openDescriptor, type BaseOpenOptions } from '../../engines/registry.js';

/** One engine configuration the suite checks. */
export interface ConformanceTarget {
  /** The spec opened: `name` or `name:k=v,...`. */
  readonly name: string;
  readonly descriptor: EngineDescriptor;
  /** For an engine outside the registry: the module exporting its descriptor (see module doc). */
  readonly module?: string;
}

/** Opens `t` in `dir` (durability none unless given), through the one open path. */
export async function openTarget(t: ConformanceTarget, dir: string, base: Partial<BaseOpenOptions> = {}): Promise<AnyEngine> {
  return await openDescriptor(t.descriptor, t.name, { dir, ...base });
}

/** Opens another spec of `t`'s descriptor (other options, other durability). */
export async function openSpec(t: ConformanceTarget, spec: string, base: BaseOpenOptions): Promise<AnyEngine> {
  return await openDescriptor(t.descriptor, spec, base);
}

/**
 * Whether the data outlives the engine object, so close and reopen (or a SIGKILL of the client)
 * must find it: persistent engines, and every network store, persistent or a cache (its server
 * keeps the data while it runs; `persistent: false` only says a server restart loses it).
 */
export function outlivesClose(d: EngineDescriptor): boolean {
  return d.capabilities.persistent || d.role === 'network';
}
