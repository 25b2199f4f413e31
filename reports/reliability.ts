/**
 * The report's reliability section: crash (SIGKILL), power-loss and corruption torture results
 * (`kind: "kvlab-torture"` files written by `kvlab crash` / bench/torture.ts, schema in
 * torture/results.ts, validated as on write: a malformed file is INVALID_ARGUMENT naming its JSON path), as tables. Like every report input, only read, never re-run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateTortureResults, type TortureResults } from '../torture/results.js';
import type { TableData } from './tables.js';

const TORTURE_KIND = 'kvlab-torture';

function jsonFilesUnder(p: string): string[] {
  if (!fs.existsSync(p)) return [];
  if (fs.statSync(p).isFile()) return p.endsWith('.json') ? [p] : [];
  return fs.readdirSync(p, { withFileTypes: true }).flatMap((e) => jsonFilesUnder(path.join(p, e.name)));
}

/** Every torture results file among `paths` (files or directories searched recursively). */
export function loadTortureResults(paths: readonly string[]): TortureResults[] {
  const out: TortureResults[] = [];
  for (const file of paths.flatMap(jsonFilesUnder)) {
    let doc: { kind?: unknown };
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: unknown };
    } catch {
      continue; // not JSON: not a torture file (results files are validated elsewhere)
    }
    if (doc !== null && typeof doc === 'object' && doc.kind === TORTURE_KIND) out.push(validateTortureResults(doc, file));
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One row per engine and torture file: kills, durable writes verified and lost, power losses, corruption outcomes. */
export function reliabilityTable(files: readonly TortureResults[]): TableData {
  const rows: TableData['rows'] = [];
  for (const f of files) {
    for (const e of f.engines) {
      const crash = e.crash.filter((c) => c.applicable);
      const pl = e.powerLoss && e.powerLoss.applicable ? e.powerLoss : null;
      const co = e.corruption && e.corruption.applicable ? e.corruption : null;
      const p = (k: 'p50' | 'p99') => {
        const xs = crash.map((c) => c.recoveryMs[k]).filter((x): x is number => x !== null);
        return xs.length ? Math.max(...xs) : null;
      };
      const o = co?.outcomes;
      rows.push([
        e.engine,
        crash.map((c) => c.durability).filter((d, i, a) => a.indexOf(d) === i).join(', ') || 'n/a',
        crash.length ? sum(crash.map((c) => c.cycles)) : null,
        crash.length ? sum(crash.map((c) => c.durableVerified)) : null,
        crash.length ? sum(crash.map((c) => c.lost + c.wrongValues + c.tornBatches)) : null,
        p('p50'), p('p99'),
        pl ? pl.crashes : null,
        pl ? pl.lost + pl.wrongValues + pl.tornBatches : null,
        co ? co.injected : null,
        o ? o.detected : null,
        o ? o.intact + o['bounded-loss'] : null,
        o ? o['stale-value'] : null,
        o ? o['wrong-value'] + o['other-kverror'] + o.uncaught + o['process-died'] + o.hang : null,
      ]);
    }
  }
  return {
    caption: 'Reliability: SIGKILL crash cycles, simulated power losses and injected corruptions (recovery: the worst of the file\'s crash sections; n/a: not run or not applicable)',
    head: ['engine', 'durability', 'kill cycles', 'durable writes verified', 'lost / wrong / torn', 'recovery p50 ms', 'recovery p99 ms',
      'power losses', 'lost after power loss', 'corruptions', 'detected', 'intact or bounded loss', 'stale value', 'wrong / untyped / died / hang'],
    rows,
    numericFrom: 2,
  };
}
