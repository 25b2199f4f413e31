#!/usr/bin/env node
/**
 * Build step: turns plotly.js-dist into the bundle every kvlab HTML report inlines,
 * dist/vendor/plotly.min.js (run once by `npm run build`, never at report time).
 *
 * 1. Partial bundle: plotly's lib/index.js registers ~45 trace types; the report draws only
 *    `scatter` (always in plotly's core) and `bar`, so the register list is cut to `bar` (the
 *    custom-bundle mechanism plotly documents: Plotly.register of the traces you use), and the
 *    bundle's lazy `__commonJS` modules that nothing references any more are dropped. This
 *    halves the size (about 10 MB -> 2.4 MB minified) and the page's script start-up time.
 *    Must match reports/figures/figure.ts BUNDLED_TRACE_TYPES. If plotly's bundle layout is not
 *    recognised, the full bundle is kept (with a warning): reports still work, only slower.
 * 2. Minify with esbuild, keeping license comments.
 * 3. Refuse (exit 1) a result containing `</script` or `<!--`: the report inlines it in a
 *    <script> element, where escaping those is only safe inside string literals.
 *
 * Usage: node scripts/build-plotly.mjs [outFile] [--full]
 */
import { transformSync } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const full = args.includes('--full');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, args.find((a) => !a.startsWith('--')) ?? 'dist/vendor/plotly.min.js');
const require = createRequire(import.meta.url);
const srcPath = require.resolve('plotly.js-dist/plotly.js');
const version = JSON.parse(readFileSync(resolve(dirname(srcPath), 'package.json'), 'utf8')).version;
const original = readFileSync(srcPath, 'utf8');

/** Trace modules registered besides scatter (which plotly's core always registers). */
const TRACE_REQUIRES = ['require_bar2'];

/** Cuts lib/index.js's register list to TRACE_REQUIRES; null when the bundle layout is unknown. */
function registerOnly(src) {
  const re = /(var require_index = __commonJS\(\{\n\s*"lib\/index\.js"\(exports, module\) \{\n\s*var Plotly = require_core2\(\);\n\s*Plotly\.register\(\[)([\s\S]*?)(\]\);)/g;
  const m = [...src.matchAll(re)];
  if (m.length !== 1 || !TRACE_REQUIRES.every((r) => m[0][2].includes(`${r}()`))) return null;
  return src.replace(re, (_, head, _list, tail) => `${head}\n        ${TRACE_REQUIRES.map((r) => `${r}()`).join(',\n        ')}\n      ${tail}`);
}

/**
 * Drops `var require_X = __commonJS({...});` modules that no kept code mentions (by name, call or
 * not), starting from everything outside such modules. Conservative: any mention keeps a module.
 */
function dropUnreferenced(src) {
  const blockRe = /^  var (require_\w+) = __commonJS\(\{\n[\s\S]*?\n  \}\);\n/gm;
  const blocks = [...src.matchAll(blockRe)].map((m) => ({ name: m[1], start: m.index, end: m.index + m[0].length }));
  const byName = new Map(blocks.map((b) => [b.name, b]));
  let outside = '';
  let pos = 0;
  for (const b of blocks) {
    outside += src.slice(pos, b.start);
    pos = b.end;
  }
  outside += src.slice(pos);
  const names = (text) => new Set(text.match(/\brequire_\w+\b/g) ?? []);
  const keep = new Set();
  const stack = [...names(outside)].filter((n) => byName.has(n));
  while (stack.length) {
    const n = stack.pop();
    if (keep.has(n)) continue;
    keep.add(n);
    const b = byName.get(n);
    for (const r of names(src.slice(b.start, b.end))) if (byName.has(r) && !keep.has(r)) stack.push(r);
  }
  let res = '';
  pos = 0;
  for (const b of blocks) {
    res += src.slice(pos, b.start);
    if (keep.has(b.name)) res += src.slice(b.start, b.end);
    pos = b.end;
  }
  return { code: res + src.slice(pos), modules: blocks.length, kept: keep.size };
}

let src = original;
let kind = 'full bundle';
if (!full) {
  const cut = registerOnly(original);
  if (cut === null) {
    console.warn('build-plotly: WARNING: plotly bundle layout not recognised; keeping the full bundle (reports load slower)');
  } else {
    const d = dropUnreferenced(cut);
    src = d.code;
    kind = `partial bundle: scatter + bar, ${d.kept} of ${d.modules} modules`;
  }
}
const { code } = transformSync(src, { minify: true, legalComments: 'eof', target: 'es2020', charset: 'utf8' });
for (const bad of [/<\/script/i, /<!--/]) {
  if (bad.test(code)) {
    console.error(`build-plotly: minified plotly contains ${bad}; cannot inline it safely`);
    process.exit(1);
  }
}
const banner = `/*! plotly.js v${version} (${kind}) | Copyright 2012-2026, Plotly, Inc. | MIT license | built by kvlab scripts/build-plotly.mjs */\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, banner + code);
console.log(`build-plotly: ${srcPath} (${original.length} B) -> ${out} (${banner.length + code.length} B, ${kind})`);
