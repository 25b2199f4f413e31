/** Uniform access to sync and async engines for the shared suites (await works on both). */
import type { AnyEngine, Durability } from '../../engines/engine.js';
import { openEngine } from '../../engines/registry.js';

export async function open(spec: string, dir: string, durability: Durability = 'none'): Promise<AnyEngine> {
  return openEngine(spec, { dir, durability });
}

/** Runs `f` and returns the KvError code it throws (sync or async), or 'no error'. */
export async function errorCode(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && (e as Error).name === 'KvError' ? code : `non-KvError: ${String(e)}`;
  }
  return 'no error';
}
