/**
 * The I/O-fault torture: runs the seeded workload (durability `always`) on an engine whose Fs
 * is a {@link FaultFs} failing one chosen call (a write, fdatasync, fsync, syncDir, rename or
 * open: EIO or ENOSPC). The failure must reach the caller as a KvError (never a raw system
 * error), and a reopen of the directory (a copy, with a plain NodeFs) must show every write
 * acknowledged before the failure (the failed operation may or may not be there).
 */
import { LOCK_FILE } from '../engines/common.js';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnyEngine } from '../engines/engine.js';
import { isKvError } from '../engines/errors.js';
import { NodeFs } from '../engines/fs.js';
import { FaultFs, type FaultOp } from '../engines/testing/fault-fs.js';
import { descriptorOf, openRef } from './engine-ref.js';
import { describeError } from './journal.js';
import { readRecoveredState } from './recovered-state.js';
import { MAX_VIOLATIONS, type FaultSection, type ViolationRecord } from './results.js';
import { verifyRecovered } from './verify.js';
import { applyOp, KEYSPACE, mix, Rng } from './workload.js';


const OPS: FaultOp[] = ['write', 'fdatasync', 'fsync', 'syncDir', 'rename', 'open'];

/** Runs `trials` fault trials on one engine (violations recorded, never thrown). */
export async function runFaultTorture(opts: { engine: string; module?: string; seed: number; trials: number }): Promise<FaultSection> {
  const s: FaultSection = { applicable: true, trials: 0, faultsInjected: 0, typedErrors: 0, violations: [], violationCount: 0 };
  const ref = { spec: opts.engine, module: opts.module };
  const d = await descriptorOf(ref);
  if (!d.capabilities.persistent) return { ...s, applicable: false, reason: 'not persistent' };
  if (!d.capabilities.durability.includes('always')) return { ...s, applicable: false, reason: "does not support durability 'always'" };
  const work = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-faults-'));
  const record = (trial: number, kind: string, detail: string) => {
    s.violationCount++;
    if (s.violations.length < MAX_VIOLATIONS) s.violations.push({ engine: opts.engine, seed: opts.seed, cycle: trial, kind: kind as never, detail });
  };
  try {
    for (let trial = 1; trial <= opts.trials; trial++) {
      const rng = new Rng(mix(opts.seed, trial, 0xfa));
      const op = OPS[rng.int(OPS.length)]!;
      const rule = { op, nth: 1 + rng.int(op === 'write' || op === 'fdatasync' ? 60 : 6), code: rng.next() < 0.5 ? ('EIO' as const) : ('ENOSPC' as const) };
      const dir = path.join(work, `t${trial}`);
      const fs = new FaultFs(new NodeFs(), [rule]);
      s.trials++;
      let e: AnyEngine | undefined;
      let acked = 0;
      let failedAt = -1;
      try {
        e = await openRef(ref, { dir, durability: 'always', fs });
        for (let i = 0; i < 80; i++) {
          await applyOp(e, opts.seed, trial, i);
          acked++;
        }
      } catch (err) {
        failedAt = acked;
        if (!isKvError(err)) record(trial, 'uncaught', `${rule.op}#${rule.nth} ${rule.code}: ${describeError(err)}`);
        else s.typedErrors++;
      }
      if (fs.failures > 0) s.faultsInjected++;
      try {
        await e?.close();
      } catch (err) {
        if (!isKvError(err)) record(trial, 'uncaught', `close after ${rule.op}#${rule.nth}: ${describeError(err)}`);
      }
      if (e === undefined) continue; // open itself failed (typed): nothing was acknowledged
      // Reopen a copy (the failed instance may still hold its lock) with a healthy Fs.
      const copy = `${dir}-reopen`;
      nodefs.cpSync(dir, copy, { recursive: true });
      nodefs.rmSync(path.join(copy, LOCK_FILE), { force: true });
      let r: AnyEngine | undefined;
      try {
        r = await openRef(ref, { dir: copy, durability: 'always' });
        const st = await readRecoveredState(r, opts.seed);
        const base = new Array<string>(KEYSPACE).fill('-');
        const pending = { cycle: trial, acked, durable: acked, inFlight: failedAt >= 0 };
        for (const v of verifyRecovered(opts.seed, base, pending, st.states, d.capabilities.atomicBatch))
          record(trial, v.kind, `after ${rule.op}#${rule.nth} ${rule.code}: ${v.detail}`);
      } catch (err) {
        record(trial, 'open-failed', `reopen after ${rule.op}#${rule.nth} ${rule.code}: ${describeError(err)}`);
      } finally {
        try {
          await r?.close();
        } catch {
          /* reported above if it mattered */
        }
      }
    }
  } finally {
    nodefs.rmSync(work, { recursive: true, force: true });
  }
  if (s.faultsInjected === 0 && s.violationCount === 0)
    return { ...s, applicable: false, reason: 'no injected failure fired: the engine does its own file I/O, not through opts.fs' };
  return s;
}
