/**
 * The minified plotly.js bundle every HTML report inlines. It is produced once at build time by
 * `node scripts/build-plotly.mjs` (dist/vendor/plotly.min.js, part of `npm run build`), never at
 * report time. `KVLAB_PLOTLY_BUNDLE` may point at another copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvError } from '../engines/errors.js';

/** Bundle path relative to the package root. */
export const PLOTLY_BUNDLE_PATH = 'dist/vendor/plotly.min.js';

let cached: { file: string; code: string } | null = null;

/** The kvlab package root: the nearest ancestor of this module holding package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new KvError('NOT_FOUND', 'cannot find the kvlab package root (package.json) above reports/');
    dir = up;
  }
}

/** Path of the bundle used: `KVLAB_PLOTLY_BUNDLE`, else dist/vendor/plotly.min.js under the package root. */
export function plotlyBundlePath(): string {
  return process.env['KVLAB_PLOTLY_BUNDLE'] || path.join(packageRoot(), PLOTLY_BUNDLE_PATH);
}

/** The minified plotly source. Throws NOT_FOUND (naming the build command) when it was not built. */
export function loadPlotlyBundle(): string {
  const file = plotlyBundlePath();
  if (cached && cached.file === file) return cached.code;
  let code: string;
  try {
    code = fs.readFileSync(file, 'utf8');
  } catch {
    throw new KvError('NOT_FOUND', `plotly bundle ${file} is missing: run \`node scripts/build-plotly.mjs\` (part of npm run build)`, { file });
  }
  cached = { file, code };
  return code;
}
