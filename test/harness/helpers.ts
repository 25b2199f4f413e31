/** Shared helpers for the harness tests: a small benchmark on any engine, CLI capture. */
import { vi } from 'vitest';
import { main } from '../../cli/main.js';
import type { BenchmarkOptions } from '../../harness/runner.js';
import { runBenchmark } from '../../harness/runner.js';
import type { ResultsFile } from '../../harness/results.js';
import { loadWorkload } from '../../harness/workload.js';

/** Runs load+run (or the given phases) of a small workload on `engine` in `dir`. */
export async function smallBench(engine: string, dir: string, over: Partial<BenchmarkOptions> & { props?: Record<string, string>; workload?: string } = {}): Promise<ResultsFile> {
  const { props, workload, ...rest } = over;
  return runBenchmark({
    command: 'load', argv: [], engine, dir, freshDir: true, durability: 'none', workload: loadWorkload([workload ?? 'a'], { recordcount: '300', operationcount: '600', ...props }),
    seed: 7, phases: ['load', 'run'], trials: 1, threads: 1, targetOpsPerSec: null, warmupOps: 0, intervalMs: 50, status: 'off',
    harnessCost: null, matrix: null, ...rest,
  });
}

/** Runs the CLI in-process; returns its exit code and what it wrote to stdout and stderr. */
export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
