/**
 * The forked-trial child (harness/fork.ts): runs one trial of one engine × workload in this fresh
 * process and writes its results file. Usage: `node dist/harness/trial-child.js JOB.json`.
 * A failure is printed as one JSON line `{"kvError":{code,message}}` on stderr, exit 1.
 */
import * as fs from 'node:fs';
import { isKvError } from '../engines/errors.js';
import type { TrialJob } from './fork.js';
import { writeResults } from './results.js';
import { runBenchmark } from './runner.js';
import { loadWorkload } from './workload.js';

async function main(): Promise<number> {
  const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as TrialJob;
  const w = loadWorkload(job.workload.files, job.workload.overrides);
  const workload = job.workload.name ? { ...w, name: job.workload.name } : w;
  const r = await runBenchmark({ ...job.options, workload, trials: 1, status: 'off' });
  writeResults(job.out, r);
  return 0;
}

main().then(
  (code) => {
    // an engine that stopped answering (a timed-out op) may hold handles open forever: the results are written, so end
    process.exit(code);
  },
  (e: unknown) => {
    const code = isKvError(e) ? e.code : 'INTERNAL';
    const message = e instanceof Error ? e.message.split('\n')[0]!.slice(0, 500) : String(e);
    process.stderr.write(`${JSON.stringify({ kvError: { code, message } })}\n`);
    process.exit(1);
  },
);
