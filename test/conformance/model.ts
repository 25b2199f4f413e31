/**
 * Model-based conformance: random histories of put/get/delete/batch/scan/sync/reopen run
 * against each engine and the in-memory oracle; every read must agree. fast-check prints the
 * failing seed and a shrunk history. Gated by capabilities (scan only with orderedScan,
 * reopen only when persistent). Size: KVLAB_CONFORMANCE_RUNS runs (default 40) of 20 to 200 ops (uniform: size max).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyEngine, BatchOp } from '../../engines/engine.js';
import { Oracle } from '../support/oracle.js';
import { openTarget, outlivesClose, type ConformanceTarget } from './target.js';
import { tmpDir } from '../support/tmp.js';

type Op =
  | { t: 'put'; k: Uint8Array; v: Uint8Array }
  | { t: 'get'; k: Uint8Array }
  | { t: 'del'; k: Uint8Array }
  | { t: 'batch'; ops: BatchOp[] }
  | { t: 'scan'; k: Uint8Array; limit: number }
  | { t: 'sync' }
  | { t: 'reopen' };

/** Keys that stress byte order: prefixes, 0x00 and 0xff, plus random short keys. */
const POOL = [[0x61], [0x61, 0x00], [0x61, 0xff], [0x61, 0x62], [0x00], [0xff], [0xff, 0xff], [0x00, 0x00, 0x01], [0x7f], [0x80]].map(
  (a) => new Uint8Array(a),
);
const keyArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...POOL) }, { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 6 }) });

function valueArb(maxValueBytes: number) {
  const big = fc
    .record({ n: fc.integer({ min: 1000, max: Math.min(40_000, maxValueBytes) }), b: fc.nat(255) })
    .map(({ n, b }) => {
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) v[i] = (b + i * 31) & 255;
      return v;
    });
  return fc.oneof({ weight: 9, arbitrary: fc.uint8Array({ maxLength: 48 }) }, { weight: 1, arbitrary: big });
}

function opArb(caps: { orderedScan: boolean; persistent: boolean }, maxValueBytes: number): fc.Arbitrary<Op> {
  const v = valueArb(maxValueBytes);
  const batchOp: fc.Arbitrary<BatchOp> = fc.oneof(
    fc.record({ type: fc.constant('put' as const), key: keyArb, value: v }),
    fc.record({ type: fc.constant('del' as const), key: keyArb }),
  );
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<Op> }> = [
    { weight: 8, arbitrary: fc.record({ t: fc.constant('put' as const), k: keyArb, v }) },
    { weight: 6, arbitrary: fc.record({ t: fc.constant('get' as const), k: keyArb }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), k: keyArb }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('batch' as const), ops: fc.array(batchOp, { minLength: 0, maxLength: 8 }) }) },
    { weight: 1, arbitrary: fc.constant({ t: 'sync' as const }) },
  ];
  if (caps.orderedScan) arbs.push({ weight: 3, arbitrary: fc.record({ t: fc.constant('scan' as const), k: keyArb, limit: fc.integer({ min: 0, max: 12 }) }) });
  if (caps.persistent) arbs.push({ weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) });
  return fc.oneof(...arbs);
}

const hex = (b: Uint8Array | undefined) => (b === undefined ? 'absent' : Buffer.from(b).toString('hex'));

async function runHistory(t: ConformanceTarget, ops: Op[]): Promise<void> {
  const dir = tmpDir();
  const oracle = new Oracle();
  let engine: AnyEngine = await openTarget(t, dir);
  try {
    for (const [i, op] of ops.entries()) {
      const where = `op #${i} ${op.t}`;
      switch (op.t) {
        case 'put':
          await engine.put(op.k, op.v);
          oracle.put(op.k, op.v);
          break;
        case 'del':
          await engine.delete(op.k);
          oracle.delete(op.k);
          break;
        case 'batch':
          await engine.write(op.ops);
          oracle.write(op.ops);
          break;
        case 'get':
          expect(hex(await engine.get(op.k)), where).toBe(hex(oracle.get(op.k)));
          break;
        case 'scan': {
          const got = (await engine.scan(op.k, op.limit)).map(([k, v]) => `${hex(k)}=${hex(v)}`);
          const want = oracle.scan(op.k, op.limit).map(([k, v]) => `${hex(k)}=${hex(v)}`);
          expect(got, where).toEqual(want);
          break;
        }
        case 'sync':
          await engine.sync();
          expect(engine.durableSequence(), where).toBe(engine.lastSequence());
          break;
        case 'reopen':
          await engine.close();
          engine = await openTarget(t, dir);
          break;
      }
    }
    // Final full check, after one more reopen when persistent.
    if (outlivesClose(t.descriptor)) {
      await engine.close();
      engine = await openTarget(t, dir);
    }
    for (const [k, v] of oracle.entries()) expect(hex(await engine.get(k)), `final get ${hex(k)}`).toBe(hex(v));
    if (engine.info.capabilities.orderedScan) {
      const all = (await engine.scan(new Uint8Array([0]), 1_000_000)).map(([k, v]) => `${hex(k)}=${hex(v)}`);
      expect(all).toEqual(oracle.entries().map(([k, v]) => `${hex(k)}=${hex(v)}`));
    }
    const stats = await engine.stats();
    if (!stats.unknown.includes('liveKeys')) expect(stats.liveKeys, 'stats.liveKeys').toBe(oracle.size);
  } finally {
    await engine.close();
  }
}

const RUNS = Number(process.env.KVLAB_CONFORMANCE_RUNS ?? 40);

/** Registers the conformance model tests for `t`. */
export function modelSuite(t: ConformanceTarget): void {
  const { name: spec, descriptor } = t;
  describe(`conformance model: ${spec}`, () => {
  it(`agrees with the oracle on random histories (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb({ orderedScan: descriptor.capabilities.orderedScan, persistent: outlivesClose(descriptor) }, descriptor.limits.maxValueBytes), { minLength: 20, maxLength: 200, size: 'max' }), (ops) =>
        runHistory(t, ops),
      ),
      { numRuns: RUNS, verbose: 1 },
    );
  });
});
}
