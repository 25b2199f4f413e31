import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MATRIX_HELP } from '../../cli/commands/matrix.js';
import { COMPARE_HELP, REPORT_HELP } from '../../cli/commands/report.js';

const FILE = path.resolve(__dirname, '../../.github/workflows/bench.yml');
const text = fs.readFileSync(FILE, 'utf8');

// js-yaml is in node_modules through @napi-rs/cli; it parses the workflow as GitHub would.
const yaml = createRequire(import.meta.url)('js-yaml') as { load: (s: string) => unknown };

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; needs?: string }> };

describe('.github/workflows/bench.yml', () => {
  const wf = yaml.load(text) as Workflow;
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  const runs = steps.flatMap((s) => (s.run ? [s.run] : []));

  it('is valid YAML with the expected shape: on push, every step either uses an action or runs commands', () => {
    expect(text).not.toMatch(/\t/);
    expect(Object.keys(wf.on)).toContain('push');
    for (const s of steps) expect(Boolean(s.uses) !== Boolean(s.run), JSON.stringify(s)).toBe(true);
    expect(wf.jobs['publish']!.needs).toBe('bench');
  });

  it('runs the matrix, uploads the report, publishes Pages, compares and writes the job summary', () => {
    const uses = steps.map((s) => s.uses ?? '');
    expect(runs.some((r) => r.includes('npx kvlab matrix'))).toBe(true);
    expect(runs.some((r) => /npx kvlab report [^\n]*-o site\/index\.html/.test(r))).toBe(true);
    expect(runs.some((r) => /npx kvlab compare baseline results\/ci --fail-on-regression/.test(r))).toBe(true);
    expect(runs.filter((r) => r.includes('>> "$GITHUB_STEP_SUMMARY"')).length).toBeGreaterThanOrEqual(2);
    expect(uses.some((u) => u.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('actions/upload-pages-artifact@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('actions/deploy-pages@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('actions/cache/restore@'))).toBe(true);
  });

  it('uses only options the kvlab commands document', () => {
    const helps: Record<string, string> = { matrix: MATRIX_HELP, report: REPORT_HELP, compare: COMPARE_HELP };
    const calls = runs.flatMap((r) => [...r.matchAll(/npx kvlab (\w+)([^\n|;&]*)/g)]);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const [, cmd, rest] of calls) {
      expect(Object.keys(helps)).toContain(cmd);
      for (const opt of rest!.match(/(?<=\s)--?[a-z][a-z-]*/g) ?? []) expect(helps[cmd!], `${cmd} ${opt}`).toContain(opt);
    }
  });
});
