/** `kvlab load` and `kvlab run`: one engine, one workload, YCSB-style. */
import * as path from 'node:path';
import type { Durability } from '../../engines/engine.js';
import { DURABILITIES } from '../../engines/engine.js';
import { checkDir, checkOutFile, checkOverrides, intOpt, numOpt, overridesOf, parse, UsageError } from '../args.js';
import { checkSpec, descriptorFor } from '../../harness/engines.js';
import { mergeTrials, runForkedTrial, type WorkloadSpec } from '../../harness/fork.js';
import { HarnessCosts, loopKindOf } from '../../harness/harness-cost.js';
import { writeResults } from '../../harness/results.js';
import { DEFAULT_OP_TIMEOUT_MS, runBenchmark } from '../../harness/runner.js';
import { MemoryCgroup, MIN_MEMORY_LIMIT, parseByteSize } from '../../harness/memory-limit.js';
import { type ErrorCode, KvError } from '../../engines/errors.js';
import type { StatusMode } from '../../harness/status.js';
import { resultsText } from '../../harness/text.js';
import { openTrace } from '../../harness/trace-source.js';
import type { Workload } from '../../harness/workload.js';
import { loadWorkload } from '../../harness/workload.js';
import { clientProps, writeExport, type ClientProps } from '../../harness/client-props.js';
import { checkScaleOut, runScaleOut } from '../../harness/clients/coordinator.js';
import { parseHostPort } from '../../harness/clients/links.js';
import { TRACE_RUN_HELP, TRACE_RUN_OPTIONS, traceReplayOf, twitterWorkload } from './trace.js';

/** Options shared by load, run and matrix. */
export const COMMON_OPTIONS = {
  P: { type: 'string', short: 'P', multiple: true },
  p: { type: 'string', short: 'p', multiple: true },
  durability: { type: 'string' },
  'group-commit-ms': { type: 'string' },
  'group-commit-bytes': { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
  target: { type: 'string' },
  warmup: { type: 'string' },
  interval: { type: 'string' },
  trials: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  s: { type: 'boolean', short: 's' },
  'no-harness-cost': { type: 'boolean' },
  'memory-limit': { type: 'string' },
  'memory-limit-best-effort': { type: 'boolean' },
  'op-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const COMMON_HELP = `  -P FILE                 workload property file (repeatable; a..f = the shipped workloada..f)
  -p KEY=VALUE            property override (repeatable), e.g. -p recordcount=100000
  --durability MODE       none | group | always (default none)
  --group-commit-ms N     group commit window in ms (durability group)
  --group-commit-bytes N  group commit window in bytes (durability group)
  --seed N                seed of the operation stream and values (default 1)
  --threads N, -threads N operations in flight for async engines (sync engines: 1)
  --target N, -target N   open loop at N ops/s; also records intended-start latency
  --warmup N              warm-up operations before the run phase (excluded)
  --interval MS           time-series / status interval (default 1000)
  --trials N              repeat and report median + 95% CI
  --quiet, -q             no status line (it is off anyway when stderr is not a TTY)
  -s                      status line even when stderr is not a TTY (YCSB's -s)
  --no-harness-cost       skip measuring the harness cost with the null engine
  --memory-limit SIZE     run each trial's process in its own memory cgroup of SIZE (e.g. 1GiB, 256M):
                          engine, heap and the page cache it causes; needs root or a delegated cgroup
  --memory-limit-best-effort  where no memory cgroup can be made, run without the limit (results and
                          report say so and why) instead of failing with exit 2
  --op-timeout S          an operation not completed after S seconds fails the run, partial results
                          kept (default ${DEFAULT_OP_TIMEOUT_MS / 1000}; 0: wait forever)`;

/** Parsed common values. */
export interface CommonValues {
  files: string[];
  overrides: Record<string, string>;
  durability: Durability;
  groupCommitMs?: number;
  groupCommitBytes?: number;
  seed: number;
  threads: number;
  target: number | null;
  warmup: number;
  intervalMs: number;
  trials: number;
  status: StatusMode;
  /** Whether --threads was given (the matrix otherwise picks an async engine's best from a ladder). */
  threadsGiven: boolean;
  /** Whether --interval was given (else timeseries.granularity may set it). */
  intervalGiven: boolean;
  /** --memory-limit in bytes, or null. */
  memoryLimitBytes: number | null;
  /** With --memory-limit-best-effort on a machine that cannot make the group: why it was not applied. */
  memoryLimitNotApplied?: string;
  /** --op-timeout in ms. */
  opTimeoutMs: number;
}

/** Parses --op-timeout (seconds, 0 = no bound) into ms. */
function opTimeoutOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_OP_TIMEOUT_MS;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--op-timeout must be a number of seconds >= 0 (0: no bound), got '${raw}'`);
  return n * 1000;
}

/**
 * Parses --memory-limit and proves a group can be made here (one-line NOT_SUPPORTED, exit 2,
 * before any work); with `bestEffort` a machine that cannot make one runs unlimited, and says why.
 */
function memoryLimitOf(raw: string | undefined, bestEffort: boolean): { bytes: number | null; notApplied?: string } {
  if (raw === undefined) {
    if (bestEffort) throw new UsageError('--memory-limit-best-effort needs --memory-limit SIZE');
    return { bytes: null };
  }
  const n = parseByteSize(raw);
  if (n === undefined) throw new UsageError(`--memory-limit must be a size such as 1GiB, 512M or 1073741824, got '${raw}'`);
  if (n < MIN_MEMORY_LIMIT) throw new UsageError(`--memory-limit must be at least ${MIN_MEMORY_LIMIT >> 20} MiB (Node itself needs about that much), got '${raw}'`);
  try {
    MemoryCgroup.create(n).destroy();
  } catch (e) {
    if (!bestEffort || !(e instanceof KvError && e.code === 'NOT_SUPPORTED')) throw e;
    const why = `--memory-limit ${raw} was not applied: ${e.message.replace(/^--memory-limit: /, '')}`;
    process.stderr.write(`kvlab: warning: ${why}; running without a memory limit\n`);
    return { bytes: null, notApplied: why };
  }
  return { bytes: n };
}

/**
 * Applies YCSB's client properties of `props` (harness/client-props.ts) where no flag was given:
 * threadcount, target, timeseries.granularity; returns them (exportfile, status.interval, ...).
 */
export function applyClientProps(c: CommonValues, props: Record<string, string>): ClientProps {
  const cp = clientProps(props);
  if (!c.threadsGiven && cp.threadcount !== undefined) Object.assign(c, { threads: cp.threadcount, threadsGiven: true });
  if (c.target === null && cp.target !== undefined) c.target = cp.target;
  if (!c.intervalGiven && cp.granularityMs !== undefined) c.intervalMs = cp.granularityMs;
  return cp;
}

/** Validates the common options (UsageError on any mistake). */
export function commonValues(v: Record<string, unknown>): CommonValues {
  const d = (v.durability as string | undefined) ?? 'none';
  if (!(DURABILITIES as readonly string[]).includes(d)) throw new UsageError(`--durability must be one of ${DURABILITIES.join(', ')}, got '${d}'`);
  const overrides = overridesOf(v.p as string[] | undefined);
  checkOverrides(overrides);
  const seedRaw = v.seed as string | undefined;
  if (seedRaw !== undefined && !/^-?\d+$/.test(seedRaw)) throw new UsageError(`--seed must be an integer, got '${seedRaw}'`);
  const status: StatusMode = v.quiet === true ? 'off' : v.s === true ? 'on' : 'auto';
  const limit = memoryLimitOf(v['memory-limit'] as string | undefined, v['memory-limit-best-effort'] === true);
  return {
    files: (v.P as string[] | undefined) ?? [],
    overrides,
    durability: d as Durability,
    groupCommitMs: numOpt(v['group-commit-ms'] as string | undefined, 'group-commit-ms'),
    groupCommitBytes: intOpt(v['group-commit-bytes'] as string | undefined, 'group-commit-bytes'),
    seed: seedRaw === undefined ? 1 : Number(seedRaw),
    threads: intOpt(v.threads as string | undefined, 'threads') ?? 1,
    target: numOpt(v.target as string | undefined, 'target') ?? null,
    warmup: intOpt(v.warmup as string | undefined, 'warmup', 0) ?? 0,
    intervalMs: numOpt(v.interval as string | undefined, 'interval') ?? 1000,
    trials: intOpt(v.trials as string | undefined, 'trials') ?? 1,
    status,
    threadsGiven: v.threads !== undefined,
    intervalGiven: v.interval !== undefined,
    memoryLimitBytes: limit.bytes,
    ...(limit.notApplied ? { memoryLimitNotApplied: limit.notApplied } : {}),
    opTimeoutMs: opTimeoutOf(v['op-timeout'] as string | undefined),
  };
}

export const BENCH_HELP = (cmd: 'load' | 'run') => `usage: kvlab ${cmd} -P WORKLOAD --engine SPEC [options]

${cmd === 'load' ? 'Loads recordcount records (insertstart/insertcount) into the store in --dir.' : 'Runs operationcount operations (or maxexecutiontime) against the store in --dir,\nas loaded by an earlier `kvlab load` with the same properties.'}

  --engine SPEC           engine name with options, e.g. lsm:compaction=tiered (see kvlab engines)
  --dir DIR               data directory (default kvlab-data/<engine>)
  --out FILE              write the results JSON (harness/RESULTS.md)
${TRACE_RUN_HELP}
  --record-trace FILE     (run) record the run phase's operations to a trace file
  --fork / --no-fork      with --trials N: each trial in a fresh process (default), or all in this one
  --clients N             run N client processes together (one barrier start) and merge them exactly:
                          load splits the keys (insertstart/insertcount), run splits operationcount and
                          --target, each client with its own seed; with --agents: N per agent (default 1)
  --agents H:P,H:P,...    run the clients on other hosts, each running \`kvlab agent --listen H:P\`
                          (network stores only); clock offsets are measured at the barrier
  --clients-own-stores    every client gets its own store (<dir>/client-<i>): for engines one process owns
  --raw-latencies DIR     (with --clients) each client also writes every service time, unbinned, to
                          DIR/client-<i>.f64 (ns, float64 little-endian): to check the merged histogram
${COMMON_HELP}

example: kvlab ${cmd} -P workloads/workloada -p recordcount=100000 --engine hashlog --durability none --seed 1 --out results/x.json`;

/** The scale-out settings of `kvlab load|run` (--clients, --agents, --clients-own-stores), or null for one process; usage errors before any work. */
function scaleOutOf(v: Record<string, unknown>, cmd: string, engine: string, memoryLimit: boolean, trace: boolean): { clients: number; agents: string[] | null; ownStores: boolean } | null {
  const ownStores = v['clients-own-stores'] === true;
  if (v.clients === undefined && v.agents === undefined) {
    if (ownStores) throw new UsageError(`${cmd}: --clients-own-stores needs --clients N or --agents`);
    if (v['raw-latencies'] !== undefined) throw new UsageError(`${cmd}: --raw-latencies is written by scale-out clients: add --clients N`);
    return null;
  }
  const clients = intOpt(v.clients as string | undefined, 'clients') ?? 1;
  let agents: string[] | null = null;
  if (v.agents !== undefined) {
    agents = (v.agents as string).split(',').map((a) => a.trim());
    for (const a of agents) {
      try {
        parseHostPort(a, '--agents entry');
      } catch (e) {
        throw new UsageError(`${cmd}: ${(e as Error).message}`);
      }
    }
  }
  if (v['no-fork'] === true) throw new UsageError(`${cmd}: --clients / --agents run every client in its own process; drop --no-fork`);
  if (memoryLimit) throw new UsageError(`${cmd}: --memory-limit with --clients / --agents is not supported (one cgroup per client is not built)`);
  if (trace) throw new UsageError(`${cmd}: --trace / --record-trace replay or record one stream; they do not split over --clients / --agents`);
  checkScaleOut(engine, clients * (agents?.length ?? 1), ownStores, agents !== null);
  return { clients, agents, ownStores };
}

/** Runs `kvlab load|run`. Returns the exit code. */
export async function benchCommand(cmd: 'load' | 'run', argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    ...COMMON_OPTIONS, engine: { type: 'string' }, dir: { type: 'string' }, out: { type: 'string' },
    trace: { type: 'string' }, ...TRACE_RUN_OPTIONS, 'record-trace': { type: 'string' }, fork: { type: 'boolean' }, 'no-fork': { type: 'boolean' },
    clients: { type: 'string' }, agents: { type: 'string' }, 'clients-own-stores': { type: 'boolean' }, 'raw-latencies': { type: 'string' },
  }, cmd);
  if (v.help) {
    process.stdout.write(BENCH_HELP(cmd) + '\n');
    return 0;
  }
  const c = commonValues(v);
  const engine = v.engine as string | undefined;
  if (engine === undefined) throw new UsageError(`${cmd}: --engine is required (see kvlab engines)`);
  const spec = checkSpec(engine);
  const trace = v.trace as string | undefined;
  const recordTrace = v['record-trace'] as string | undefined;
  let workload: Workload;
  let seed = c.seed;
  const traceReplay = traceReplayOf(v, cmd);
  if (trace !== undefined && traceReplay?.format === 'twitter') {
    if (c.files.length > 0 || Object.keys(c.overrides).length > 0)
      throw new UsageError(`${cmd}: --trace replays the trace's own operations, keys and value sizes; drop -P and -p`);
    if (recordTrace !== undefined) throw new UsageError(`${cmd}: --trace and --record-trace exclude each other`);
    workload = twitterWorkload(trace);
  } else if (trace !== undefined) {
    if (c.files.length > 0 || Object.keys(c.overrides).length > 0 || v.seed !== undefined)
      throw new UsageError(`${cmd}: --trace replays the trace's own workload and seed; drop -P, -p and --seed`);
    if (recordTrace !== undefined) throw new UsageError(`${cmd}: --trace and --record-trace exclude each other`);
    const r = openTrace(trace);
    const props = r.header.props;
    seed = r.header.seed;
    r.close();
    workload = { ...loadWorkload([], props), name: `trace:${path.basename(trace)}` };
  } else {
    if (c.files.length === 0 && Object.keys(c.overrides).length === 0) throw new UsageError(`${cmd}: give a workload with -P (e.g. -P workloads/workloada)`);
    if (c.overrides.recordcount?.includes(',')) throw new UsageError(`${cmd}: recordcount=${c.overrides.recordcount}: a list of record counts is a scale series, which kvlab matrix runs (one load and run per size)`);
    workload = loadWorkload(c.files, c.overrides);
  }
  const dir = (v.dir as string | undefined) ?? path.join('kvlab-data', spec.label.replace(/[^A-Za-z0-9_.=-]+/g, '_'));
  // where results and data go is checked before any work: a benchmark's results are never lost at the end
  if (v.out !== undefined) checkOutFile(v.out as string);
  const d = descriptorFor(spec.name);
  if (d.capabilities.persistent || d.role === 'network') checkDir(dir, '--dir');
  const cp = applyClientProps(c, workload.props);
  const harnessCost = v['no-harness-cost'] ? null : new HarnessCosts();
  if (v.fork && v['no-fork']) throw new UsageError(`${cmd}: --fork and --no-fork exclude each other`);
  if (c.memoryLimitBytes !== null && v['no-fork']) throw new UsageError(`${cmd}: --memory-limit runs the engine in a child process in its own cgroup; drop --no-fork`);
  const fork = (c.trials > 1 || c.memoryLimitBytes !== null) && v['no-fork'] !== true;
  if (fork && cmd === 'run' && traceReplay?.preload === 'first-write') throw new UsageError(`${cmd}: --trace-preload first-write loads in the run's own process: use --trials 1 without --memory-limit, or kvlab load --trace first`);
  if (fork && recordTrace !== undefined) throw new UsageError(`${cmd}: --record-trace records one trial: use --trials 1 or --no-fork`);
  const options = {
    command: cmd, argv, engine, dir, freshDir: false, durability: c.durability,
    groupCommitMs: c.groupCommitMs, groupCommitBytes: c.groupCommitBytes, seed,
    // a twitter run with a preload loads every key first, in the same process
    phases: cmd === 'run' && traceReplay?.preload === 'first-write' ? ['load', 'run'] as Array<'load' | 'run'> : [cmd],
    threads: c.threads, targetOpsPerSec: c.target, warmupOps: c.warmup, intervalMs: c.intervalMs, matrix: null,
    statusIntervalMs: cp.statusIntervalS === undefined ? undefined : cp.statusIntervalS * 1000,
    notes: [
      ...(harnessCost === null ? ['harness cost not measured (--no-harness-cost)'] : []),
      ...(traceReplay?.format === 'twitter' ? ['twitter trace replay: workload.properties are placeholders; every operation, key and value size comes from the trace (workload.traceReplay)'] : []),
    ],
    trace: trace ?? null,
    traceReplay,
    recordTrace: cmd === 'run' ? recordTrace ?? null : null,
    opTimeoutMs: c.opTimeoutMs,
    memoryLimitNotApplied: c.memoryLimitNotApplied,
  };
  const scale = scaleOutOf(v, cmd, spec.name, c.memoryLimitBytes !== null, trace !== undefined || recordTrace !== undefined);
  let results;
  if (scale !== null) {
    const kind = d.kind;
    const cost = harnessCost === null ? null : await harnessCost.of(loopKindOf(kind, c.target !== null), kind === 'sync' ? 1 : c.threads);
    results = await runScaleOut({
      job: { options: { ...options, phases: [cmd], harnessCost: cost }, workload: { files: c.files, overrides: c.overrides } },
      workload, clients: scale.clients, agents: scale.agents, ownStores: scale.ownStores, trials: c.trials,
      hlogBase: v.out === undefined ? null : (v.out as string).replace(/\.json$/, ''),
      rawLatenciesDir: (v['raw-latencies'] as string | undefined) === undefined ? null : path.resolve(v['raw-latencies'] as string),
    });
  } else if (fork) {
    // each trial in a fresh process on the same store (as YCSB's repeated runs)
    const kind = descriptorFor(spec.name).kind;
    const cost = harnessCost === null ? null : await harnessCost.of(loopKindOf(kind, c.target !== null), kind === 'sync' ? 1 : c.threads);
    const ws: WorkloadSpec = trace !== undefined ? { files: [], overrides: workload.props, name: workload.name } : { files: c.files, overrides: c.overrides };
    const parts = [];
    let ended: KvError | undefined;
    for (let t = 0; t < c.trials; t++) {
      let r;
      try {
        r = await runForkedTrial({ options: { ...options, phases: [cmd], harnessCost: cost }, workload: ws }, { memoryLimitBytes: c.memoryLimitBytes });
      } catch (e) {
        // a trial that timed out in a synchronous call or was OOM-killed: the trials before it are kept, marked partial
        if (!(e instanceof KvError && (e.code === 'TIMEOUT' || e.code === 'OUT_OF_MEMORY') && parts.length > 0)) throw e;
        ended = e;
        break;
      }
      parts.push(r);
      if (r.partial) break;
    }
    results = mergeTrials(parts);
    if (ended) results = { ...results, partial: { code: ended.code, reason: ended.message } };
  } else results = await runBenchmark({ ...options, workload, trials: c.trials, status: c.status, harnessCost });
  process.stdout.write(resultsText(results) + '\n');
  writeExport(results, cp);
  const out = v.out as string | undefined;
  if (out !== undefined) {
    writeResults(out, results);
    process.stderr.write(`results written to ${out}${results.partial ? ' (partial)' : ''}\n`);
  }
  // the partial's own code (TIMEOUT, OUT_OF_MEMORY, or the failed engine's first error, e.g. IO); never an exit 2 for a run that measured
  if (results.partial) throw new KvError(results.partial.code === 'INVALID_ARGUMENT' || results.partial.code === 'NOT_SUPPORTED' ? 'FAILED' : (results.partial.code as ErrorCode), results.partial.reason);
  return 0;
}
