/**
 * `kvlab matrix`: every engine × workload, each in a fresh data directory (load then run,
 * `--trials` times), one results file per pair in --out, then the HTML report of the whole
 * matrix (reports/html-report.ts `writeHtmlReport`). Not-applicable pairs get a results file
 * saying so (never a zero).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDir, parse, splitEngineList, UsageError } from '../args.js';
import { parseEngineSpec } from '../../engines/registry.js';
import { checkSpec, defaultMatrixEngines, descriptorFor } from '../../harness/engines.js';
import { mergeTrials, runForkedTrial, type WorkloadSpec } from '../../harness/fork.js';
import { HarnessCosts, loopKindOf } from '../../harness/harness-cost.js';
import type { BindingFloorRecord, ResultsFile } from '../../harness/results.js';
import { writeResults } from '../../harness/results.js';
import { isKvError } from '../../engines/errors.js';
import { runBenchmark } from '../../harness/runner.js';
import { formatNs } from '../../harness/status.js';
import { writeHtmlReport } from '../../reports/html-report.js';
import { checkScaleOut, runScaleOut } from '../../harness/clients/coordinator.js';
import { loadWorkload } from '../../harness/workload.js';
import { applyClientProps, COMMON_HELP, COMMON_OPTIONS, commonValues } from './bench.js';

/**
 * Size of the default matrix (properties not given with -p): all embedded persistent engines on
 * A–F. The README's main job runs it with 3 forked trials. Measured idle: one trial at
 * 30000/30000 with a 5 s cap per run phase took 2 min 16 s; three forked trials at 20000/20000
 * with a 2 s cap took 5 min 15 s, 172 s of it measured phases and most of the rest the 138
 * child processes' start (about 0.55 s each to load the engine libraries); hence 15000/15000
 * with a 1 s cap (maxexecutiontime is whole seconds, as in YCSB).
 */
export const DEFAULT_MATRIX_SIZE = { recordcount: 15_000, operationcount: 15_000, maxexecutiontime: 1 };
const ALL_WORKLOADS = ['a', 'b', 'c', 'd', 'e', 'f'];
/** Operations in flight tried for an async engine when --threads is not given (its best is kept and recorded). */
export const THREAD_LADDER = [1, 4, 16];

export const MATRIX_HELP = `usage: kvlab matrix [--engines LIST] [--workloads LIST] [--trials N] [--out DIR] [options]

Runs every engine × workload (load then run, fresh directory per trial), writes one results
file per pair to DIR and then DIR/report.html. Not-applicable pairs are recorded as such.

  --engines LIST          engine specs, comma-separated (options ok: lsm:compaction=tiered,bloomBits=0,btree);
                          ';' also separates. Default: every embedded persistent engine in the registry
  --workloads LIST        a..f or property files (default a,b,c,d,e,f)
  --out DIR               output directory (default results/matrix-<time>)
  --data-dir DIR          where the stores live (default DIR/data; removed after each pair)
  --keep-data             keep each pair's store
  --reuse-data            load into the existing stores in --data-dir instead of fresh ones (implies --keep-data)
  --no-report             skip the HTML report
  --fork / --no-fork      run each trial of each engine in a fresh process, trials interleaved
                          across engines (default), or all in this process, engine after engine
  -p recordcount=A,B,...  a scale series: every engine × workload at each record count (results
                          file per size; the report draws throughput and p99 against record count)
  --threads N             operations in flight for async engines; not given: each async engine runs
                          at its best of ${THREAD_LADDER.join(', ')} (recorded in its results)
  --clients LIST          scale-out cells: every engine × workload with each number of client processes
                          (e.g. 1,2,4,8; load and run each split over them, merged exactly; the report draws
                          throughput against clients); --threads is then per client (default 1, no ladder)
  --clients-own-stores    with --clients: each client its own store (engines one process owns)
${COMMON_HELP}

Default size (when none of these is given with -p): recordcount=${DEFAULT_MATRIX_SIZE.recordcount}, operationcount=${DEFAULT_MATRIX_SIZE.operationcount},
maxexecutiontime=${DEFAULT_MATRIX_SIZE.maxexecutiontime} (seconds per run phase).`;

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.=-]+/g, '_');

/** `recordcount` as a scale series: `100000,1000000` → [100000, 1000000]; absent or one value → [null] (the workload's own). */
export function recordcountList(v: string | undefined): Array<number | null> {
  if (v === undefined || !v.includes(',')) return [null];
  const parts = v.split(',').map((x) => x.trim());
  const out = parts.map((x) => {
    if (!/^\d+$/.test(x) || Number(x) < 1 || !Number.isSafeInteger(Number(x))) throw new UsageError(`matrix: recordcount=${v}: each record count of a scale series must be a positive integer, got '${x}'`);
    return Number(x);
  });
  if (new Set(out).size !== out.length) throw new UsageError(`matrix: recordcount=${v}: a record count appears twice`);
  return out.sort((a, b) => a - b);
}

/** `--clients 1,2,4,8` → [1, 2, 4, 8] (sorted, distinct, positive); absent → null (one process per trial). */
export function clientsList(v: string | undefined): number[] | null {
  if (v === undefined) return null;
  const out = v.split(',').map((x) => x.trim()).map((x) => {
    if (!/^\d+$/.test(x) || Number(x) < 1 || Number(x) > 1024) throw new UsageError(`matrix: --clients ${v}: each client count must be an integer from 1 to 1024, got '${x}'`);
    return Number(x);
  });
  if (new Set(out).size !== out.length) throw new UsageError(`matrix: --clients ${v}: a client count appears twice`);
  return out.sort((a, b) => a - b);
}

/** Renders the matrix's HTML report. */
function writeReport(outDir: string, files: string[], title: string): string {
  const file = path.join(outDir, 'report.html');
  writeHtmlReport(files, file, { title });
  return file;
}

export async function matrixCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    ...COMMON_OPTIONS, engines: { type: 'string', multiple: true }, workloads: { type: 'string', multiple: true },
    out: { type: 'string' }, 'data-dir': { type: 'string' }, 'keep-data': { type: 'boolean' }, 'reuse-data': { type: 'boolean' },
    'no-report': { type: 'boolean' }, fork: { type: 'boolean' }, 'no-fork': { type: 'boolean' },
    clients: { type: 'string' }, 'clients-own-stores': { type: 'boolean' },
  }, 'matrix');
  if (v.help) {
    process.stdout.write(MATRIX_HELP + '\n');
    return 0;
  }
  const c = commonValues(v);
  if (v.fork && v['no-fork']) throw new UsageError('matrix: --fork and --no-fork exclude each other');
  const fork = v['no-fork'] !== true;
  if (!fork && c.memoryLimitBytes !== null) throw new UsageError('matrix: --memory-limit runs each trial in a child process in its own cgroup; drop --no-fork');
  const reuse = v['reuse-data'] === true;
  const keep = reuse || v['keep-data'] === true;
  if (reuse && c.trials > 1) throw new UsageError('matrix: --reuse-data cannot repeat the load phase; use --trials 1');
  const engines = ((v.engines as string[] | undefined) ?? []).flatMap(splitEngineList);
  if (engines.length === 0) engines.push(...defaultMatrixEngines());
  if (engines.length === 0) throw new UsageError('matrix: no engines (the registry has no embedded persistent engine; pass --engines)');
  for (const e of engines) checkSpec(e);
  const clientCounts = clientsList(v.clients as string | undefined);
  const ownStores = v['clients-own-stores'] === true;
  if (ownStores && clientCounts === null) throw new UsageError('matrix: --clients-own-stores needs --clients LIST');
  if (clientCounts !== null) {
    if (!fork) throw new UsageError('matrix: --clients runs every client in its own process; drop --no-fork');
    if (c.memoryLimitBytes !== null) throw new UsageError('matrix: --memory-limit with --clients is not supported (one cgroup per client is not built)');
    if (reuse) throw new UsageError('matrix: --reuse-data with --clients is not supported (each cell loads through its clients)');
    for (const e of engines) checkScaleOut(parseEngineSpec(e).name, Math.max(...clientCounts), ownStores, false);
  }
  const wls = ((v.workloads as string[] | undefined) ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (wls.length === 0) wls.push(...ALL_WORKLOADS);
  const overrides = { ...c.overrides };
  const sized: string[] = [];
  // the default size applies only when the user sized nothing with -p (a sized matrix is not capped)
  if (Object.keys(DEFAULT_MATRIX_SIZE).every((k) => overrides[k] === undefined)) {
    for (const [k, n] of Object.entries(DEFAULT_MATRIX_SIZE)) {
      overrides[k] = String(n);
      sized.push(`${k}=${n}`);
    }
  }
  // a scale series: -p recordcount=100000,1000000 runs every engine × workload at each size
  const sizes = recordcountList(overrides.recordcount);
  const sizeOverrides = sizes.map((n) => (n === null ? overrides : { ...overrides, recordcount: String(n) }));
  const series = wls.flatMap((w) => sizeOverrides.map((o, si) => ({ w, o, size: sizes[si]! })));
  const workloads = series.map((x) => loadWorkload([...c.files, x.w], x.o));
  const cp = applyClientProps(c, workloads[0]!.props);
  if (cp.exportfile !== undefined) throw new UsageError('matrix: exportfile names one file and a matrix writes a result per pair: use `kvlab report --ycsb FILE` on the results');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const outDir = (v.out as string | undefined) ?? path.join('results', `matrix-${stamp}`);
  const dataDir = (v['data-dir'] as string | undefined) ?? path.join(outDir, 'data');
  checkDir(outDir, '--out');
  checkDir(dataDir, '--data-dir');
  const matrixId = `matrix-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  process.stderr.write(
    `matrix: ${engines.length} engine(s) × ${wls.length} workload(s)${sizes.length > 1 ? ` × ${sizes.length} record counts (${sizes.join(', ')})` : ''}${clientCounts ? ` × ${clientCounts.length} client counts (${clientCounts.join(', ')})` : ''}, ${c.trials} trial(s), durability ${c.durability}` +
      `${sized.length ? `, default size ${sized.join(' ')}` : ''} → ${outDir}\n`,
  );
  const harnessCost = v['no-harness-cost'] ? null : new HarnessCosts();
  const files: string[] = [];
  const failed: string[] = [];
  const sizeTag = (wi: number) => (sizes.length > 1 ? `__rc${series[wi]!.size}` : '');
  const clientsTag = (n: number | null) => (n === null ? '' : `__c${n}`);
  const cells = engines.flatMap((engine, ei) => workloads.flatMap((w, wi) => (clientCounts ?? [null]).map((clients) => ({
    engine, ei, w, wi, clients, spec: { files: [...c.files, series[wi]!.w], overrides: series[wi]!.o } as WorkloadSpec,
    dir: path.join(dataDir, `${safe(engine)}__${safe(w.name)}${sizeTag(wi)}${clientsTag(clients)}`),
    kind: descriptorFor(parseEngineSpec(engine).name).kind,
    parts: [] as ResultsFile[], threads: c.threads, ladder: null as Array<{ threads: number; throughput: number }> | null,
    failed: false, partial: null as { code: string; reason: string } | null,
  }))));
  const cellName = (cell: { engine: string; w: { name: string }; wi: number; clients: number | null }) =>
    `${cell.engine} × ${cell.w.name}${sizes.length > 1 ? ` @ ${series[cell.wi]!.size!.toLocaleString('en-US')} records` : ''}${cell.clients === null ? '' : ` × ${cell.clients} client${cell.clients === 1 ? '' : 's'}`}`;
  const matrixMeta = (ei: number, wi: number) => ({ id: matrixId, engineIndex: ei, workloadIndex: wi, engines, workloads: workloads.map((x) => x.name) });
  const notes = harnessCost === null ? ['harness cost not measured (--no-harness-cost)'] : [];
  const optionsOf = (cell: (typeof cells)[number], threads: number) => ({
    command: 'matrix' as const, argv, engine: cell.engine, dir: cell.dir, freshDir: !reuse, durability: c.durability, groupCommitMs: c.groupCommitMs,
    groupCommitBytes: c.groupCommitBytes, seed: c.seed, phases: ['load', 'run'] as Array<'load' | 'run'>, threads, targetOpsPerSec: c.target,
    warmupOps: c.warmup, intervalMs: c.intervalMs, matrix: matrixMeta(cell.ei, cell.wi), notes, opTimeoutMs: c.opTimeoutMs, memoryLimitNotApplied: c.memoryLimitNotApplied,
    statusIntervalMs: cp.statusIntervalS === undefined ? undefined : cp.statusIntervalS * 1000,
  });
  const fail = (cell: (typeof cells)[number], e: unknown) => {
    // one failing pair must not lose the rest of the matrix: report it, go on, exit 1 at the end
    cell.failed = true;
    failed.push(`${cellName(cell)}: ${(e as Error).message.split('\n')[0]}`);
    process.stderr.write(`  ${cellName(cell)}: FAILED: ${(e as Error).message.split('\n')[0]}\n`);
  };
  const runTrial = async (cell: (typeof cells)[number], threads: number): Promise<ResultsFile> => {
    const cost = harnessCost === null ? null : await harnessCost.of(loopKindOf(cell.kind, c.target !== null), cell.kind === 'sync' ? 1 : threads);
    try {
      const job = { options: { ...optionsOf(cell, threads), harnessCost: cost }, workload: cell.spec };
      const r = cell.clients !== null
        ? await runScaleOut({ job, workload: cell.w, clients: cell.clients, agents: null, ownStores, trials: 1, hlogBase: null, freshDir: true })
        : await runForkedTrial(job, { memoryLimitBytes: c.memoryLimitBytes });
      // a partial trial (an op timed out) ends the cell: its measurements are kept and the cell is reported as failed
      if (r.partial) cell.partial = r.partial;
      return r;
    } finally {
      if (!keep) fs.rmSync(cell.dir, { recursive: true, force: true });
    }
  };
  if (fork) {
    // trials interleaved (A B C, A B C, ...): a slow drift of the machine spreads over every engine
    for (let t = 0; t < c.trials; t++) {
      for (const cell of cells) {
        if (cell.failed || cell.partial || (t > 0 && cell.parts[0]?.notApplicable)) continue;
        try {
          if (t === 0 && cell.kind === 'async' && !c.threadsGiven && cell.clients === null) {
            // the fair drive of an async engine: its best throughput from the thread ladder; the best rung is trial 0
            let best: ResultsFile | null = null;
            cell.ladder = [];
            for (const n of THREAD_LADDER) {
              const r = await runTrial(cell, n);
              if (r.notApplicable || r.partial) {
                best = r;
                break;
              }
              const tp = r.phases.find((p) => p.phase === 'run')!.summary.throughput.median;
              cell.ladder.push({ threads: n, throughput: tp });
              if (best === null || tp > best.phases.find((p) => p.phase === 'run')!.summary.throughput.median) best = r;
            }
            cell.threads = best!.harness.threads;
            cell.parts.push(best!);
          } else cell.parts.push(await runTrial(cell, cell.threads));
        } catch (e) {
          // a trial that timed out in a synchronous call or was OOM-killed: the trials before it are kept, marked partial
          if (isKvError(e) && (e.code === 'TIMEOUT' || e.code === 'OUT_OF_MEMORY') && cell.parts.length > 0) cell.partial = { code: e.code, reason: e.message };
          else fail(cell, e);
        }
      }
    }
  } else {
    for (const cell of cells) {
      try {
        const r = await runBenchmark({ ...optionsOf(cell, c.threads), workload: cell.w, trials: c.trials, status: c.status, harnessCost });
        if (r.partial) cell.partial = r.partial;
        cell.parts.push(r);
      } catch (e) {
        fail(cell, e);
      }
      if (!keep) fs.rmSync(cell.dir, { recursive: true, force: true });
    }
  }
  // an async binding's own floor, at each thread count its cells ran with, once per run
  const floors = new Map<string, BindingFloorRecord>();
  for (const cell of cells) {
    const d = descriptorFor(parseEngineSpec(cell.engine).name);
    if (cell.failed || cell.partial || cell.parts.length === 0 || cell.parts[0]!.notApplicable || !d.bindingFloor) continue;
    const threads = cell.threads; // the ladder's pick (forked) or --threads
    const key = `${d.name}/${threads}`;
    if (floors.has(key)) continue;
    const f = await d.bindingFloor(path.join(dataDir, `${safe(d.name)}__floor`), threads);
    floors.set(key, { ...f, measuredAt: new Date().toISOString() });
    process.stderr.write(`  ${d.name} binding floor (${threads} in flight): put ${formatNs(f.putNsPerOp)}, get ${formatNs(f.getNsPerOp)} per call\n`);
  }
  for (const cell of cells) {
    if (cell.failed || cell.parts.length === 0) continue;
    let r = fork ? mergeTrials(cell.parts) : cell.parts[0]!;
    if (cell.partial) r = { ...r, partial: cell.partial };
    const floor = floors.get(`${parseEngineSpec(cell.engine).name}/${cell.threads}`);
    if (floor && !r.notApplicable) r = { ...r, bindingFloor: floor };
    if (cell.ladder && cell.ladder.length > 0) r = { ...r, harness: { ...r.harness, threadsChosen: { by: 'ladder', ladder: cell.ladder } } };
    else if (cell.kind === 'async') r = { ...r, harness: { ...r.harness, threadsChosen: { by: 'given', ladder: [] } } };
    const file = path.join(outDir, `${safe(cell.engine)}__${safe(cell.w.name)}${sizeTag(cell.wi)}${clientsTag(cell.clients)}.json`);
    writeResults(file, r);
    files.push(file);
    const run = r.phases.find((p) => p.phase === 'run');
    if (r.partial) {
      failed.push(`${cellName(cell)}: ${r.partial.reason} (partial results: ${file})`);
      process.stderr.write(`  ${cellName(cell)}: PARTIAL: ${r.partial.reason}\n`);
      continue;
    }
    const line = r.notApplicable
      ? 'not applicable'
      : `${Math.round(run!.summary.throughput.median)} ops/s, p99 ${formatNs(run!.summary.overall.p99.median)}${r.harness.trials > 1 ? ` (median of ${r.harness.trials}${r.harness.forked ? ' forked' : ''} trials)` : ''}${cell.ladder?.length ? `, ${cell.threads} in flight (best of ${cell.ladder.map((l) => l.threads).join('/')})` : ''}`;
    process.stderr.write(`  ${cellName(cell)}: ${line}\n`);
  }
  if (harnessCost) for (const h of await harnessCost.all()) process.stderr.write(`harness cost, ${h.method.split(', workloadc')[0]}: ${h.nsPerOp.toFixed(0)} ns/op\n`);
  if (!keep) {
    try {
      fs.rmdirSync(dataDir); // only when empty: never delete anything the matrix did not create
    } catch {
      /* not empty or absent */
    }
  }
  if (!v['no-report']) {
    const title = `kvlab matrix: ${engines.join(', ')} × ${[...new Set(workloads.map((w) => w.name))].join(', ')}${sizes.length > 1 ? ` at ${sizes.map((n) => n!.toLocaleString('en-US')).join(' / ')} records` : ''}${c.memoryLimitBytes ? `, memory limit ${(c.memoryLimitBytes / 2 ** 20).toFixed(0)} MiB` : ''}, ${c.trials} ${fork ? 'forked ' : ''}trial(s), durability ${c.durability}`;
    process.stderr.write(`report: ${writeReport(outDir, files, title)}\n`);
  }
  process.stdout.write(`${outDir}\n`);
  if (failed.length > 0) {
    process.stderr.write(`matrix: ${failed.length} pair(s) failed:\n${failed.map((f) => `  ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}
