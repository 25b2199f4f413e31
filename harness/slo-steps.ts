/**
 * `kvlab search` as the harness runs it: the store is loaded once (or reused), then each step of
 * the search (harness/slo-search.ts) is one open-loop run phase at its target rate on that same
 * store, run through the normal paths: a forked trial (harness/fork.ts runForkedTrial: a fresh
 * process per step, as matrix runs trials) or, with `fork: false`, runBenchmark in this process.
 * Either way the engine is opened on the store in `dir` at the start of a step and closed at its
 * end, so the data persists across steps (write workloads keep modifying it, step after step)
 * while no JIT, heap or cache state of one step's process reaches the next. A store that does
 * not outlive its process (the in-memory `map`) is loaded again in every step.
 *
 * The cool-down between steps is idle: it lets the OS write back the previous step's dirty
 * pages, a network server finish its background work, and the machine's load settle, so a step
 * does not pay for its predecessor. Latency is always the intended-start latency.
 */
import type { Durability } from '../engines/engine.js';
import { KvError } from '../engines/errors.js';
import { descriptorFor } from './engines.js';
import { runForkedTrial, type WorkloadSpec } from './fork.js';
import { notApplicable, runBenchmark, type BenchmarkOptions } from './runner.js';
import type { HarnessCost, PhaseTrial, ResultsFile } from './results.js';
import { parseEngineSpec } from '../engines/registry.js';
import { SEARCH_KIND, SEARCH_SCHEMA_VERSION, validateSearch, type SearchFile, type SearchStepRecord } from './search-results.js';
import { judgeTrial, type SloClause } from './slo.js';
import { KNEE_FACTOR, kneeOf, searchRate, type SearchSettings, type SearchStep, type StepMeasure } from './slo-search.js';
import { formatNs } from './status.js';
import { loadWorkload } from './workload.js';

/** Everything one search needs (the CLI's parsed flags). */
export interface SloSearchOptions {
  argv: string[];
  engine: string;
  dir: string;
  durability: Durability;
  groupCommitMs?: number;
  groupCommitBytes?: number;
  workload: WorkloadSpec;
  seed: number;
  threads: number;
  clauses: SloClause[];
  search: Required<Pick<SearchSettings, 'startRate' | 'precision' | 'maxSteps' | 'minAchievedFraction'>>;
  stepSeconds: number;
  cooldownSeconds: number;
  /** Seconds of each step run at its target before measuring (excluded). */
  warmupSeconds: number;
  intervalMs: number;
  fork: boolean;
  /** Search on the store already in `dir` instead of loading it. */
  reuseData: boolean;
  harnessCost: HarnessCost | null;
  memoryLimitBytes: number | null;
  opTimeoutMs: number;
  notes: string[];
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** Sleeps `ms` (the cool-down); injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

const KNEE_DEFINITION = `the lowest tried rate at which the first clause's percentile is at least ${KNEE_FACTOR}x its value at the lowest tried rate`;

function stepLatency(t: PhaseTrial): SearchStepRecord['latency'] {
  const out: SearchStepRecord['latency'] = {};
  const put = (k: string, h: PhaseTrial['overall']['intendedLatency']) => {
    if (h) out[k] = { count: h.count, max: h.max, percentiles: h.percentiles };
  };
  for (const [op, r] of Object.entries(t.ops)) put(op, r!.intendedLatency);
  put('overall', t.overall.intendedLatency);
  return out;
}

/** A one-line account of a judged step (the progress line). */
export function stepLine(s: Pick<SearchStep, 'index' | 'stage' | 'target' | 'achieved' | 'clauses' | 'pass' | 'reasons'>): string {
  const pct = s.target > 0 ? Math.round((100 * s.achieved) / s.target) : 0;
  const clauses = s.clauses.map((c) => `${c.text} ${formatNs(c.measuredNs)} ${c.pass ? 'ok' : 'FAIL'}`).join(' · ');
  const other = s.reasons.filter((r) => !s.clauses.some((c) => r.startsWith(`${c.text}:`)));
  return `search step ${s.index + 1} (${s.stage}): target ${Math.round(s.target)} ops/s, achieved ${Math.round(s.achieved)} (${pct}%) · ${clauses} → ${s.pass ? 'PASS' : 'FAIL'}${other.length ? ` (${other.join('; ')})` : ''}`;
}

/** Runs the search and returns the validated search file (not yet written). */
export async function runSloSearch(o: SloSearchOptions): Promise<SearchFile> {
  const startedAt = new Date().toISOString();
  const spec = parseEngineSpec(o.engine);
  const d = descriptorFor(spec.name);
  const w = loadWorkload(o.workload.files, o.workload.overrides);
  const na = notApplicable(d.capabilities, w, ['run'], spec.label);
  if (na !== null) throw new KvError('NOT_SUPPORTED', `search: ${na.reason}`);
  const reload = !(d.capabilities.persistent || d.role === 'network');
  const notes = [...o.notes, `every step runs these properties with operationcount=0 and maxexecutiontime=${o.stepSeconds} (its length), at its target rate`];
  if (reload) notes.push(`${spec.name} does not outlive its process: every step loads it again (its load is not measured)`);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const stepOverrides = { ...o.workload.overrides, operationcount: '0', maxexecutiontime: String(o.stepSeconds) };
  const base = {
    argv: o.argv, engine: o.engine, dir: o.dir, freshDir: false, durability: o.durability,
    groupCommitMs: o.groupCommitMs, groupCommitBytes: o.groupCommitBytes, seed: o.seed, threads: o.threads,
    intervalMs: o.intervalMs, matrix: null, notes: o.harnessCost === null ? ['harness cost not measured'] : [], opTimeoutMs: o.opTimeoutMs,
  };
  const runOne = async (phases: Array<'load' | 'run'>, target: number | null, overrides: Record<string, string>): Promise<ResultsFile> => {
    const options: Omit<BenchmarkOptions, 'workload' | 'harnessCost' | 'trials' | 'status'> & { harnessCost: HarnessCost | null } = {
      ...base, command: phases.includes('run') ? 'run' : 'load', phases, targetOpsPerSec: target,
      warmupOps: target === null ? 0 : Math.round(target * o.warmupSeconds), harnessCost: o.harnessCost,
    };
    if (o.fork) return runForkedTrial({ options, workload: { files: o.workload.files, overrides } }, { memoryLimitBytes: o.memoryLimitBytes });
    return runBenchmark({ ...options, workload: loadWorkload(o.workload.files, overrides), trials: 1, status: 'off' });
  };

  let first: ResultsFile | null = null;
  let load: SearchFile['load'] = null;
  if (!o.reuseData && !reload) {
    o.log(`search: loading ${w.config.insertcount} records into ${spec.label} (${o.dir})`);
    const r = await runOne(['load'], null, o.workload.overrides);
    if (r.partial) throw new KvError(r.partial.code === 'TIMEOUT' ? 'TIMEOUT' : 'FAILED', `search: the load did not finish: ${r.partial.reason}`);
    const t = r.phases[0]!.trials[0]!;
    load = { operations: t.operations, durationMs: t.durationMs, throughput: t.throughput };
    first = r;
  }
  const records: Array<Omit<SearchStepRecord, keyof StepMeasure | 'index' | 'stage' | 'target' | 'keptUp' | 'pass' | 'reasons'>> = [];
  const outcome = await searchRate(o.search, async (target): Promise<StepMeasure> => {
    const at = new Date().toISOString();
    let r: ResultsFile;
    try {
      r = await runOne(reload ? ['load', 'run'] : ['run'], target, stepOverrides);
    } catch (e) {
      // a forked step that timed out inside a synchronous call or was OOM-killed: the step is recorded, the search ends
      if (!(e instanceof KvError && (e.code === 'TIMEOUT' || e.code === 'OUT_OF_MEMORY'))) throw e;
      records.push({ startedAt: at, operations: 0, durationMs: 0, latency: {} });
      return { achieved: 0, failures: 0, clauses: o.clauses.map((c) => ({ text: c.text, measuredNs: null, pass: false })), aborted: `${e.code}: ${e.message}` };
    }
    first ??= r;
    const t = r.phases.find((p) => p.phase === 'run')!.trials[0]!;
    const failures = Object.values(t.ops).reduce((a, x) => a + x!.failures, 0);
    records.push({ startedAt: t.startedAt, operations: t.operations, durationMs: t.durationMs, latency: stepLatency(t), results: r, ...(t.machine ? { machineBusy: t.machine.busy } : {}) });
    return { achieved: t.throughput, failures, clauses: judgeTrial(o.clauses, t), ...(r.partial ? { aborted: r.partial.reason } : {}) };
  }, {
    between: o.cooldownSeconds > 0 ? () => sleep(o.cooldownSeconds * 1000) : undefined,
    onStep: (s) => o.log(stepLine(s)),
  });
  if (first === null) throw new KvError('FAILED', 'search: no step completed, nothing was measured');
  const f: ResultsFile = first;
  const steps: SearchStepRecord[] = outcome.steps.map((s, i) => ({
    index: s.index, stage: s.stage, target: s.target, achieved: s.achieved, failures: s.failures, keptUp: s.keptUp,
    clauses: s.clauses, pass: s.pass, reasons: s.reasons, ...(s.aborted !== undefined ? { aborted: s.aborted } : {}), ...records[i]!,
  }));
  if (steps.some((s) => s.machineBusy)) notes.push('the machine was busy (other processes or steal) during at least one step: its latency may be the neighbours\' (machineBusy)');
  const knee = kneeOf(outcome.steps);
  const file: SearchFile = {
    schemaVersion: SEARCH_SCHEMA_VERSION, kind: SEARCH_KIND,
    run: { id: f.run.id, argv: o.argv, startedAt, finishedAt: new Date().toISOString() },
    slo: { clauses: o.clauses.map((c) => ({ ...c })) },
    engine: f.engine, workload: { ...f.workload, properties: w.props },
    harness: {
      stepSeconds: o.stepSeconds, cooldownSeconds: o.cooldownSeconds, warmupSeconds: o.warmupSeconds,
      ...o.search, threads: f.harness.threads, forked: o.fork, reloadEachStep: reload, loaded: load !== null,
      latency: 'intended', memoryLimitBytes: o.memoryLimitBytes,
    },
    environment: f.environment, harnessCost: o.harnessCost, load, steps,
    result: { highestPassingRate: outcome.highestPassingRate, bracket: outcome.bracket, converged: outcome.converged, stoppedBy: outcome.stoppedBy },
    knee: { definition: KNEE_DEFINITION, clause: knee.clause, factor: knee.factor, rate: knee.rate, valueNs: knee.valueNs, baselineNs: knee.baselineNs },
    notes: [...new Set([...notes, ...steps.flatMap((s) => s.results?.notes ?? [])])],
  };
  return validateSearch(file, 'search results');
}
