/**
 * Shared setup of the per-engine torture tests: which engines run (every persistent registered
 * engine that can open here, decided by capabilities), and how hard (KVLAB_TORTURE_SCALE
 * multiplies the modest CI counts).
 */
import type { EngineDescriptor } from '../../engines/engine.js';
import { probeEngine } from '../../torture/engine-ref.js';
import { isReferenceEngine, persistentEngines, stressSpec } from '../../torture/policy.js';

/** Multiplier of cycle/case counts (default 1: the whole torture suite stays short). */
export const SCALE = Math.max(1, Number(process.env.KVLAB_TORTURE_SCALE ?? 1) || 1);

/** A persistent engine to torture, with the spec that makes its background work frequent. */
export interface TortureTarget {
  readonly d: EngineDescriptor;
  /** Stress spec (small sizes) when the engine has such options, else its plain name. */
  readonly spec: string;
  /** Reference engines are reported as measured; kvlab engines must pass. */
  readonly reference: boolean;
  /** Why the engine cannot run here (e.g. a native binary not built), or undefined. */
  readonly unavailable: string | undefined;
}

/** Every persistent registered engine (KVLAB_ENGINES=a,b narrows the list). */
export async function tortureTargets(): Promise<TortureTarget[]> {
  const only = process.env.KVLAB_ENGINES?.split(',').map((s) => s.trim());
  const out: TortureTarget[] = [];
  for (const d of persistentEngines()) {
    if (only && !only.includes(d.name)) continue;
    out.push({ d, spec: stressSpec(d) ?? d.name, reference: isReferenceEngine(d), unavailable: await probeEngine({ spec: d.name }) });
  }
  return out;
}
