/**
 * Which engines a shared suite runs against: every registered engine plus its declared
 * conformance variants, or exactly the comma-separated specs in KVLAB_ENGINES (specs may carry
 * options, e.g. `KVLAB_ENGINES='lsm:memtableSize=4096'`). Semicolons also separate specs, for
 * specs whose options contain commas.
 */
import { getDescriptor, listEngines, parseEngineSpec } from '../../engines/registry.js';
import type { EngineDescriptor } from '../../engines/engine.js';

export interface Target {
  readonly spec: string;
  readonly descriptor: EngineDescriptor;
  /** Runs the whole suite even though the spec carries options (a server target). */
  readonly full?: boolean;
}

export function targets(): Target[] {
  const env = process.env.KVLAB_ENGINES;
  if (env && env.trim() !== '') {
    const specs = env.includes(';') ? env.split(';') : splitSpecs(env);
    return specs.map((spec) => ({ spec, descriptor: getDescriptor(parseEngineSpec(spec).name) }));
  }
  const out: Target[] = [];
  for (const d of listEngines()) {
    out.push({ spec: d.name, descriptor: d });
    for (const v of d.conformanceVariants ?? []) out.push({ spec: v, descriptor: d });
  }
  return [...out, ...serverTargets()];
}

/**
 * Targets whose spec names a server the test setup started (ports known only at run time):
 * Redis as a cache (no AOF; the core narrows its capabilities to not persistent, durability
 * none, and so does the descriptor the suite gates on) and the memcached pool of three.
 */
function serverTargets(): Target[] {
  const out: Target[] = [];
  const cache = process.env.KVLAB_REDIS_CACHE_URL;
  if (cache) {
    const d = getDescriptor('redis');
    const u = new URL(cache);
    out.push({ spec: `redis:host=${u.hostname},port=${u.port}`, descriptor: { ...d, capabilities: { ...d.capabilities, persistent: false, durability: ['none'] } }, full: true });
  }
  const pool = process.env.KVLAB_MEMCACHED_POOL;
  if (pool) out.push({ spec: `memcached:servers=${pool}`, descriptor: getDescriptor('memcached'), full: true });
  return out;
}

/** Splits `a,b:x=1,y=2,c` into specs: a comma starts a new spec only before a bare engine name. */
function splitSpecs(s: string): string[] {
  const out: string[] = [];
  for (const part of s.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (out.length > 0 && p.includes('=') && !p.includes(':')) out[out.length - 1] += `,${p}`;
    else out.push(p);
  }
  return out;
}
