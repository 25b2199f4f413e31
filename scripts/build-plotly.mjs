#!/usr/bin/env node
/**
 * Build step: minifies plotly.js-dist once into dist/vendor/plotly.min.js, the bundle that
 * reports/ inlines into every HTML report (the unminified bundle is ~10 MB; minified ~4.8 MB).
 *
 * Fails (exit 1) if the minified code contains `</script` or `<!--`: the report inlines it in a
 * <script> element, and escaping those sequences is only safe inside string literals, so the
 * build refuses a bundle where they could appear in code.
 * Usage: node scripts/build-plotly.mjs [outFile]
 */
import { transformSync } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'dist/vendor/plotly.min.js');
const require = createRequire(import.meta.url);
const srcPath = require.resolve('plotly.js-dist/plotly.js');
const version = JSON.parse(readFileSync(resolve(dirname(srcPath), 'package.json'), 'utf8')).version;
const src = readFileSync(srcPath, 'utf8');
const { code } = transformSync(src, { minify: true, legalComments: 'eof', target: 'es2020', charset: 'utf8' });
for (const bad of [/<\/script/i, /<!--/]) {
  if (bad.test(code)) {
    console.error(`build-plotly: minified plotly contains ${bad}; cannot inline it safely`);
    process.exit(1);
  }
}
const banner = `/*! plotly.js v${version} | Copyright 2012-2026, Plotly, Inc. | MIT license | minified by kvlab scripts/build-plotly.mjs */\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, banner + code);
console.log(`build-plotly: ${srcPath} (${src.length} B) -> ${out} (${banner.length + code.length} B)`);
