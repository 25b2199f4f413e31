/**
 * bench/corruption-matrix: the corruption torture (torture/corrupt.ts) of every persistent engine,
 * printed as a table per engine and file type: detected / intact / silent (keys missing or older
 * versions, no error) / wrong (a value never written) / failed (another error, a crash, a hang).
 * Not a timing benchmark: it counts outcomes, so it may run on a busy machine.
 *
 * Run: `npx tsc -p . ; node dist/bench/corruption-matrix.js [--engines a,b] [--cases N] [--seed S]
 * [--out FILE.md]` (default 4 cases per file type and mutation, seed 42).
 */
import * as nodefs from 'node:fs';
import { CORRUPTION_FAILURES, runCorruption, SILENT_OUTCOMES } from '../torture/corrupt.js';
import { isReferenceEngine, persistentEngines, stressSpec } from '../torture/policy.js';
import type { CorruptionOutcome } from '../torture/results.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const cases = Number(arg('cases') ?? 4);
const seed = Number(arg('seed') ?? 42);
const only = arg('engines')?.split(',');
const out = arg('out');

type Counts = Partial<Record<CorruptionOutcome, number>>;
function columns(c: Counts): [number, number, number, number, number] {
  const n = (ks: readonly CorruptionOutcome[]): number => ks.reduce((a, k) => a + (c[k] ?? 0), 0);
  const wrong = c['wrong-value'] ?? 0;
  return [c.detected ?? 0, c.intact ?? 0, n(SILENT_OUTCOMES), wrong, n(CORRUPTION_FAILURES) - wrong];
}

const lines = [
  `corruption matrix: seed ${seed}, ${cases} cases per file type and mutation (flip, zero 512 B, truncate), largest and newest file of each type`,
  '',
  '| engine | file type | cases | detected | intact | silent | wrong | failed |',
  '|---|---|---|---|---|---|---|---|',
];
for (const d of persistentEngines()) {
  if (only && !only.includes(d.name)) continue;
  const spec = stressSpec(d) ?? d.name;
  const s = await runCorruption({ engine: spec, seed, casesPerKind: cases, timeoutMs: 20_000 }).catch((e: unknown) => ({
    applicable: false as const, reason: String((e as Error).message ?? e).split('\n')[0]!.slice(0, 120),
  }));
  if (!s.applicable) {
    lines.push(`| ${d.name} | — | not run: ${s.reason} | | | | | |`);
    continue;
  }
  const tag = isReferenceEngine(d) ? ' (reference)' : '';
  for (const [t, kinds] of Object.entries(s.byFileType)) {
    const sum: Counts = {};
    for (const k of Object.values(kinds)) for (const [o, n] of Object.entries(k)) sum[o as CorruptionOutcome] = (sum[o as CorruptionOutcome] ?? 0) + n!;
    const total = Object.values(sum).reduce((a, b) => a + b!, 0);
    lines.push(`| ${d.name}${tag} | ${t} | ${total} | ${columns(sum).join(' | ')} |`);
  }
  lines.push(`| **${d.name}${tag}** | all | ${s.injected} | ${columns(s.outcomes).join(' | ')} |`);
  for (const v of s.violations.slice(0, 6)) process.stderr.write(`  ${d.name}: ${v.detail.slice(0, 200)}\n`);
}
const text = lines.join('\n') + '\n';
process.stdout.write(text);
if (out) nodefs.writeFileSync(out, text);
