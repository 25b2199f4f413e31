/**
 * Test fixtures for reports: results files produced by the real harness (runBenchmark on small
 * workloads, `map` and `hashlog` engines, 3 trials), written with the harness's writeResults.
 * Variants (a hostile label, a single trial, scaled throughput for comparisons) are derived
 * from real files and re-summarised with the harness's own `summarize`, then validated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureHarnessCost } from '../../harness/harness-cost.js';
import { validateResults, writeResults, type ResultsFile } from '../../harness/results.js';
import { runBenchmark } from '../../harness/runner.js';
import { summarize } from '../../harness/summary.js';
import { loadWorkload } from '../../harness/workload.js';

/** The string every escaping test uses. */
export const HOSTILE = '</script><script>alert(1)</script>';

let cost: Awaited<ReturnType<typeof measureHarnessCost>> | null = null;

/** Runs one small benchmark cell with the real harness. */
export async function realResults(engine: string, workload: string, trials = 3, seed = 7): Promise<ResultsFile> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-reports-fx-'));
  try {
    const w = loadWorkload([workload], { recordcount: '2000', operationcount: '6000' });
    return await runBenchmark({
      command: 'matrix', argv: ['matrix', '-e', engine, '-w', workload], engine, dir: path.join(dir, 'data'), freshDir: true,
      durability: 'none', workload: w, seed, phases: ['load', 'run'], trials, threads: 1, targetOpsPerSec: null,
      warmupOps: 200, intervalMs: 20, status: 'off', harnessCost: (cost ??= await measureHarnessCost(20_000, 1)), matrix: null,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A deep copy whose run-phase trials have exactly these throughputs (one per trial; re-summarised, validated). */
export function withRunThroughputs(r: ResultsFile, values: readonly number[]): ResultsFile {
  const c = structuredClone(r);
  for (const p of c.phases) {
    if (p.phase !== 'run') continue;
    if (values.length !== p.trials.length) throw new Error(`want ${p.trials.length} values`);
    p.trials.forEach((t, i) => {
      t.throughput = values[i]!;
      t.durationMs = (t.operations / values[i]!) * 1000;
    });
    p.summary = summarize(p.trials);
  }
  return validateResults(c, 'withRunThroughputs');
}

/** A copy keeping only the first `n` trials of each phase (re-summarised, validated). */
export function firstTrials(r: ResultsFile, n: number): ResultsFile {
  const c = structuredClone(r);
  c.harness.trials = n;
  for (const p of c.phases) {
    p.trials = p.trials.slice(0, n);
    p.summary = summarize(p.trials);
  }
  return validateResults(c, 'firstTrials');
}

/** A copy whose every free-text field a report shows carries {@link HOSTILE}. */
export function hostile(r: ResultsFile): ResultsFile {
  const c = structuredClone(r);
  c.engine.label = HOSTILE;
  c.engine.design = HOSTILE;
  c.engine.settings = { [HOSTILE]: HOSTILE };
  c.workload.properties = { ...c.workload.properties, [HOSTILE]: HOSTILE };
  c.environment.hostname = HOSTILE;
  c.environment.filesystem.dir = HOSTILE;
  c.notes = [...c.notes, HOSTILE];
  c.run.argv = [...c.run.argv, '--out', HOSTILE];
  return validateResults(c, 'hostile');
}

/** The shared fixture set: a 2-engine × 2-workload matrix (workloade n/a for hashlog) plus a hostile-label cell. */
export interface FixtureSet {
  dir: string;
  files: string[];
  results: ResultsFile[];
}

/** Generates the fixture set into a fresh temp directory (remove it with `fs.rmSync(set.dir)`). */
export async function matrixFixtures(): Promise<FixtureSet> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-reports-'));
  const results = [
    await realResults('map', 'workloada'),
    await realResults('hashlog', 'workloada'),
    await realResults('map', 'workloade'),
    await realResults('hashlog', 'workloade'),
  ];
  results.push(hostile(results[0]!));
  const files = results.map((r, i) => {
    const f = path.join(dir, `cell-${i}.json`);
    writeResults(f, r);
    return f;
  });
  return { dir, files, results };
}
