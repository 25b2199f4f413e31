/**
 * A run-phase INSERT is acknowledged to the key chooser whether it succeeded or failed, as
 * YCSB's CoreWorkload.doTransactionInsert does (acknowledge in `finally`): otherwise, under
 * workload D's `latest` distribution, one failed insert would stop the window from moving.
 * Checked for the sync closed loop, the sync open loop and the async loop.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { emptyStats } from '../../engines/engine.js';
import { KvError } from '../../engines/errors.js';
import { runAsyncLoop, runSyncLoop, type LoopSpec } from '../../harness/driver.js';
import type { OpSlot, OpSource, ValueCodec } from '../../harness/source.js';

/** Inserts only; records every acknowledged keynum. */
function inserts(): { source: OpSource; acked: number[] } {
  const acked: number[] = [];
  let next = 0;
  const source: OpSource = {
    nextLoad: () => false,
    nextRun(op: OpSlot) {
      op.type = 'INSERT';
      op.keynum = next++;
      op.key = Buffer.from(`user${op.keynum}`);
      op.readField = -1;
      op.writeField = -1;
    },
    acknowledge: (k) => acked.push(k),
  };
  return { source, acked };
}

const codec: ValueCodec = { insertValue: () => new Uint8Array(8), updateValue: () => new Uint8Array(8), verify: () => true };
const fail = () => new KvError('IO', 'injected insert failure');

function spec(source: OpSource, target: number | null): LoopSpec {
  return { phase: 'run', source, codec, limit: 40, maxExecutionMs: 0, targetOpsPerSec: target, intervalMs: 1000, verify: false, readBeforeUpdate: false, threads: 1 };
}

/** Every third put fails. */
function flakyEngine(): Engine {
  let calls = 0;
  const put = () => {
    if (++calls % 3 === 0) throw fail();
  };
  return { info: { kind: 'sync' }, put, write: put, stats: () => emptyStats() } as unknown as Engine;
}

describe('run-phase INSERT acknowledgement (YCSB: in finally)', () => {
  for (const target of [null, 20_000]) {
    it(`sync ${target === null ? 'closed' : 'open'} loop: failed inserts are acknowledged too`, () => {
      const { source, acked } = inserts();
      const r = runSyncLoop(flakyEngine(), spec(source, target));
      expect(r.measurement.done).toBe(40);
      expect(acked).toEqual(Array.from({ length: 40 }, (_, i) => i));
    });
  }

  it('async loop: failed inserts are acknowledged too', async () => {
    const { source, acked } = inserts();
    let calls = 0;
    const put = async () => {
      if (++calls % 3 === 0) throw fail();
    };
    const e = { info: { kind: 'async' }, put, write: put, stats: async () => emptyStats() };
    await runAsyncLoop(e as never, { ...spec(source, null), threads: 2 });
    expect([...acked].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
