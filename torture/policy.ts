/**
 * Which engines the torture runs and how, decided from descriptors (never from a list of names):
 * persistent engines only; a "stress" variant with small sizes so flushes, compactions, merges
 * and rollovers happen within a short run; kill points by the `<engine>.` prefix convention.
 */
import type { EngineDescriptor } from '../engines/engine.js';
import { KILL_POINTS } from '../engines/killpoint.js';
import { listEngines } from '../engines/registry.js';

/** Registered engines whose data survives reopen (`capabilities.persistent`). */
export function persistentEngines(): EngineDescriptor[] {
  return listEngines().filter((d) => d.capabilities.persistent);
}

/**
 * True for production engines behind the contract (LMDB, LevelDB, SQLite, Redis), whose
 * results are reported as measured rather than required: the descriptor's role says so.
 */
export function isReferenceEngine(d: EngineDescriptor): boolean {
  return d.role === 'reference' || d.role === 'network';
}

/** Option values that make size-triggered work (flush, compaction, merge, rollover, commit) frequent. */
const SMALL: Readonly<Record<string, number>> = {
  memtableSize: 16 * 1024,
  targetFileSize: 16 * 1024,
  l0Trigger: 2,
  segmentBytes: 16 * 1024,
  maxDirtyPages: 8,
};

/** `name:k=v,...` with the {@link SMALL} options the engine has (in range), or undefined if none. */
export function stressSpec(d: EngineDescriptor): string | undefined {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(SMALL)) {
    const spec = d.options[k];
    if (!spec || (spec.type !== 'int' && spec.type !== 'number')) continue;
    if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) continue;
    parts.push(`${k}=${v}`);
  }
  return parts.length ? `${d.name}:${parts.join(',')}` : undefined;
}

/** The kill points engine `name` declares (names starting with `name.`), sorted. */
export function killPointsOf(name: string): string[] {
  return [...KILL_POINTS].filter((p) => p.startsWith(`${name}.`)).sort();
}
