/**
 * Sticky failure: after an I/O error inside a write or a sync, the engine refuses every later
 * call with FAILED (LevelDB's bg_error_), even though the disk works again (FaultFs fails one
 * call only), and never claims the failed write durable; after reopen on a healthy disk the
 * store holds every acknowledged write (the one write that failed may or may not be there:
 * it was never acknowledged). Runs for every engine whose I/O goes through the Fs seam
 * (`descriptor.fsSeam`); an engine doing its own I/O (native) cannot be faulted this way.
 */
import { describe, expect, it } from 'vitest';
import type { AnyEngine } from '../../engines/engine.js';
import { NodeFs } from '../../engines/fs.js';
import type { Fs } from '../../engines/fs.js';
import { FaultFs, type FaultOp, type FaultRule } from '../../engines/testing/fault-fs.js';
import { errorCode } from '../support/engine-io.js';
import { tmpDir } from '../support/tmp.js';
import { openTarget, type ConformanceTarget } from './target.js';

/** An Fs that behaves as a healthy NodeFs until `arm()`, then as FaultFs over the same files. */
function armedFault(rules: FaultRule[]): { fs: Fs; fault: FaultFs; arm: () => void } {
  const inner = new NodeFs();
  const fault = new FaultFs(inner, rules);
  let armed = false;
  const fs = new Proxy(inner, {
    get(target, prop) {
      const src = (armed ? fault : target) as unknown as Record<string | symbol, unknown>;
      const v = src[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(src) : v;
    },
  }) as Fs;
  return { fs, fault, arm: () => (armed = true) };
}

const val = (i: number) => Buffer.from(`value-${i}-`.padEnd(120, 'x'));

/** Registers the sticky-failure tests for `t`. */
export function faultSuite(t: ConformanceTarget): void {
  const d = t.descriptor;
  if (!d.capabilities.persistent || d.fsSeam === 'none' || d.fsSeam === undefined) return;
  // An engine routing only its syncs through the seam (a library that commits and, under
  // `always`, syncs by itself) can be faulted only in the syncs the shell asks for.
  const cases: Array<{ op: FaultOp; durability: 'none' | 'always' }> = [{ op: 'fdatasync', durability: 'none' }];
  if (d.fsSeam === 'all') cases.push({ op: 'fdatasync', durability: 'always' }, { op: 'write', durability: 'none' });
  describe(`conformance sticky failure: ${t.name}`, () => {
    for (const c of cases) {
      it(`one failed ${c.op} (durability ${c.durability}) fails every later call until reopen; acknowledged writes survive`, async () => {
        const dir = tmpDir();
        // Let the open (and a first batch of writes) through, then fail exactly one call.
        const counting = new NodeFs();
        let e: AnyEngine = await openTarget(t, dir, { durability: c.durability, fs: counting });
        for (let i = 0; i < 50; i++) await e.put(Buffer.from(`k${i}`), val(i));
        await e.sync();
        await e.close();
        // The fault is armed after the open (an open may sync: a new log, a manifest).
        const { fs: armable, fault, arm } = armedFault([{ op: c.op, nth: 1 }]);
        e = await openTarget(t, dir, { durability: c.durability, fs: armable });
        arm();
        const acked: number[] = [];
        let failedAt = -1;
        for (let i = 50; i < 5000 && failedAt < 0; i++) {
          try {
            await e.put(Buffer.from(`k${i}`), val(i));
            acked.push(i);
            if (c.durability === 'none' && i % 25 === 0) await e.sync();
          } catch (err) {
            failedAt = i;
            expect((err as { code?: string }).code, String(err)).toMatch(/^(IO|FAILED)$/);
          }
        }
        expect(failedAt, 'the injected failure reached a caller').toBeGreaterThanOrEqual(0);
        expect(fault.failures).toBe(1);
        const durableAfter = e.durableSequence();
        // The disk works again, but the engine stays failed.
        expect(await errorCode(() => e.put(Buffer.from('after'), val(0)))).toBe('FAILED');
        expect(await errorCode(() => e.delete(Buffer.from('k1')))).toBe('FAILED');
        expect(await errorCode(() => e.write([{ type: 'put', key: Buffer.from('b'), value: val(1) }]))).toBe('FAILED');
        expect(await errorCode(() => e.sync())).toBe('FAILED');
        expect(await errorCode(() => e.get(Buffer.from('k1')))).toBe('FAILED');
        expect(e.durableSequence(), 'no durability claimed after the failure').toBe(durableAfter);
        await e.close();
        expect(await errorCode(() => e.get(Buffer.from('k1')))).toBe('CLOSED');
        e = await openTarget(t, dir, { durability: c.durability });
        try {
          const lost: number[] = [];
          for (let i = 0; i < 50; i++) if ((await e.get(Buffer.from(`k${i}`))) === undefined) lost.push(i);
          for (const i of acked) if ((await e.get(Buffer.from(`k${i}`))) === undefined) lost.push(i);
          expect(lost.slice(0, 10), `${lost.length} acknowledged writes lost`).toEqual([]);
          expect(await e.get(Buffer.from('after'))).toBeUndefined();
          expect(await e.get(Buffer.from('b'))).toBeUndefined();
        } finally {
          await e.close();
        }
      });
    }
  });
}
