/**
 * Trials as separate processes (`--fork`, the default for `matrix` and `--trials`): each trial of
 * each engine runs in a fresh Node process (harness/trial-child.ts), so no JIT, GC or allocator
 * state of one engine or trial reaches the next; the parent merges the trials of a pair into one
 * results file ({@link mergeTrials}), exactly as an in-process run with that many trials would
 * look, with `harness.forked: true` and each trial's pid and machine load.
 *
 * A child reports a failure as one JSON line on stderr (`{"kvError":{code,message}}`), rethrown
 * here as the same KvError, so a bad option in a forked run is still a one-line usage error.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvError, type ErrorCode } from '../engines/errors.js';
import type { HarnessCost, PhaseResult, ResultsFile } from './results.js';
import { readResults, validateResults } from './results.js';
import type { BenchmarkOptions } from './runner.js';
import { summarize } from './summary.js';
import { MEMORY_CGROUP_ENV, MemoryCgroup } from './memory-limit.js';
import { TRIAL_CHILD_ENV } from './watchdog.js';

/** A workload as the child rebuilds it: -P files and -p overrides (and a display name for traces). */
export interface WorkloadSpec {
  files: string[];
  overrides: Record<string, string>;
  name?: string;
}

/** One trial for a child: the benchmark options with the workload as a spec and a measured harness cost. */
export interface TrialJob {
  options: Omit<BenchmarkOptions, 'workload' | 'harnessCost' | 'trials' | 'status'> & { harnessCost: HarnessCost | null };
  workload: WorkloadSpec;
  /** Where the child writes its results file. */
  out: string;
}

const here = fileURLToPath(import.meta.url);
/** The child entry point (the built one, also when this module runs from source under vitest). */
function childScript(): string {
  if (here.endsWith('.ts')) return path.join(path.dirname(here), '..', 'dist', 'harness', 'trial-child.js');
  return path.join(path.dirname(here), 'trial-child.js');
}

/** How a trial child runs. */
export interface ForkOptions {
  /** Run the child in its own memory cgroup with this limit (bytes; harness/memory-limit.ts). */
  memoryLimitBytes?: number | null;
}

/**
 * Runs one trial in a fresh process; resolves its (validated) results file. A result with
 * `partial` (an operation timed out) is returned as it is: the caller reports it. A child the
 * kernel OOM-killed under the memory limit is OUT_OF_MEMORY; one that timed out in a synchronous
 * call (the watchdog ends the process) is TIMEOUT.
 */
export async function runForkedTrial(job: Omit<TrialJob, 'out'>, fo: ForkOptions = {}): Promise<ResultsFile> {
  // the group is made first: a machine that cannot make one fails before any work
  const cg = fo.memoryLimitBytes ? MemoryCgroup.create(fo.memoryLimitBytes) : null;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-trial-'));
  const out = path.join(tmp, 'r.json');
  const jobFile = path.join(tmp, 'job.json');
  fs.writeFileSync(jobFile, JSON.stringify({ ...job, out } satisfies TrialJob));
  try {
    const { code, signal, errLine } = await new Promise<{ code: number | null; signal: string | null; errLine: string }>((resolve, reject) => {
      const [file, args] = cg ? cg.wrap(process.execPath, [childScript(), jobFile]) : [process.execPath, [childScript(), jobFile]];
      const env = { ...process.env, [TRIAL_CHILD_ENV]: '1', ...(cg ? { [MEMORY_CGROUP_ENV]: cg.envValue } : {}) };
      const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'pipe'], env });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        const s = d.toString();
        err = (err + s).slice(-4000);
        if (!s.includes('{"kvError"')) process.stderr.write(s); // status lines pass through
      });
      child.on('error', reject);
      child.on('close', (c, s) => resolve({ code: c, signal: s, errLine: err.split('\n').reverse().find((l) => l.startsWith('{"kvError"')) ?? err.trim().split('\n').slice(-3).join(' | ') }));
    });
    if (code === 0) return readResults(out);
    const u = cg?.usage();
    if (cg && u && (u.oomKills ?? 0) > 0)
      throw new KvError('OUT_OF_MEMORY', `the trial process was killed by the kernel's OOM killer under --memory-limit ${cg.limitBytes} bytes (peak ${u.peakBytes} bytes): the engine's own memory (heap, caches, memtables) does not fit; raise the limit or shrink the engine's caches`);
    try {
      const e = (JSON.parse(errLine) as { kvError: { code: ErrorCode; message: string } }).kvError;
      throw new KvError(e.code, e.message);
    } catch (e) {
      if (e instanceof KvError) throw e;
      throw new KvError('IO', `trial child ${signal ? `killed by ${signal}` : `exited with ${code}`}: ${errLine.slice(0, 300)}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    cg?.destroy();
  }
}

/**
 * Merges single-trial results of one engine × workload (in trial order) into one results file:
 * trials renumbered 0..n-1, summaries recomputed, `harness.trials` = n, `harness.forked` = true.
 * A not-applicable pair stays one not-applicable file.
 */
export function mergeTrials(parts: readonly ResultsFile[]): ResultsFile {
  if (parts.length === 0) throw new KvError('INVALID_ARGUMENT', 'mergeTrials: no trials');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (first.notApplicable !== null) return { ...first, harness: { ...first.harness, forked: true } };
  const phases: PhaseResult[] = first.phases.map((p) => {
    const trials = parts.map((r, t) => {
      const ph = r.phases.find((x) => x.phase === p.phase);
      if (!ph || ph.trials.length !== 1) throw new KvError('INVALID_ARGUMENT', `mergeTrials: trial ${t} has no single ${p.phase} trial`);
      return { ...ph.trials[0]!, trial: t };
    });
    return { phase: p.phase, trials, summary: summarize(trials) };
  });
  const notes = [...new Set(parts.flatMap((r) => r.notes))];
  const partial = parts.find((r) => r.partial)?.partial;
  return validateResults({
    ...first,
    run: { ...first.run, finishedAt: last.run.finishedAt },
    harness: { ...first.harness, trials: parts.length, forked: true },
    phases, notes, ...(partial ? { partial } : {}),
  }, 'merged trials');
}
