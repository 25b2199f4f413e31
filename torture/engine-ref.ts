/**
 * How the torture names an engine: a registry spec (`name` or `name:k=v,...`), optionally with
 * a `module` that exports the descriptor instead of the registry (test engines that must not
 * appear in the registry, such as engines/testing/toy-engine). `module` is a repository-relative
 * path without extension (`engines/testing/toy-engine`); from source it loads the .ts file,
 * from dist/ (and always in a child) the compiled .js.
 */
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyEngine, EngineDescriptor } from '../engines/engine.js';
import { isKvError, KvError } from '../engines/errors.js';
import { getDescriptor, openDescriptor, openEngine, parseEngineSpec, type BaseOpenOptions } from '../engines/registry.js';
import { REPO_ROOT } from './child-path.js';

/** An engine as the torture names it (see module doc). */
export interface EngineRef {
  readonly spec: string;
  readonly module?: string;
}

function moduleFile(rel: string): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource ? path.join(REPO_ROOT, `${rel}.ts`) : path.join(REPO_ROOT, 'dist', `${rel}.js`);
}

/** The descriptor `ref` names; UNKNOWN_ENGINE when neither the registry nor the module has it. */
export async function descriptorOf(ref: EngineRef): Promise<EngineDescriptor> {
  const name = parseEngineSpec(ref.spec).name;
  if (ref.module === undefined) return getDescriptor(name);
  const mod = (await import(pathToFileURL(moduleFile(ref.module)).href)) as Record<string, unknown>;
  for (const v of Object.values(mod)) {
    const d = v as Partial<EngineDescriptor> | null;
    if (d && typeof d === 'object' && d.name === name && typeof d.openCore === 'function') return d as EngineDescriptor;
  }
  throw new KvError('UNKNOWN_ENGINE', `module ${ref.module} exports no engine '${name}'`);
}

/** Opens `ref` like the registry would (options validated, defaults filled). */
export async function openRef(ref: EngineRef, base: BaseOpenOptions): Promise<AnyEngine> {
  if (ref.module === undefined) return openEngine(ref.spec, base);
  return await openDescriptor(await descriptorOf(ref), ref.spec, base);
}

/**
 * Whether `ref` can open here: undefined if it can, else why not (a NOT_SUPPORTED error at open,
 * e.g. a native binary that was not built). Opens and closes a scratch store in a temp dir.
 */
export async function probeEngine(ref: EngineRef): Promise<string | undefined> {
  const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-probe-'));
  try {
    const e = await openRef(ref, { dir, durability: 'none' });
    await e.close();
    return undefined;
  } catch (err) {
    if (isKvError(err, 'NOT_SUPPORTED')) return `unavailable here: ${err.message}`;
    return undefined; // other failures are for the torture itself to report
  } finally {
    nodefs.rmSync(dir, { recursive: true, force: true });
  }
}
