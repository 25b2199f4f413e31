/** Installed versions of the libraries behind the reference engines (recorded in `info.version`). */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

/** The `version` of an installed npm package, or `unknown`. */
export function packageVersion(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let version = 'unknown';
  try {
    let d = path.dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      const f = path.join(d, 'package.json');
      if (fs.existsSync(f)) {
        const pkg = JSON.parse(fs.readFileSync(f, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && typeof pkg.version === 'string') {
          version = pkg.version;
          break;
        }
      }
      d = path.dirname(d);
    }
  } catch {
    /* not installed */
  }
  cache.set(name, version);
  return version;
}
