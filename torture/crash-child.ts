/**
 * The crash-torture child: opens (recovers) the store, reports recovery time and the recovered
 * state of every workload key, then runs the seeded write workload, journaling each
 * acknowledged operation with its sequence number and the engine's durable sequence, until it
 * is killed (by the parent, or at a kill point) or reaches `maxOps` and closes cleanly.
 */
import type { AnyEngine, Durability } from '../engines/engine.js';
import { openRef } from './engine-ref.js';
import { describeError, JournalWriter } from './journal.js';
import { readRecoveredState } from './recovered-state.js';
import { applyOp, mix, Rng } from './workload.js';

/** What the parent tells a crash child (passed as JSON in argv). */
export interface CrashChildConfig {
  readonly mode: 'crash';
  readonly engine: string;
  /** Module exporting the engine's descriptor instead of the registry (see engine-ref.ts). */
  readonly module?: string;
  readonly dir: string;
  readonly durability: Durability;
  readonly seed: number;
  readonly cycle: number;
  /** Operations to run before closing cleanly (0: open, read, close). */
  readonly maxOps: number;
  readonly journal: string;
}

const parentPid = process.ppid;
function parentAlive(): boolean {
  try {
    process.kill(parentPid, 0);
    return process.ppid === parentPid;
  } catch {
    return false;
  }
}

/** Reads the recovered store and journals it (`D`, `X`, `M` lines). */
async function dump(e: AnyEngine, seed: number, j: JournalWriter): Promise<void> {
  const r = await readRecoveredState(e, seed);
  for (const x of r.extraKeys) j.line(`X ${x}`);
  for (const m of r.mismatches) j.line(`M ${m}`);
  j.line(`D ${r.states.join(' ')}`);
}

/** Runs one crash cycle (see module doc). Returns the exit code: 0 clean, 3 open/read failed, 4 a write failed. */
export async function runCrashChild(cfg: CrashChildConfig): Promise<number> {
  const j = new JournalWriter(cfg.journal);
  const t0 = performance.now();
  let e: AnyEngine;
  try {
    e = await openRef({ spec: cfg.engine, module: cfg.module }, { dir: cfg.dir, durability: cfg.durability });
  } catch (err) {
    j.line(`F open ${describeError(err)}`);
    return 3;
  }
  const recoveryMs = performance.now() - t0;
  try {
    await dump(e, cfg.seed, j);
  } catch (err) {
    j.line(`F read ${describeError(err)}`);
    return 3;
  }
  j.line(`R ${recoveryMs.toFixed(3)} ${e.lastSequence()} ${e.durableSequence()}`);
  process.stdout.write('ready\n');
  const rng = new Rng(mix(cfg.seed, cfg.cycle, 0x5c));
  for (let op = 0; op < cfg.maxOps; op++) {
    try {
      await applyOp(e, cfg.seed, cfg.cycle, op);
    } catch (err) {
      j.line(`F write ${describeError(err)}`);
      return 4;
    }
    j.line(`A ${op} ${e.lastSequence()} ${e.durableSequence()}`);
    const r = rng.next();
    if (r < 1 / 64) {
      await e.sync();
      j.line(`S ${e.durableSequence()}`);
    }
    // An orphan (the parent died without killing it) stops rather than write forever.
    if (op % 256 === 255 && !parentAlive()) return 0;
    // Let group-commit timers run now and then, as they would under a real workload.
    if (r > 15 / 16) await new Promise((res) => setTimeout(res, rng.int(3)));
  }
  try {
    await e.close();
  } catch (err) {
    j.line(`F close ${describeError(err)}`);
    return 4;
  }
  j.line('C');
  return 0;
}
