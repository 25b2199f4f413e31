/**
 * `kvlab crash`: the crash and corruption torture from the command line (the CLI wires
 * {@link crashCommand} in). Exit codes: 0 every check passed, 1 violations found (printed and in
 * the results JSON), 2 bad usage (one typed line on stderr).
 */
import { KvError, isKvError } from '../../engines/errors.js';
import { KILL_POINTS } from '../../engines/killpoint.js';
import { getDescriptor, parseEngineSpec, resolveOptions } from '../../engines/registry.js';
import { runCorruption, CORRUPTION_FAILURES } from '../../torture/corrupt.js';
import { runCrashTorture } from '../../torture/crash-driver.js';
import { runPowerLoss } from '../../torture/power-loss.js';
import { newResults, writeResults, type CrashSection, type EngineTortureResult } from '../../torture/results.js';


const HELP = `kvlab crash: crash and corruption torture of one engine

usage: kvlab crash --engine NAME[:k=v,...] [--cycles N] [--seed S] [--durability always|group]
                   [--kill-point NAME] [--power-loss N] [--corruption N] [--out results.json]
       kvlab crash --list-kill-points

  --engine SPEC         engine to torture (registry name with options)
  --cycles N            SIGKILL cycles on one cumulative store (default 100)
  --seed S              seed of the workload and of the kill moments (default 1)
  --durability MODE     always (default) or group: which acknowledged writes must survive
  --kill-point NAME     die at this engine kill point (KVLAB_KILL_POINT=NAME@random N)
                        instead of a random SIGKILL from the parent
  --power-loss N        also simulate N power losses with CrashFs (engines using opts.fs)
  --corruption N        also damage N copies per file type and mutation (flip/zero/truncate)
  --out FILE            write the torture results JSON (kind kvlab-torture, torture/RESULTS.md)
  --list-kill-points    print the kill points the registered engines declare
  --help                this text

Exit status: 0 all checks passed, 1 violations found, 2 bad usage.`;

/** Where command output goes (tests pass their own). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CommandIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

interface CrashArgs {
  engine?: string;
  cycles: number;
  seed: number;
  durability: 'always' | 'group';
  killPoint?: string;
  powerLoss: number;
  corruption: number;
  out?: string;
  list: boolean;
  help: boolean;
}

function usage(msg: string): KvError {
  return new KvError('INVALID_ARGUMENT', msg);
}

function intArg(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) throw usage(`${flag} wants an integer >= ${min}, got '${v}'`);
  return n;
}

/** Parses `kvlab crash` arguments; bad usage throws INVALID_ARGUMENT. */
export function parseCrashArgs(args: readonly string[]): CrashArgs {
  const a: CrashArgs = { cycles: 100, seed: 1, durability: 'always', powerLoss: 0, corruption: 0, list: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === '--help' || flag === '-h') {
      a.help = true;
      continue;
    }
    if (flag === '--list-kill-points') {
      a.list = true;
      continue;
    }
    const v = args[i + 1];
    const known = ['--engine', '--cycles', '--seed', '--durability', '--kill-point', '--power-loss', '--corruption', '--out'];
    if (!known.includes(flag)) throw usage(`unknown option '${flag}' (see kvlab crash --help)`);
    if (v === undefined || v.startsWith('--')) throw usage(`${flag} needs a value`);
    i++;
    if (flag === '--engine') a.engine = v;
    else if (flag === '--cycles') a.cycles = intArg(flag, v, 0);
    else if (flag === '--seed') a.seed = intArg(flag, v, 0);
    else if (flag === '--power-loss') a.powerLoss = intArg(flag, v, 0);
    else if (flag === '--corruption') a.corruption = intArg(flag, v, 0);
    else if (flag === '--kill-point') a.killPoint = v;
    else if (flag === '--out') a.out = v;
    else if (v === 'always' || v === 'group') a.durability = v;
    else throw usage(`--durability must be always or group, got '${v}'`);
  }
  return a;
}

function crashLine(s: CrashSection): string {
  if (!s.applicable) return `crash: not applicable (${s.reason})`;
  const r = s.recoveryMs;
  return (
    `crash (${s.durability}${s.killPoint ? `, kill point ${s.killPoint}` : ''}): ${s.cycles} cycles, ` +
    `${s.killedByParent} killed by parent, ${s.killedAtPoint} at kill point, ${s.cleanExits} clean; ` +
    `${s.opsAcknowledged} writes acknowledged, ${s.durableVerified} durable verified, lost ${s.lost}, ` +
    `wrong ${s.wrongValues}, torn batches ${s.tornBatches}, other ${s.otherViolations}; ` +
    `recovery ms p50 ${r.p50} p99 ${r.p99} max ${r.max}`
  );
}

/** `kvlab crash ...` (see {@link HELP}). Returns the exit status. */
export async function crashCommand(args: string[], io: CommandIo = stdio): Promise<number> {
  let a: CrashArgs;
  try {
    a = parseCrashArgs(args);
    if (a.help) {
      io.out(`${HELP}\n`);
      return 0;
    }
    if (a.list) {
      const names = [...KILL_POINTS].sort();
      io.out(names.length ? `${names.join('\n')}\n` : 'no kill points declared\n');
      return 0;
    }
    if (a.engine === undefined) throw usage('--engine is required (see kvlab crash --help)');
    const spec = parseEngineSpec(a.engine);
    resolveOptions(getDescriptor(spec.name), spec.options);
    if (a.killPoint !== undefined && !KILL_POINTS.has(a.killPoint))
      throw usage(`unknown kill point '${a.killPoint}' (kvlab crash --list-kill-points lists them)`);
  } catch (e) {
    if (!isKvError(e)) throw e;
    io.err(`kvlab crash: ${e.code}: ${e.message}\n`);
    return 2;
  }
  const results = newResults(['crash', ...args]);
  const entry: EngineTortureResult = { engine: a.engine, crash: [], powerLoss: null, corruption: null };
  results.engines.push(entry);
  let failed = false;
  const crash = await runCrashTorture({
    engine: a.engine, cycles: a.cycles, seed: a.seed, durability: a.durability, ...(a.killPoint ? { killPoint: a.killPoint } : {}),
    onCycle: (c) => {
      if (c % 50 === 0) io.err(`  cycle ${c}/${a.cycles}\n`);
    },
  });
  entry.crash.push(crash);
  io.out(`${a.engine}: ${crashLine(crash)}\n`);
  failed ||= crash.lost + crash.wrongValues + crash.tornBatches + crash.otherViolations > 0;
  if (a.powerLoss > 0) {
    const p = await runPowerLoss({ engine: a.engine, durability: a.durability, seed: a.seed, crashes: a.powerLoss });
    entry.powerLoss = p;
    io.out(
      p.applicable
        ? `${a.engine}: power loss: ${p.crashes} crashes, ${p.durableVerified} durable verified, lost ${p.lost}, wrong ${p.wrongValues}, torn batches ${p.tornBatches}, other ${p.otherViolations}\n`
        : `${a.engine}: power loss: not applicable (${p.reason})\n`,
    );
    failed ||= p.lost + p.wrongValues + p.tornBatches + p.otherViolations > 0;
  }
  if (a.corruption > 0) {
    const c = await runCorruption({ engine: a.engine, seed: a.seed, casesPerKind: a.corruption });
    entry.corruption = c;
    const o = c.outcomes;
    io.out(
      c.applicable
        ? `${a.engine}: corruption: ${c.injected} injected into ${c.fileTypes.join(', ')}: detected ${o.detected}, intact ${o.intact}, bounded loss ${o['bounded-loss']}, stale ${o['stale-value']}, wrong ${o['wrong-value']}, other KvError ${o['other-kverror']}, uncaught ${o.uncaught}, died ${o['process-died']}, hang ${o.hang}\n`
        : `${a.engine}: corruption: not applicable (${c.reason})\n`,
    );
    failed ||= CORRUPTION_FAILURES.some((k) => c.outcomes[k] > 0);
  }
  for (const v of [...crash.violations, ...(entry.powerLoss?.violations ?? []), ...(entry.corruption?.violations ?? [])].slice(0, 20))
    io.out(`  VIOLATION ${v.kind} engine=${v.engine} seed=${v.seed} cycle=${v.cycle}${v.key !== undefined ? ` key=${v.key}` : ''}: ${v.detail}\n`);
  if (a.out) writeResults(a.out, results);
  return failed ? 1 : 0;
}
