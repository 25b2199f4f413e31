/** `kvlab search --slo 'p99<1ms'`: the highest open-loop rate that meets a latency SLO (harness/slo-steps.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvError } from '../../engines/errors.js';
import { checkSpec, descriptorFor } from '../../harness/engines.js';
import { HarnessCosts, loopKindOf } from '../../harness/harness-cost.js';
import { readSearch, writeSearch, type SearchFile } from '../../harness/search-results.js';
import { DEFAULT_MIN_ACHIEVED } from '../../harness/slo-search.js';
import { runSloSearch } from '../../harness/slo-steps.js';
import { parseSlo } from '../../harness/slo.js';
import { loadWorkload } from '../../harness/workload.js';
import { renderSearchHtml, searchMarkdown, searchSummaryLine } from '../../reports/search.js';
import { checkDir, checkOutFile, intOpt, numOpt, parse, UsageError } from '../args.js';
import { applyClientProps, COMMON_HELP, COMMON_OPTIONS, commonValues } from './bench.js';

/** Defaults of the search (documented in --help and README.md). */
export const SEARCH_DEFAULTS = { startRate: 1000, precisionPct: 5, maxSteps: 12, stepSeconds: 10, cooldownSeconds: 5, warmupSeconds: 1 } as const;

export const SEARCH_HELP = `usage: kvlab search -P WORKLOAD --engine SPEC --slo 'p99<1ms' [--slo ...] [options]
       kvlab search --from SEARCH.json --report OUT.html [--markdown OUT.md]

Finds the highest open-loop rate at which the store meets every SLO clause. The store is loaded
once (or, with --reuse-data, used as found in --dir); then each step is one run phase at a target
rate on that same store (write workloads keep modifying it): doubling from --start-rate while
the SLO holds (halving if the start already fails), then bisecting between the last pass and
the first fail until the bracket is within --precision or --max-steps steps ran. A step passes
when every clause holds on the latency from each op's intended start (coordinated omission
corrected), no operation failed, and the achieved throughput is >= --min-achieved of the target.
Each step runs in a fresh process (as matrix trials; --no-fork: in this one) that opens the store,
runs --warmup-seconds then --step-seconds at the target, and closes it; --cooldown idles between
steps so the OS writes back the previous step's dirty pages and the machine settles.

  --slo CLAUSES           [OP.]p<PCT><|<=<N><UNIT>, comma-separated and/or repeated, all must hold;
                          OP: read, update, insert, scan, readmodifywrite, overall (default);
                          units ns, us, µs, ms, s. e.g. 'p99<1ms', 'read.p99.9<5ms,update.p50<200us'
  --engine SPEC           engine with options (see kvlab engines)
  --dir DIR               the store (default kvlab-data/search-<engine>); must be empty unless --reuse-data
  --reuse-data            search on the store already loaded in --dir (no load phase)
  --start-rate R          first target, ops/s (default ${SEARCH_DEFAULTS.startRate})
  --precision PCT         stop when (fail - pass) / pass <= PCT% (default ${SEARCH_DEFAULTS.precisionPct})
  --max-steps N           at most N steps in all (default ${SEARCH_DEFAULTS.maxSteps})
  --step-seconds S        measured length of each step, whole seconds (default ${SEARCH_DEFAULTS.stepSeconds})
  --warmup-seconds S      run each step's target this long before measuring (default ${SEARCH_DEFAULTS.warmupSeconds}; 0: none)
  --cooldown S            idle seconds between steps (default ${SEARCH_DEFAULTS.cooldownSeconds})
  --min-achieved PCT      a step must achieve PCT% of its target (default ${DEFAULT_MIN_ACHIEVED * 100})
  --out FILE.json         write the search results (harness/README.md: kind kvlab-search)
  --report FILE.html      write the self-contained HTML report (latency vs rate, SLO, knee)
  --markdown FILE.md      write the steps table as Markdown
  --from FILE.json        render --report / --markdown from an earlier search (nothing is run)
  --fork / --no-fork      each step in a fresh process (default) or all in this one
${COMMON_HELP.split('\n').filter((l) => !/^ {2}--(target|trials|warmup) /.test(l)).join('\n')}

example: kvlab search -P workloads/workloada -p recordcount=100000 --engine hashlog --slo 'p99<1ms' --out s.json --report s.html`;

/** A percentage option (`5`, `5%`) as a fraction in (0, max]. */
function pctOpt(raw: string | undefined, name: string, dflt: number, max = 100): number {
  if (raw === undefined) return dflt / 100;
  const n = Number(raw.trim().replace(/%$/, ''));
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${name} must be a percentage in (0, ${max}], got '${raw}'`);
  return n / 100;
}

function secondsOpt(raw: string | undefined, name: string, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number of seconds >= 0, got '${raw}'`);
  return n;
}

function render(s: SearchFile, report: string | undefined, markdown: string | undefined): void {
  if (report !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(report)), { recursive: true });
    fs.writeFileSync(report, renderSearchHtml(s));
    process.stderr.write(`report written to ${report}\n`);
  }
  if (markdown !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(markdown)), { recursive: true });
    fs.writeFileSync(markdown, `${searchMarkdown(s)}\n`);
    process.stderr.write(`markdown written to ${markdown}\n`);
  }
}

/** Runs `kvlab search`. Returns the exit code (usage errors throw UsageError / KvError: exit 2). */
export async function searchCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    ...COMMON_OPTIONS, engine: { type: 'string' }, dir: { type: 'string' }, out: { type: 'string' }, slo: { type: 'string', multiple: true },
    'start-rate': { type: 'string' }, precision: { type: 'string' }, 'max-steps': { type: 'string' }, 'step-seconds': { type: 'string' },
    'warmup-seconds': { type: 'string' }, cooldown: { type: 'string' }, 'min-achieved': { type: 'string' }, report: { type: 'string' },
    markdown: { type: 'string' }, from: { type: 'string' }, 'reuse-data': { type: 'boolean' }, fork: { type: 'boolean' }, 'no-fork': { type: 'boolean' },
  }, 'search');
  if (v.help) {
    process.stdout.write(SEARCH_HELP + '\n');
    return 0;
  }
  const report = v.report as string | undefined;
  const markdown = v.markdown as string | undefined;
  for (const [f, flag] of [[report, '--report'], [markdown, '--markdown'], [v.out as string | undefined, '--out']] as const) if (f !== undefined) checkOutFile(f, flag);
  if (v.from !== undefined) {
    if (report === undefined && markdown === undefined) throw new UsageError('search --from FILE: give --report FILE.html and/or --markdown FILE.md');
    const s = readSearch(v.from as string);
    render(s, report, markdown);
    process.stdout.write(searchSummaryLine(s) + '\n');
    return 0;
  }
  for (const k of ['target', 'trials', 'warmup'] as const)
    if (v[k] !== undefined) throw new UsageError(`search: --${k} is not a search option (the search picks each step's target; one run per step; use --warmup-seconds)`);
  if (v.fork && v['no-fork']) throw new UsageError('search: --fork and --no-fork exclude each other');
  const sloArgs = (v.slo as string[] | undefined) ?? [];
  if (sloArgs.length === 0) throw new UsageError("search: --slo is required, e.g. --slo 'p99<1ms'");
  const clauses = parseSlo(sloArgs);
  const c = commonValues(v);
  const engine = v.engine as string | undefined;
  if (engine === undefined) throw new UsageError('search: --engine is required (see kvlab engines)');
  const spec = checkSpec(engine);
  if (c.files.length === 0 && Object.keys(c.overrides).length === 0) throw new UsageError('search: give a workload with -P (e.g. -P workloads/workloada)');
  if (c.overrides.recordcount?.includes(',')) throw new UsageError('search: one recordcount per search (a list is a scale series: run one search per size)');
  const workload = loadWorkload(c.files, c.overrides);
  applyClientProps(c, workload.props);
  const props = workload.config.proportions;
  const share: Record<string, number> = { READ: props.read, UPDATE: props.update, INSERT: props.insert, SCAN: props.scan, READMODIFYWRITE: props.readmodifywrite };
  for (const cl of clauses)
    if (cl.op !== 'overall' && !(share[cl.op]! > 0)) throw new UsageError(`search: --slo ${cl.text}: ${workload.name} has no ${cl.op} operations (${cl.op.toLowerCase()}proportion=0)`);
  const startRate = numOpt(v['start-rate'] as string | undefined, 'start-rate') ?? SEARCH_DEFAULTS.startRate;
  const precision = pctOpt(v.precision as string | undefined, 'precision', SEARCH_DEFAULTS.precisionPct, 1000);
  const maxSteps = intOpt(v['max-steps'] as string | undefined, 'max-steps') ?? SEARCH_DEFAULTS.maxSteps;
  const stepSeconds = intOpt(v['step-seconds'] as string | undefined, 'step-seconds') ?? SEARCH_DEFAULTS.stepSeconds;
  const warmupSeconds = secondsOpt(v['warmup-seconds'] as string | undefined, 'warmup-seconds', SEARCH_DEFAULTS.warmupSeconds);
  const cooldownSeconds = secondsOpt(v.cooldown as string | undefined, 'cooldown', SEARCH_DEFAULTS.cooldownSeconds);
  const minAchievedFraction = pctOpt(v['min-achieved'] as string | undefined, 'min-achieved', DEFAULT_MIN_ACHIEVED * 100);
  const dir = (v.dir as string | undefined) ?? path.join('kvlab-data', `search-${spec.label.replace(/[^A-Za-z0-9_.=-]+/g, '_')}`);
  const d = descriptorFor(spec.name);
  const reuse = v['reuse-data'] === true;
  if (d.capabilities.persistent || d.role === 'network') {
    if (reuse && !fs.existsSync(dir)) throw new UsageError(`search: --reuse-data: ${dir} does not exist (load it first, or drop --reuse-data)`);
    checkDir(dir, '--dir');
    if (!reuse && fs.readdirSync(dir).length > 0) throw new UsageError(`search: --dir ${dir} is not empty: pass --reuse-data to search on the store in it, or remove it`);
  }
  const fork = v['no-fork'] !== true;
  const cost = v['no-harness-cost'] ? null : await new HarnessCosts().of(loopKindOf(d.kind, true), d.kind === 'sync' ? 1 : c.threads);
  const s = await runSloSearch({
    argv, engine, dir, durability: c.durability, groupCommitMs: c.groupCommitMs, groupCommitBytes: c.groupCommitBytes,
    workload: { files: c.files, overrides: c.overrides }, seed: c.seed, threads: c.threads, clauses,
    search: { startRate, precision, maxSteps, minAchievedFraction }, stepSeconds, cooldownSeconds, warmupSeconds, intervalMs: c.intervalMs,
    fork, reuseData: reuse, harnessCost: cost, memoryLimitBytes: c.memoryLimitBytes, opTimeoutMs: c.opTimeoutMs,
    notes: [...(cost === null ? ['harness cost not measured (--no-harness-cost)'] : []), ...(c.memoryLimitNotApplied ? [c.memoryLimitNotApplied] : [])],
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const out = v.out as string | undefined;
  if (out !== undefined) {
    writeSearch(out, s);
    process.stderr.write(`search results written to ${out}\n`);
  }
  render(s, report, markdown);
  process.stdout.write(`${searchMarkdown(s)}\n`); // its last line is the summary: the highest rate that met the SLO
  if (s.result.stoppedBy === 'aborted') throw new KvError('FAILED', `search stopped: step ${s.steps.length} did not finish: ${s.steps[s.steps.length - 1]!.aborted}`);
  return 0;
}
