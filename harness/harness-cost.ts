/**
 * Measures the harness's own cost per operation: the null engine (which does nothing) driven
 * through the full sync loop on workload C (100% reads, zipfian) with raw values and latency
 * recording on. Every results file carries the figure, so no result is the harness's speed in
 * disguise.
 */
import { openAny } from './engines.js';
import { runSyncLoop } from './driver.js';
import { isSyncEngine } from './phase.js';
import type { HarnessCost } from './results.js';
import { loadWorkload, workloadStreams } from './workload.js';

/** Runs `operations` null-engine operations (best of `repeats` runs) and returns the cost. */
export async function measureHarnessCost(operations = 200_000, repeats = 3): Promise<HarnessCost> {
  const w = loadWorkload(['c'], { recordcount: '100000', operationcount: String(operations), valuemode: 'raw' });
  const e = await openAny('null', { dir: '', durability: 'none' });
  if (!isSyncEngine(e)) throw new Error('null engine must be synchronous');
  const measuredAt = new Date().toISOString();
  let best = Infinity;
  try {
    for (let r = 0; r < repeats; r++) {
      const { source, codec } = workloadStreams(w, 1 + r);
      const res = runSyncLoop(e, {
        phase: 'run', source, codec, limit: operations, maxExecutionMs: 0, targetOpsPerSec: null, intervalMs: 1000,
        verify: false, readBeforeUpdate: false, threads: 1,
      });
      best = Math.min(best, (res.durationMs * 1e6) / res.operations);
    }
  } finally {
    e.close();
  }
  return {
    nsPerOp: best, opsPerSec: 1e9 / best, operations, measuredAt,
    method: `null engine, workloadc (zipfian reads), raw values, latency recording on, best of ${repeats} × ${operations} ops`,
  };
}
