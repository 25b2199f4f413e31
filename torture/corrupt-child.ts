/**
 * The corruption-torture child: for each case (a damaged copy of a loaded store) it opens the
 * store and reads everything back, classifying the outcome (see {@link CorruptionOutcome}).
 * It prints `B <id>` before a case and `O <id> <outcome> <detail>` after it on stdout (a pipe:
 * each write is synchronous), so the parent can time out a hang or see a crash mid-case and
 * restart a child for the remaining cases.
 */
import * as nodefs from 'node:fs';
import type { AnyEngine } from '../engines/engine.js';
import { isKvError } from '../engines/errors.js';
import { LOAD_KEYS, loadKey, loadKeyIndex, loadVersionOf, type LoadExpectation } from './corrupt-load.js';
import { openRef } from './engine-ref.js';
import { describeError } from './journal.js';
import type { CorruptionOutcome } from './results.js';

/** What the parent tells a corruption child (JSON in argv). */
export interface CorruptChildConfig {
  readonly mode: 'corrupt';
  readonly engine: string;
  readonly module?: string;
  /** JSON file holding the {@link LoadExpectation}. */
  readonly expectation: string;
  readonly cases: ReadonlyArray<{ readonly id: number; readonly dir: string }>;
}

/** Tally of a full read against the expectation. */
interface ReadTally {
  wrong: string | undefined;
  stale: number;
  missing: number;
}

function judge(exp: LoadExpectation, k: number, v: Uint8Array | undefined, t: ReadTally): void {
  const want = exp.final[k]!;
  if (v === undefined) {
    if (want !== -1) t.missing++;
    return;
  }
  const ver = loadVersionOf(exp.seed, k, v);
  if (ver === want) return;
  if (ver !== undefined && exp.written[k]!.includes(ver)) t.stale++;
  else t.wrong ??= `key ${k}: bytes ${Buffer.from(v.buffer, v.byteOffset, Math.min(48, v.length)).toString('hex')} never written (want version ${want})`;
}

async function readAll(e: AnyEngine, exp: LoadExpectation, t: ReadTally): Promise<void> {
  for (let k = 0; k < LOAD_KEYS; k++) judge(exp, k, await e.get(loadKey(k)), t);
  if (!e.info.capabilities.orderedScan) return;
  const rows = await e.scan(Uint8Array.of(0), LOAD_KEYS + 100);
  for (const [key, value] of rows) {
    const k = loadKeyIndex(key);
    if (k < 0) t.wrong ??= `scan returned key ${Buffer.from(key).toString('hex')} never written`;
    else {
      const sub: ReadTally = { wrong: undefined, stale: 0, missing: 0 };
      judge(exp, k, value, sub);
      if (sub.wrong) t.wrong ??= `scan: ${sub.wrong}`;
    }
  }
}

function errorOutcome(e: unknown): CorruptionOutcome {
  if (isKvError(e, 'CORRUPTION')) return 'detected';
  return isKvError(e) ? 'other-kverror' : 'uncaught';
}

/** Runs one case; returns its outcome and a one-line detail. */
async function runCase(cfg: CorruptChildConfig, exp: LoadExpectation, dir: string): Promise<[CorruptionOutcome, string]> {
  const t: ReadTally = { wrong: undefined, stale: 0, missing: 0 };
  let e: AnyEngine | undefined;
  let outcome: [CorruptionOutcome, string] | undefined;
  try {
    e = await openRef({ spec: cfg.engine, module: cfg.module }, { dir, durability: 'none' });
    await readAll(e, exp, t);
  } catch (err) {
    outcome = [errorOutcome(err), `${e ? 'read' : 'open'}: ${describeError(err)}`];
  }
  try {
    await e?.close();
  } catch {
    /* closing a damaged store may fail; the outcome is about open and reads */
  }
  if (t.wrong) return ['wrong-value', t.wrong];
  if (outcome) return outcome;
  if (t.stale > 0) return ['stale-value', `${t.stale} keys show an older version, ${t.missing} missing`];
  if (t.missing > 0) return ['bounded-loss', `${t.missing} keys missing`];
  return ['intact', ''];
}

/** Runs every case in order (see module doc). Returns the exit code (0). */
export async function runCorruptChild(cfg: CorruptChildConfig): Promise<number> {
  const exp = JSON.parse(nodefs.readFileSync(cfg.expectation, 'utf8')) as LoadExpectation;
  for (const c of cfg.cases) {
    process.stdout.write(`B ${c.id}\n`);
    const [outcome, detail] = await runCase(cfg, exp, c.dir);
    process.stdout.write(`O ${c.id} ${outcome} ${detail.replace(/\s+/g, ' ')}\n`);
  }
  return 0;
}
