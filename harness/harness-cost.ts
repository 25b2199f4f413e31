/**
 * The harness's own cost per operation, for each loop it drives engines with: the null engine
 * (which does nothing) through the full loop on workload C (100% zipfian reads) with raw values
 * and latency recording on. `sync` is the plain loop of synchronous engines; `async` drives the
 * null engine behind promises (each call resolves at once, as a binding's would at best) with
 * `threads` operations in flight; `open-sync` / `open-async` are the open loops (intended-start
 * latency recorded too) at a rate far above what they reach, so they never wait and only their
 * bookkeeping is timed. Every results file carries the cost of the loop it used, so no result is
 * the harness's speed in disguise.
 */
import type { AsyncEngine, Engine } from '../engines/engine.js';
import { openAny } from './engines.js';
import { runAsyncLoop, runSyncLoop, type LoopSpec } from './driver.js';
import { isSyncEngine } from './phase.js';
import type { HarnessCost, LoopKind } from './results.js';
import { loadWorkload, workloadStreams } from './workload.js';

/** The loop a result uses: sync or async by the engine's kind, open when a target rate is set. */
export function loopKindOf(engineKind: 'sync' | 'async', open: boolean): LoopKind {
  return open ? (engineKind === 'sync' ? 'open-sync' : 'open-async') : engineKind;
}

/** An open-loop rate no loop reaches here, so the open loops' cost is their bookkeeping alone. */
const UNREACHED_RATE = 1e9;

/** The null engine behind promises: the cheapest async engine there can be. */
function asyncView(e: Engine): AsyncEngine {
  return {
    info: { ...e.info, kind: 'async' },
    get: async (k: Uint8Array) => e.get(k),
    put: async (k: Uint8Array, v: Uint8Array) => e.put(k, v),
    scan: async (k: Uint8Array, n: number) => e.scan(k, n),
  } as unknown as AsyncEngine;
}

/**
 * Measures one loop's cost: `operations` null-engine operations, best of `repeats` runs (the
 * least-disturbed one: the cost is a floor the harness cannot go under).
 */
export async function measureHarnessCost(operations = 200_000, repeats = 3, loop: LoopKind = 'sync', threads = 1): Promise<HarnessCost> {
  const w = loadWorkload(['c'], { recordcount: '100000', operationcount: String(operations), valuemode: 'raw' });
  const e = await openAny('null', { dir: '', durability: 'none' });
  if (!isSyncEngine(e)) throw new Error('null engine must be synchronous');
  const open = loop === 'open-sync' || loop === 'open-async';
  const inFlight = loop === 'async' || loop === 'open-async' ? Math.max(1, threads) : 1;
  const measuredAt = new Date().toISOString();
  let best = Infinity;
  try {
    for (let r = 0; r < repeats; r++) {
      const { source, codec } = workloadStreams(w, 1 + r);
      const spec: LoopSpec = {
        phase: 'run', source, codec, limit: operations, maxExecutionMs: 0, targetOpsPerSec: open ? UNREACHED_RATE : null,
        intervalMs: 1000, verify: false, readBeforeUpdate: false, threads: inFlight,
      };
      const res = loop === 'sync' || loop === 'open-sync' ? runSyncLoop(e, spec) : await runAsyncLoop(asyncView(e), spec);
      best = Math.min(best, (res.durationMs * 1e6) / res.operations);
    }
  } finally {
    e.close();
  }
  const how = loop === 'sync' ? 'sync loop' : loop === 'open-sync' ? 'open sync loop' : `behind promises, ${open ? 'open ' : ''}async loop, ${inFlight} in flight`;
  return {
    nsPerOp: best, opsPerSec: 1e9 / best, operations, measuredAt, loop, ...(inFlight > 1 || !isSync(loop) ? { threads: inFlight } : {}),
    method: `null engine, ${how}, workloadc (zipfian reads), raw values, latency recording on, best of ${repeats} × ${operations} ops`,
  };
}

const isSync = (l: LoopKind): boolean => l === 'sync' || l === 'open-sync';

/** Measures each loop (and thread count) once per process and hands the same figure to every result that used it. */
export class HarnessCosts {
  private readonly cache = new Map<string, Promise<HarnessCost>>();
  constructor(private readonly operations = 200_000, private readonly repeats = 3) {}

  /** The cost of `loop` at `threads` (measured on first use). */
  of(loop: LoopKind, threads = 1): Promise<HarnessCost> {
    const key = `${loop}/${isSync(loop) ? 1 : threads}`;
    let p = this.cache.get(key);
    if (!p) this.cache.set(key, (p = measureHarnessCost(this.operations, this.repeats, loop, threads)));
    return p;
  }

  /** Every cost measured so far. */
  async all(): Promise<HarnessCost[]> {
    return Promise.all(this.cache.values());
  }
}
