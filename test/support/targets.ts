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
