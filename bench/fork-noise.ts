/**
 * bench/fork-noise: is a forked trial less noisy than an in-process one? The same engines ×
 * workloads, `--trials N` forked (a fresh process per trial, interleaved) and `--trials N
 * --no-fork` (one process, engine after engine), alternated `--rounds` times; prints each pair's
 * run-throughput median and the relative width of its 95% CI (ci95 high − low over the median).
 *
 * Run: `npx tsc -p . ; ../shared/tools/quiet -- node dist/bench/fork-noise.js [--engines hashlog,lsm]
 * [--workloads a,c] [--trials 5] [--rounds 1] [-p k=v ...]` (default recordcount=operationcount=50000).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults } from '../harness/results.js';
import { median } from '../harness/stats.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const engines = arg('engines', 'hashlog,lsm');
const workloads = arg('workloads', 'a,c');
const trials = arg('trials', '5');
const rounds = Number(arg('rounds', '1'));
const props: string[] = [];
for (let i = 0; i < process.argv.length; i++) if (process.argv[i] === '-p') props.push('-p', process.argv[i + 1]!);
if (props.length === 0) props.push('-p', 'recordcount=50000', '-p', 'operationcount=50000');
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

const widths: Record<string, { forked: number[]; inProcess: number[]; medF: number[]; medI: number[] }> = {};
for (let r = 0; r < rounds; r++)
  for (const mode of ['forked', 'inProcess'] as const) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-noise-'));
    const res = spawnSync(process.execPath, [cli, 'matrix', '--engines', engines, '--workloads', workloads, '--trials', trials, ...props, '--out', out, '--no-report', '-q', ...(mode === 'inProcess' ? ['--no-fork'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (res.status !== 0) throw new Error(`matrix (${mode}) exited ${res.status}`);
    for (const f of fs.readdirSync(out).filter((x) => x.endsWith('.json'))) {
      const rf = readResults(path.join(out, f));
      const run = rf.phases.find((p) => p.phase === 'run');
      if (!run) continue;
      const s = run.summary.throughput;
      const w = (widths[`${rf.engine.label} × ${rf.workload.name}`] ??= { forked: [], inProcess: [], medF: [], medI: [] });
      w[mode].push(s.ci95 ? (s.ci95[1] - s.ci95[0]) / s.median : NaN);
      (mode === 'forked' ? w.medF : w.medI).push(s.median);
    }
    fs.rmSync(out, { recursive: true, force: true });
  }
process.stdout.write(`run throughput, ${trials} trials each, ${rounds} round(s), ${props.filter((x) => x !== '-p').join(' ')}: CI95 width / median\n\n`);
process.stdout.write('| engine × workload | forked: median ops/s | forked: CI95 width | in-process: median ops/s | in-process: CI95 width |\n|---|---|---|---|---|\n');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
for (const [k, w] of Object.entries(widths))
  process.stdout.write(`| ${k} | ${median(w.medF).toFixed(0)} | ${pct(median(w.forked))} | ${median(w.medI).toFixed(0)} | ${pct(median(w.inProcess))} |\n`);
