/**
 * The power-loss torture: runs the seeded workload in this process on an engine whose Fs is a
 * {@link CrashFs}, simulates a power loss at a random moment (only what was fsynced survives,
 * directory syncs included), reopens the post-crash state and verifies it like the crash
 * torture does. Each recovered store is crashed again (cumulative), and the last one is opened
 * with a fresh NodeFs, verified and closed cleanly.
 *
 * Applies to engines that do their file I/O through `opts.fs`; an engine that wrote nothing
 * through it (native and reference engines do their own I/O) is reported not applicable.
 */
import { LOCK_FILE } from '../engines/common.js';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnyEngine, Durability } from '../engines/engine.js';
import type { Fs } from '../engines/fs.js';
import { CrashFs } from '../engines/testing/crash-fs.js';
import { descriptorOf, openRef, probeEngine } from './engine-ref.js';
import { describeError } from './journal.js';
import { readRecoveredState } from './recovered-state.js';
import { MAX_VIOLATIONS, type PowerLossSection, type ViolationRecord } from './results.js';
import { verifyRecovered, type PendingOps, type Violation } from './verify.js';
import { applyOp, KEYSPACE, mix, Rng } from './workload.js';

/** Settings of one power-loss run. */
export interface PowerLossOptions {
  engine: string;
  /** Module exporting the engine's descriptor instead of the registry (test engines). */
  module?: string;
  durability: Durability;
  seed: number;
  crashes: number;
  /** Up to this many operations between crashes (uniform 1..max). Default 200. */
  maxOpsPerCrash?: number;
  /** CrashFs mode: strict, random, or alternating (default). */
  mode?: 'strict' | 'random' | 'mixed';
}

function empty(opts: PowerLossOptions): PowerLossSection {
  return {
    applicable: true, durability: opts.durability, seed: opts.seed, crashes: 0, opsAcknowledged: 0, durableVerified: 0,
    lost: 0, wrongValues: 0, tornBatches: 0, otherViolations: 0, violations: [],
  };
}

/** Runs the power-loss torture on one engine (violations are recorded, never thrown). */
export async function runPowerLoss(opts: PowerLossOptions): Promise<PowerLossSection> {
  const s = empty(opts);
  const d = await descriptorOf({ spec: opts.engine, module: opts.module });
  const na = (reason: string): PowerLossSection => ({ ...s, applicable: false, reason });
  if (!d.capabilities.persistent) return na('not persistent (capabilities.persistent is false)');
  if (!d.capabilities.durability.includes(opts.durability)) return na(`does not support durability '${opts.durability}'`);
  const unavailable = await probeEngine({ spec: opts.engine, module: opts.module });
  if (unavailable) return na(unavailable);
  const ref = { spec: opts.engine, module: opts.module };
  const work = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-powerloss-'));
  const record = (cycle: number, v: Violation) => {
    if (v.kind === 'lost') s.lost++;
    else if (v.kind === 'wrong-value') s.wrongValues++;
    else if (v.kind === 'torn-batch') s.tornBatches++;
    else s.otherViolations++;
    if (s.violations.length < MAX_VIOLATIONS) {
      const r: ViolationRecord = { engine: opts.engine, seed: opts.seed, cycle, kind: v.kind, detail: v.detail };
      if (v.key !== undefined) r.key = v.key;
      s.violations.push(r);
    }
  };
  let baseline: string[] = new Array<string>(KEYSPACE).fill('-');
  let pending: PendingOps | undefined;
  /** Opens `dir`, reads and verifies it. Returns the engine, or undefined when it failed (recorded). */
  const recover = async (cycle: number, dir: string, fs?: Fs): Promise<AnyEngine | undefined> => {
    let e: AnyEngine;
    try {
      e = await openRef(ref, fs ? { dir, durability: opts.durability, fs } : { dir, durability: opts.durability });
    } catch (err) {
      record(cycle, { kind: 'open-failed', detail: `open after power loss failed: ${describeError(err)}` });
      return undefined;
    }
    try {
      const r = await readRecoveredState(e, opts.seed);
      for (const v of verifyRecovered(opts.seed, baseline, pending, r.states, d.capabilities.atomicBatch)) record(cycle, v);
      for (const x of r.extraKeys) record(cycle, { kind: 'scan', detail: `scan returned key ${x} never written` });
      for (const m of r.mismatches) record(cycle, { kind: 'scan', detail: `scan/get disagree: ${m}` });
      if (pending) s.durableVerified += pending.durable;
      baseline = r.states;
      pending = undefined;
      return e;
    } catch (err) {
      record(cycle, { kind: 'open-failed', detail: `read after power loss failed: ${describeError(err)}` });
      return undefined;
    }
  };

  try {
    let dir = path.join(work, 'store-0');
    for (let cycle = 1; cycle <= opts.crashes; cycle++) {
      const rng = new Rng(mix(opts.seed, cycle, 0xc0de));
      const fs = new CrashFs(dir);
      const e = await recover(cycle, dir, fs);
      if (!e) return s;
      const before = { bytes: fs.counters.bytesWritten };
      const n = 1 + rng.int(opts.maxOpsPerCrash ?? 200);
      let acked = 0;
      let failed = false;
      for (let op = 0; op < n; op++) {
        try {
          await applyOp(e, opts.seed, cycle, op);
        } catch (err) {
          record(cycle, { kind: 'engine-error', detail: `op ${cycle}.${op} failed: ${describeError(err)}` });
          failed = true;
          break;
        }
        acked++;
        if (rng.next() < 1 / 32) await e.sync();
        if (rng.next() < 1 / 16) await new Promise((r) => setTimeout(r, rng.int(4)));
      }
      // This cycle's writes have sequences lastSequence-acked+1 .. lastSequence.
      const durable = Math.max(0, Math.min(acked, e.durableSequence() - e.lastSequence() + acked));
      // An engine that wrote no bytes through opts.fs while acknowledging writes (beyond what
      // open did, e.g. the DirLock) does its own I/O (it may still sync through the seam).
      if (cycle === 1 && acked > 0 && fs.counters.bytesWritten === before.bytes) {
        await e.close();
        return na('does its own file I/O: nothing went through opts.fs, so CrashFs cannot simulate its power loss');
      }
      const mode = opts.mode === 'mixed' || opts.mode === undefined ? (cycle % 2 ? 'strict' : 'random') : opts.mode;
      const next = path.join(work, `store-${cycle}`);
      fs.crash({ mode, seed: mix(opts.seed, cycle), into: next });
      // The reboot: no process from before the power loss holds a lock. DirLock's LOCK file may
      // be torn (`1234\n` cut to `12`) or name a pid that is alive again after a reboot, which
      // DirLock cannot tell from a live holder, so it is removed as an operator would.
      nodefs.rmSync(path.join(next, LOCK_FILE), { force: true });
      s.crashes++;
      s.opsAcknowledged += acked;
      pending = { cycle, acked, durable, inFlight: failed };
      nodefs.rmSync(dir, { recursive: true, force: true });
      dir = next;
    }
    // Final check with a plain NodeFs, then a clean close.
    const e = await recover(opts.crashes + 1, dir);
    if (e) await e.close();
  } finally {
    nodefs.rmSync(work, { recursive: true, force: true });
  }
  return s;
}
