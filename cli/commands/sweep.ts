/**
 * `kvlab sweep`: one engine over a grid of parameter values (any engine option, `recordcount`
 * too), each point loaded and run with the usual forked, interleaved trials by the matrix
 * (cli/commands/matrix.ts), one results file per point, then `sweep.json` (reports/sweep/
 * manifest.ts), `sweep.md` and `report.html`: every metric against the parameter with the cost
 * models (reports/cost-models) drawn over the points.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDir, parse, UsageError } from '../args.js';
import { parseEngineSpec, resolveOptions } from '../../engines/open.js';
import { checkSpec, descriptorFor } from '../../harness/engines.js';
import { readResults, type ResultsFile } from '../../harness/results.js';
import { resultsFilesIn } from '../../reports/load.js';
import { readSweepManifest, SWEEP_MANIFEST_VERSION, writeSweepManifest, type SweepManifest, type SweepParameter, type SweepPoint } from '../../reports/sweep/manifest.js';
import { renderSweepMarkdown, renderSweepReport, sweepWarnings, type SweepPointResult } from '../../reports/sweep/report.js';
import { COMMON_HELP, COMMON_OPTIONS, commonValues } from './bench.js';
import { matrixCommand } from './matrix.js';

export const SWEEP_HELP = `usage: kvlab sweep --engine SPEC --vary NAME=V1,V2,... [--vary ...] -P WORKLOAD [options] --out DIR
       kvlab sweep --render DIR

Runs one engine at every point of a grid (several --vary: their product), each point loaded and
run --trials times in a fresh directory (forked, trials interleaved across points, as kvlab
matrix does), one results file per point in DIR, then DIR/sweep.json (the grid), DIR/sweep.md and
DIR/report.html: throughput, p50/p99 per operation type, write/read/space amplification, bloom
false-positive rate, zero-result lookup cost, memory per key against the first varied parameter,
with the cost models drawn over the points and their residuals (measured / predicted). A point
that disagrees with its model beyond the model's stated factor is named at the top of the report.

  --engine SPEC           the engine and its fixed options (e.g. lsm or lsm:compaction=tiered)
  --vary NAME=V1,V2,...   an engine option of SPEC's engine (kvlab engines lists them) or recordcount;
                          repeat for a grid; the first is the charts' x axis
  -P FILE                 the workload (required; repeatable, later files override earlier ones)
  --out DIR               output directory (default results/sweep-<time>)
  --data-dir DIR          where the stores live (default DIR/data; removed after each point)
  --keep-data             keep each point's store
  --no-report             skip sweep.md and report.html (sweep.json is always written)
  --render DIR            only (re)write DIR's sweep.md and report.html from its sweep.json and results
${COMMON_HELP}

Example (bloom filters against 50% zero-result gets):
  kvlab sweep --engine lsm --vary bloomBits=0,2,4,6,8,10,12,16 -P workloads/workloadc \\
    -p recordcount=1000000 -p operationcount=1000000 -p requestdistribution=uniform \\
    -p missingreadproportion=0.5 --trials 2 --out results/bloom`;

/** Parses `NAME=V1,V2,...` into a parameter of `engine`'s grid. UsageError for a malformed one, an unknown name or a bad value. */
export function parseVary(text: string, engine: string): SweepParameter {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`sweep: --vary ${text}: want NAME=V1,V2,... (e.g. bloomBits=0,4,8)`);
  const name = text.slice(0, eq).trim();
  const values = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`sweep: --vary ${text}: an empty value`);
  if (new Set(values).size !== values.length) throw new UsageError(`sweep: --vary ${text}: a value appears twice`);
  if (name === 'recordcount') {
    for (const v of values) if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`sweep: --vary ${text}: a record count must be a positive integer, got '${v}'`);
    return { name, kind: 'recordcount', values };
  }
  const d = descriptorFor(engine);
  if (!(name in d.options)) {
    const known = Object.keys(d.options);
    throw new UsageError(`sweep: --vary ${name}: not an option of engine ${engine} (its options: ${known.length ? known.join(', ') : 'none'}; or recordcount)`);
  }
  for (const v of values) {
    try {
      resolveOptions(d, { [name]: v });
    } catch (e) {
      throw new UsageError(`sweep: --vary ${name}=${v}: ${(e as Error).message}`);
    }
  }
  return { name, kind: 'engine-option', values };
}

/** The grid's points (the product of the parameters' values, the first parameter varying slowest) with each point's engine spec. */
export function gridPoints(base: string, params: readonly SweepParameter[]): SweepPoint[] {
  let combos: Array<Record<string, string>> = [{}];
  for (const q of params) combos = combos.flatMap((c) => q.values.map((v) => ({ ...c, [q.name]: v })));
  const spec = parseEngineSpec(base);
  return combos.map((values) => {
    const options = { ...spec.options };
    for (const q of params) if (q.kind === 'engine-option') options[q.name] = values[q.name]!;
    const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`);
    const rc = params.find((q) => q.kind === 'recordcount');
    return { values, engineSpec: opts.length ? `${spec.name}:${opts.join(',')}` : spec.name, recordcount: rc ? Number(values[rc.name]) : null, file: null };
  });
}

/** Whether results file `r` is point `p` (its resolved engine settings and record count). */
function isPoint(r: ResultsFile, p: SweepPoint, params: readonly SweepParameter[], engine: string): boolean {
  if (r.engine.name !== engine) return false;
  const d = descriptorFor(engine);
  return params.every((q) => {
    if (q.kind === 'recordcount') return r.workload.properties.recordcount === p.values[q.name];
    const want = resolveOptions(d, { [q.name]: p.values[q.name]! })[q.name];
    return String(r.engine.settings[q.name]) === String(want);
  });
}

/** The arguments for the matrix that runs the grid: the common options as given, the points as engines, the record counts as a scale series. */
function matrixArgv(v: Record<string, unknown>, points: readonly SweepPoint[], params: readonly SweepParameter[], outDir: string): string[] {
  const files = v.P as string[];
  const out: string[] = [];
  for (const [k, spec] of Object.entries(COMMON_OPTIONS)) {
    const x = v[k];
    if (x === undefined || k === 'help' || k === 'P') continue;
    const flag = k.length === 1 ? `-${k}` : `--${k}`;
    if (spec.type === 'boolean') {
      if (x === true) out.push(flag);
    } else for (const s of Array.isArray(x) ? x : [x]) out.push(flag, String(s));
  }
  for (const f of files.slice(0, -1)) out.push('-P', f);
  out.push('--workloads', files[files.length - 1]!);
  for (const spec of [...new Set(points.map((p) => p.engineSpec))]) out.push('--engines', spec);
  const rc = params.find((q) => q.kind === 'recordcount');
  if (rc) out.push('-p', `recordcount=${rc.values.join(',')}`);
  out.push('--out', outDir, '--no-report');
  if (v['data-dir'] !== undefined) out.push('--data-dir', String(v['data-dir']));
  if (v['keep-data']) out.push('--keep-data');
  return out;
}

/** Reads each point's results file named in the manifest. */
function pointResults(dir: string, m: SweepManifest): SweepPointResult[] {
  return m.points.map((point) => ({ point, results: point.file === null ? null : readResults(path.join(dir, point.file)) }));
}

/** Writes sweep.md and report.html; returns the report's path. */
function render(dir: string, m: SweepManifest): string {
  const pts = pointResults(dir, m);
  fs.writeFileSync(path.join(dir, 'sweep.md'), renderSweepMarkdown(m, pts));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, renderSweepReport(m, pts));
  for (const w of sweepWarnings(m, pts)) process.stderr.write(`  warning: ${w}\n`);
  return file;
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    ...COMMON_OPTIONS, engine: { type: 'string' }, vary: { type: 'string', multiple: true }, out: { type: 'string' },
    'data-dir': { type: 'string' }, 'keep-data': { type: 'boolean' }, 'no-report': { type: 'boolean' }, render: { type: 'string' },
  }, 'sweep');
  if (v.help) {
    process.stdout.write(SWEEP_HELP + '\n');
    return 0;
  }
  if (v.render !== undefined) {
    const dir = String(v.render);
    const { manifest } = readSweepManifest(dir);
    process.stderr.write(`report: ${render(dir, manifest)}\n`);
    return 0;
  }
  const engine = v.engine as string | undefined;
  if (engine === undefined) throw new UsageError('sweep: --engine SPEC is required (e.g. --engine lsm)');
  if (engine.includes(';')) throw new UsageError('sweep: --engine names one engine (a sweep varies its options; kvlab matrix compares engines)');
  const spec = checkSpec(engine);
  const varies = (v.vary as string[] | undefined) ?? [];
  if (varies.length === 0) throw new UsageError('sweep: at least one --vary NAME=V1,V2,... is required');
  const params = varies.map((t) => parseVary(t, spec.name));
  const names = params.map((q) => q.name);
  if (new Set(names).size !== names.length) throw new UsageError(`sweep: --vary names a parameter twice (${names.join(', ')})`);
  for (const q of params) if (q.kind === 'engine-option' && q.name in spec.options) throw new UsageError(`sweep: --vary ${q.name}: --engine ${engine} already fixes it`);
  const files = (v.P as string[] | undefined) ?? [];
  if (files.length === 0) throw new UsageError('sweep: -P WORKLOAD is required (e.g. -P workloads/workloadc)');
  const overrides = ((v.p as string[] | undefined) ?? []).map((s) => s.split('=')[0]!.trim());
  if (params.some((q) => q.kind === 'recordcount') && overrides.includes('recordcount')) throw new UsageError('sweep: recordcount is varied (--vary recordcount=...); drop -p recordcount');
  const points = gridPoints(engine, params);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const outDir = (v.out as string | undefined) ?? path.join('results', `sweep-${stamp}`);
  checkDir(outDir, '--out');
  const { trials } = commonValues(v);
  process.stderr.write(`sweep: ${spec.name} over ${params.map((q) => `${q.name} ∈ {${q.values.join(', ')}}`).join(' × ')}: ${points.length} point(s) → ${outDir}\n`);
  const code = await matrixCommand(matrixArgv(v, points, params, outDir));
  // each point's results file, found by what it ran (its resolved settings and record count)
  const results = resultsFilesIn([outDir]).map((f) => ({ f, r: readResults(f) }));
  for (const p of points) {
    const hit = results.find(({ r }) => isPoint(r, p, params, spec.name));
    p.file = hit ? path.relative(outDir, hit.f) : null;
  }
  const manifest: SweepManifest = {
    kind: 'kvlab-sweep', version: SWEEP_MANIFEST_VERSION, createdAt: new Date().toISOString(), argv, engine, workloadFiles: files,
    parameters: params, points, trials,
  };
  process.stderr.write(`sweep: ${writeSweepManifest(outDir, manifest)}\n`);
  if (!v['no-report']) process.stderr.write(`report: ${render(outDir, manifest)}\n`);
  const missing = points.filter((p) => p.file === null);
  if (missing.length > 0) process.stderr.write(`sweep: ${missing.length} point(s) without results\n`);
  return code !== 0 || missing.length > 0 ? 1 : 0;
}
