/**
 * The crash-torture parent: runs `cycles` child processes against one cumulative store, kills
 * each with SIGKILL at a random moment (or lets it die at a kill point), and verifies every
 * recovered state against what was acknowledged (torture/verify.ts). The store is never reset
 * between cycles, so recovery of recovered stores is exercised too. After the last cycle one
 * more child opens, reads and closes the store to verify the final crash.
 */
import { spawn } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Durability } from '../engines/engine.js';
import { childScript, ensureChildBuilt } from './child-path.js';
import { descriptorOf, probeEngine } from './engine-ref.js';
import type { CrashChildConfig } from './crash-child.js';
import { parseJournal, type Journal } from './journal.js';
import { MAX_VIOLATIONS, percentiles, type CrashSection, type ViolationRecord } from './results.js';
import { verifyRecovered, type PendingOps, type Violation } from './verify.js';
import { KEYSPACE, mix, Rng } from './workload.js';

/** Settings of one crash-torture run. */
export interface CrashRunOptions {
  /** Engine spec (`name` or `name:k=v,...`). */
  engine: string;
  /** Module exporting the engine's descriptor instead of the registry (test engines). */
  module?: string;
  cycles: number;
  seed: number;
  durability: Durability;
  /** Kill point to die at (`KVLAB_KILL_POINT=name@N`, N random per cycle in 1..killPointMaxHit). */
  killPoint?: string;
  killPointMaxHit?: number;
  /** Working directory (store + journals); default a fresh temp dir, removed at the end. */
  workDir?: string;
  /** Random kills land uniformly within this many ms after the store opened. Default 40. */
  maxRunMs?: number;
  /** Operations per cycle before a clean close. Default: 1e6 (random kills), 400 (kill point). */
  maxOps?: number;
  /** A child that does not open the store (or finish, at a kill point) in this time is a hang. Default 60000. */
  timeoutMs?: number;
  /** Called after each cycle (progress output). */
  onCycle?: (cycle: number, section: CrashSection) => void;
  /** Receives every recovery time (ms) as measured, e.g. to merge shards' percentiles. */
  recoverySamples?: number[];
}

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  killedByParent: boolean;
  timedOut: boolean;
  stderr: string;
  journal: Journal;
}

function runChild(cfg: CrashChildConfig, env: NodeJS.ProcessEnv, killAfterReadyMs: number | null, killAfterSpawnMs: number | null, timeoutMs: number): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript(), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let killedByParent = false;
    let timedOut = false;
    let stderr = '';
    const timers: NodeJS.Timeout[] = [];
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) {
        killedByParent = true;
        child.kill('SIGKILL');
      }
    };
    if (killAfterSpawnMs !== null) timers.push(setTimeout(kill, killAfterSpawnMs));
    timers.push(
      setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs),
    );
    let ready = false;
    child.stdout.on('data', (d: Buffer) => {
      if (!ready && d.toString().includes('ready')) {
        ready = true;
        if (killAfterReadyMs !== null) timers.push(setTimeout(kill, killAfterReadyMs));
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      let text = '';
      try {
        text = nodefs.readFileSync(cfg.journal, 'utf8');
      } catch {
        /* no journal: the child died before opening it */
      }
      resolve({ code, signal, killedByParent, timedOut, stderr, journal: parseJournal(text) });
    });
  });
}

function startupFailure(o: ChildOutcome): boolean {
  const j = o.journal;
  return !o.killedByParent && o.signal === null && o.code !== 0 && !j.ready && !j.failure && j.acks.length === 0;
}

/** A section with nothing run, for engines the torture does not apply to. */
export function notApplicableCrash(opts: Pick<CrashRunOptions, 'durability' | 'seed' | 'killPoint'>, reason: string): CrashSection {
  return {
    applicable: false, reason, durability: opts.durability, seed: opts.seed, killPoint: opts.killPoint ?? null, cycles: 0,
    killedByParent: 0, killedAtPoint: 0, killedDuringRecovery: 0, cleanExits: 0, opsAcknowledged: 0, durableVerified: 0,
    lost: 0, wrongValues: 0, tornBatches: 0, otherViolations: 0, recoveryMs: percentiles([]), elapsedMs: 0, violations: [],
  };
}

/** Why the crash torture cannot run on `engine`, or undefined when it can. */
export async function crashNotApplicable(engine: string, durability: Durability, module?: string): Promise<string | undefined> {
  const d = await descriptorOf({ spec: engine, module });
  if (!d.capabilities.persistent) return 'not persistent (capabilities.persistent is false)';
  if (!d.capabilities.durability.includes(durability)) return `does not support durability '${durability}'`;
  return await probeEngine({ spec: engine, module });
}

/** Runs the crash torture on one engine and returns its section (violations included, never thrown). */
export async function runCrashTorture(opts: CrashRunOptions): Promise<CrashSection> {
  const na = await crashNotApplicable(opts.engine, opts.durability, opts.module);
  if (na) return notApplicableCrash(opts, na);
  const atomic = (await descriptorOf({ spec: opts.engine, module: opts.module })).capabilities.atomicBatch;
  ensureChildBuilt();
  const started = performance.now();
  const ownDir = opts.workDir === undefined;
  const work = opts.workDir ?? nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-crash-'));
  const storeDir = path.join(work, 'store');
  nodefs.mkdirSync(work, { recursive: true });
  const s = notApplicableCrash(opts, '');
  s.applicable = true;
  delete s.reason;
  const recovery: number[] = [];
  const maxOps = opts.maxOps ?? (opts.killPoint ? 400 : 1_000_000);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let baseline: string[] = new Array<string>(KEYSPACE).fill('-');
  let pending: PendingOps | undefined;
  let lastOpenMs = 300;
  const record = (cycle: number, v: Violation) => {
    if (v.kind === 'lost') s.lost++;
    else if (v.kind === 'wrong-value') s.wrongValues++;
    else if (v.kind === 'torn-batch') s.tornBatches++;
    else s.otherViolations++;
    if (s.violations.length < MAX_VIOLATIONS) {
      const r: ViolationRecord = { engine: opts.engine, seed: opts.seed, cycle, kind: v.kind, detail: v.detail };
      if (v.key !== undefined) r.key = v.key;
      if (opts.killPoint) r.killPoint = opts.killPoint;
      s.violations.push(r);
    }
  };

  try {
    for (let cycle = 1; cycle <= opts.cycles + 1; cycle++) {
      const final = cycle === opts.cycles + 1;
      const rng = new Rng(mix(opts.seed, cycle, 0x4b111));
      const journal = path.join(work, `journal-${cycle}.txt`);
      nodefs.rmSync(journal, { force: true });
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.KVLAB_KILL_POINT;
      let killAfterReady: number | null = null;
      let killAfterSpawn: number | null = null;
      if (!final && opts.killPoint) env.KVLAB_KILL_POINT = `${opts.killPoint}@${1 + rng.int(opts.killPointMaxHit ?? 8)}`;
      else if (!final) {
        if (rng.next() < 0.1) killAfterSpawn = Math.floor(rng.next() * lastOpenMs);
        else killAfterReady = Math.floor(rng.next() * (opts.maxRunMs ?? 40));
      }
      const cfg: CrashChildConfig = {
        mode: 'crash', engine: opts.engine, ...(opts.module ? { module: opts.module } : {}), dir: storeDir, durability: opts.durability, seed: opts.seed, cycle,
        maxOps: final ? 0 : maxOps, journal,
      };
      const spawnedAt = performance.now();
      let out = await runChild(cfg, env, killAfterReady, killAfterSpawn, timeoutMs);
      // A child that failed before writing anything (e.g. dist/ rebuilt under it) never touched
      // the store: run the cycle again rather than blame the engine.
      for (let retry = 0; retry < 6 && startupFailure(out); retry++) {
        await new Promise((r) => setTimeout(r, 500 * 2 ** retry));
        nodefs.rmSync(journal, { force: true });
        out = await runChild(cfg, env, killAfterReady, killAfterSpawn, timeoutMs);
      }
      nodefs.rmSync(journal, { force: true });
      if (startupFailure(out)) {
        // Not the engine's doing: the child could not even load (reported apart, cycle not counted).
        s.harnessErrors = (s.harnessErrors ?? 0) + 1;
        if ((s.harnessNotes ??= []).length < 5) s.harnessNotes.push(`cycle ${cycle}: ${out.stderr.trim().split('\n').slice(0, 4).join(' | ').slice(0, 400)}`);
        continue;
      }
      const j = out.journal;
      if (!final) s.cycles++;
      if (j.ready) {
        recovery.push(j.ready.recoveryMs);
        opts.recoverySamples?.push(j.ready.recoveryMs);
        lastOpenMs = Math.max(20, performance.now() - spawnedAt - (opts.maxRunMs ?? 40));
      }

      // How the child ended.
      if (out.timedOut) record(cycle, { kind: 'hang', detail: `child made no progress in ${timeoutMs} ms (opened: ${j.ready !== undefined})` });
      else if (out.signal === 'SIGKILL' && out.killedByParent) {
        s.killedByParent++;
        if (!j.ready) s.killedDuringRecovery++;
      } else if (out.signal === 'SIGKILL') s.killedAtPoint++;
      else if (out.code === 0) {
        if (!final) s.cleanExits++;
      } else if (!j.failure)
        record(cycle, { kind: 'engine-error', detail: `child died (code ${out.code}, signal ${out.signal}): ${out.stderr.trim().split('\n').slice(0, 6).join(' | ').slice(0, 600)}` });

      if (j.failure) {
        const kind = j.failure.stage === 'open' || j.failure.stage === 'read' ? 'open-failed' : 'engine-error';
        record(cycle, { kind, detail: `${j.failure.stage} failed: ${j.failure.error}` });
        if (kind === 'open-failed') break; // the store is unusable: later cycles would only repeat this
      }

      if (j.dump) {
        for (const v of verifyRecovered(opts.seed, baseline, pending, j.dump, atomic)) record(cycle, v);
        for (const x of j.extraKeys) record(cycle, { kind: 'scan', detail: `scan returned key ${x} never written` });
        for (const m of j.scanMismatches) record(cycle, { kind: 'scan', detail: `scan/get disagree: ${m}` });
        if (pending) s.durableVerified += pending.durable;
        baseline = j.dump;
        pending = undefined;
      }
      if (j.ready) {
        // Contract: one sequence number per write, durable immediately under `always`.
        let prev = j.ready.lastSeq;
        for (const a of j.acks) {
          if (a.seq !== prev + 1) record(cycle, { kind: 'contract', detail: `op ${a.op}: sequence ${a.seq} after ${prev}` });
          if (opts.durability === 'always' && a.durable < a.seq)
            record(cycle, { kind: 'contract', detail: `op ${a.op}: durableSequence ${a.durable} < sequence ${a.seq} under 'always'` });
          prev = a.seq;
        }
        const durable = j.closedCleanly ? j.acks.length : j.acks.filter((a) => a.seq <= j.maxDurable).length;
        s.opsAcknowledged += j.acks.length;
        pending = { cycle, acked: j.acks.length, durable, inFlight: !j.closedCleanly };
      }
      if (opts.onCycle) {
        s.recoveryMs = percentiles(recovery);
        s.elapsedMs = Math.round(performance.now() - started);
        opts.onCycle(cycle, s);
      }
    }
  } finally {
    s.recoveryMs = percentiles(recovery);
    s.elapsedMs = Math.round(performance.now() - started);
    if (ownDir) nodefs.rmSync(work, { recursive: true, force: true });
  }
  return s;
}

/**
 * Merges the sections of independent shards (separate cumulative stores, seeds `seed + i`) of
 * one engine into one section: counts summed, violations concatenated (capped), recovery
 * percentiles over all `samples`, elapsed = the longest shard.
 */
export function mergeCrashSections(parts: readonly CrashSection[], samples: readonly number[]): CrashSection {
  const m = { ...parts[0]!, violations: [] as CrashSection['violations'], shards: parts.length };
  const sum = ['cycles', 'killedByParent', 'killedAtPoint', 'killedDuringRecovery', 'cleanExits', 'opsAcknowledged', 'durableVerified', 'lost', 'wrongValues', 'tornBatches', 'otherViolations', 'harnessErrors'] as const;
  for (const k of sum) (m as Record<string, unknown>)[k] = parts.reduce((a, p) => a + ((p[k] as number | undefined) ?? 0), 0);
  m.violations = parts.flatMap((p) => p.violations).slice(0, MAX_VIOLATIONS);
  m.harnessNotes = parts.flatMap((p) => p.harnessNotes ?? []).slice(0, 5);
  m.recoveryMs = percentiles(samples);
  m.elapsedMs = Math.max(...parts.map((p) => p.elapsedMs));
  return m;
}
