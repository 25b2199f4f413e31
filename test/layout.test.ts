/**
 * Dependencies point one way: cli/ on top; then harness/, reports/, torture/; then workloads/ and
 * engines/ (the contract at the bottom). A source file importing upward fails here, naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
/** What each folder may import (besides itself, node: modules and packages). */
const ALLOWED: Record<string, string[]> = {
  engines: [],
  workloads: ['engines'],
  harness: ['engines', 'workloads'],
  torture: ['engines', 'workloads', 'harness'],
  reports: ['engines', 'workloads', 'harness', 'torture'],
  cli: ['engines', 'workloads', 'harness', 'torture', 'reports'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('layering', () => {
  it('no folder imports a folder above it', () => {
    const bad: string[] = [];
    for (const [folder, allowed] of Object.entries(ALLOWED)) {
      for (const file of sources(path.join(ROOT, folder))) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
          const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1]!)).split(path.sep)[0]!;
          if (target !== folder && target in ALLOWED && !allowed.includes(target)) bad.push(`${path.relative(ROOT, file)} imports ${m[1]}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
