/**
 * Open loop (--target) and coordinated omission: with a target rate each op is due at
 * start + i/target; a stall delays every later op, and the intended-start latency records that
 * wait while the service time does not (wrk2 / YCSB `intended`).
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { emptyStats } from '../../engines/engine.js';
import { runAsyncLoop, runSyncLoop } from '../../harness/driver.js';
import { lowestEquivalent } from '../../harness/histogram.js';
import type { LoopSpec } from '../../harness/driver.js';
import type { OpSlot, OpSource, ValueCodec } from '../../harness/source.js';

const STALL_MS = 40;

/** A sync engine whose get busy-waits STALL_MS on the call number `stallAt`. */
function stallingEngine(stallAt: number): Engine {
  let calls = 0;
  const e = {
    info: { kind: 'sync' },
    get(): Uint8Array | undefined {
      if (++calls === stallAt) {
        const until = performance.now() + STALL_MS;
        while (performance.now() < until);
      }
      return new Uint8Array(4);
    },
    stats: () => emptyStats(),
  };
  return e as unknown as Engine;
}

const readsOnly: OpSource = {
  nextLoad: () => false,
  nextRun(op: OpSlot) {
    op.type = 'READ';
    op.keynum = 1;
    op.key = Buffer.from('k1');
    op.readField = -1;
    op.writeField = -1;
  },
  acknowledge() {},
};
const codec: ValueCodec = { insertValue: () => new Uint8Array(1), updateValue: () => new Uint8Array(1), verify: () => true };

function spec(ops: number, target: number | null): LoopSpec {
  return {
    phase: 'run', source: readsOnly, codec, limit: ops, maxExecutionMs: 0, targetOpsPerSec: target, intervalMs: 20,
    verify: false, readBeforeUpdate: false, threads: 1,
  };
}

describe('open loop with intended-start latency', () => {
  it('charges a stall to every op queued behind it (intended), not to their service time', () => {
    const target = 1000; // one op per ms
    const r = runSyncLoop(stallingEngine(10), spec(60, target));
    const m = r.measurement;
    expect(m.done).toBe(60);
    const service = m.latency[0]!;
    const intended = m.intended![0]!;
    expect(intended.count).toBe(service.count);
    // the stalled op itself took >= STALL_MS of service time; at most it and no other
    expect(service.valueAtPercentile(100)).toBeGreaterThanOrEqual(STALL_MS * 1e6 * 0.999);
    expect(service.valueAtPercentile(90)).toBeLessThan(STALL_MS * 1e6 * 0.5);
    // ops due during the stall waited for it: many intended latencies exceed half the stall
    let late = 0;
    const c = intended.counts;
    for (let i = 0; i < c.length; i++) if (c[i]! > 0 && lowestEquivalent(i) > STALL_MS * 1e6 * 0.5) late += c[i]!;
    expect(late).toBeGreaterThanOrEqual(10);
    // pointwise intended >= service, so every percentile dominates
    for (const p of [50, 90, 99, 100]) expect(intended.valueAtPercentile(p)).toBeGreaterThanOrEqual(service.valueAtPercentile(p));
    // ops never start before they are due: 60 ops at 1000/s span at least 59 ms
    expect(r.durationMs).toBeGreaterThanOrEqual(59);
  });

  it('a closed loop records no intended latency', () => {
    const r = runSyncLoop(stallingEngine(-1), spec(50, null));
    expect(r.measurement.intended).toBeNull();
    expect(r.measurement.done).toBe(50);
  });

  it('the async driver keeps the same accounting with several ops in flight', async () => {
    let calls = 0;
    const asyncEngine = {
      info: { kind: 'async' },
      async get() {
        calls++;
        await new Promise((res) => setTimeout(res, calls === 5 ? STALL_MS : 0));
        return new Uint8Array(2);
      },
    };
    const r = await runAsyncLoop(asyncEngine as never, { ...spec(40, 2000), threads: 4 });
    const m = r.measurement;
    expect(m.done).toBe(40);
    expect(m.intended![0]!.count).toBe(40);
    for (const p of [50, 99, 100]) expect(m.intended![0]!.valueAtPercentile(p)).toBeGreaterThanOrEqual(m.latency[0]!.valueAtPercentile(p));
  });

  it('the async open loop charges a stall to the intended latency of every op due during it', async () => {
    // one op in flight, one op due per ms; op 10 stalls STALL_MS: ops 11.. were due during the
    // stall, so each waits for it, and its intended latency (from its due time) shows the wait
    let calls = 0;
    const asyncEngine = {
      info: { kind: 'async' },
      async get() {
        if (++calls === 10) await new Promise((res) => setTimeout(res, STALL_MS));
        return new Uint8Array(2);
      },
    };
    const r = await runAsyncLoop(asyncEngine as never, spec(60, 1000));
    const m = r.measurement;
    expect(m.done).toBe(60);
    const service = m.latency[0]!;
    const intended = m.intended![0]!;
    // only the stalled op has a long service time
    expect(service.valueAtPercentile(100)).toBeGreaterThanOrEqual(STALL_MS * 1e6 * 0.9);
    let longService = 0;
    let late = 0;
    const sc = service.counts;
    const ic = intended.counts;
    for (let i = 0; i < sc.length; i++) if (sc[i]! > 0 && lowestEquivalent(i) > STALL_MS * 1e6 * 0.25) longService += sc[i]!;
    for (let i = 0; i < ic.length; i++) if (ic[i]! > 0 && lowestEquivalent(i) > STALL_MS * 1e6 * 0.25) late += ic[i]!;
    expect(longService).toBe(1);
    // ops due in the first three quarters of the stall waited more than a quarter of it: >= 25 of them
    expect(late).toBeGreaterThanOrEqual(25);
    for (const p of [50, 90, 99, 100]) expect(intended.valueAtPercentile(p)).toBeGreaterThanOrEqual(service.valueAtPercentile(p));
  });
});
