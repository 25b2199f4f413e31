/**
 * bench/torture: the long crash and corruption torture of every persistent registered engine.
 * Per engine: `--cycles` (default 1000) SIGKILL cycles on one cumulative store under `group`
 * durability with the stress options (frequent flushes, merges, rollovers), `--always-cycles`
 * (default 100) more under `always`, `--crashes` (default 200) simulated power losses (CrashFs)
 * `--faults` (default 100) injected I/O failures (FaultFs) and `--cases` (default 8) damaged copies
 * per file type and mutation kind. `--reference-cycles` sets the SIGKILL cycles of reference
 * engines (default: `--cycles`).
 *
 * Run: `npx tsc -p torture/tsconfig.json && npx tsc -p . ; node dist/bench/torture.js [--engines a,b]
 * [--cycles N] [--reference-cycles N] [--always-cycles N] [--crashes N] [--faults N] [--cases N]
 * [--concurrency N] [--shards N] [--seed S] [--out FILE]`. `--shards` spreads an engine's
 * SIGKILL cycles over N independent cumulative stores run side by side (seeds S..S+N-1).
 * Writes bench/results/torture.json (rewritten after each engine, so a cut-short run keeps
 * what finished) and prints one summary line per engine and section.
 */
import { runCorruption } from '../torture/corrupt.js';
import { mergeCrashSections, runCrashTorture } from '../torture/crash-driver.js';
import { runFaultTorture } from '../torture/faults.js';
import { probeEngine } from '../torture/engine-ref.js';
import { isReferenceEngine, persistentEngines, stressSpec } from '../torture/policy.js';
import { runPowerLoss } from '../torture/power-loss.js';
import { newResults, writeResults, type CrashSection, type EngineTortureResult } from '../torture/results.js';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const cycles = flag('cycles', 1000);
const alwaysCycles = flag('always-cycles', 100);
const crashes = flag('crashes', 200);
const cases = flag('cases', 8);
const faultTrials = flag('faults', 100);
const referenceCycles = flag('reference-cycles', cycles);
const concurrency = flag('concurrency', 3);
const shards = flag('shards', 1);
const seed = flag('seed', 20261121);
const ei = process.argv.indexOf('--engines');
const only = ei >= 0 ? process.argv[ei + 1]!.split(',') : undefined;
const oi = process.argv.indexOf('--out');
const out = oi >= 0 ? process.argv[oi + 1]! : 'bench/results/torture.json';

const results = newResults(process.argv.slice(2));
const engines = persistentEngines().filter((d) => !only || only.includes(d.name));

async function tortureOne(name: string): Promise<void> {
  const d = engines.find((x) => x.name === name)!;
  const entry: EngineTortureResult = { engine: name, crash: [], powerLoss: null, corruption: null };
  results.engines.push(entry);
  const unavailable = await probeEngine({ spec: name });
  if (unavailable) {
    console.log(`${name}: not available here (${unavailable})`);
    writeResults(out, results);
    return;
  }
  const stress = stressSpec(d) ?? name;
  const t0 = Date.now();
  if (d.capabilities.durability.includes('group')) {
    const n = isReferenceEngine(d) ? referenceCycles : cycles;
    // Shards: independent cumulative stores run side by side (cycles of one store are sequential).
    const k = Math.max(1, Math.min(shards, n));
    const parts: CrashSection[] = [];
    const samples: number[] = [];
    const done: number[] = new Array<number>(k).fill(0);
    const partial: CrashSection[] = new Array<CrashSection>(k);
    await Promise.all(
      Array.from({ length: k }, async (_, i) => {
        parts[i] = await runCrashTorture({
          engine: stress, cycles: Math.ceil(n / k) - (i < k * Math.ceil(n / k) - n ? 1 : 0), seed: seed + i, durability: 'group', recoverySamples: samples,
          onCycle: (c, sec) => {
            done[i] = c;
            partial[i] = sec;
            const total = done.reduce((a, b) => a + b, 0);
            if (total % 100 !== 0 || partial.some((p) => p === undefined)) return;
            console.log(`  ${name}: cycle ${total}/${n} (${Math.round((Date.now() - t0) / 1000)} s)`);
            entry.crash = [mergeCrashSections(partial, samples)]; // a cut-short run keeps the cycles done so far
            writeResults(out, results);
          },
        });
      }),
    );
    entry.crash = [mergeCrashSections(parts, samples)];
    writeResults(out, results);
  }
  if (alwaysCycles > 0 && d.capabilities.durability.includes('always')) {
    entry.crash.push(await runCrashTorture({ engine: name, cycles: alwaysCycles, seed: seed + 1, durability: 'always' }));
    writeResults(out, results);
  }
  for (const s of entry.crash) {
    const r = s.recoveryMs;
    console.log(
      `${name}: crash ${s.durability}${s.applicable ? '' : ` n/a (${s.reason})`}: ${s.cycles} cycles (${s.killedByParent} SIGKILL, ${s.killedDuringRecovery} during recovery), ` +
        `${s.opsAcknowledged} acked, ${s.durableVerified} durable verified, lost ${s.lost}, wrong ${s.wrongValues}, torn ${s.tornBatches}, other ${s.otherViolations}, ` +
        `recovery ms p50 ${r.p50} p90 ${r.p90} p99 ${r.p99} max ${r.max}, ${Math.round(s.elapsedMs / 1000)} s`,
    );
  }
  if (crashes > 0) {
    const durability = d.capabilities.durability.includes('group') ? 'group' : 'always';
    const p = await runPowerLoss({ engine: stress, crashes, seed, durability });
    entry.powerLoss = p;
    writeResults(out, results);
    console.log(
      p.applicable
        ? `${name}: power loss ${durability}: ${p.crashes} crashes, ${p.opsAcknowledged} acked, ${p.durableVerified} durable verified, lost ${p.lost}, wrong ${p.wrongValues}, torn ${p.tornBatches}, other ${p.otherViolations}`
        : `${name}: power loss n/a (${p.reason})`,
    );
  }
  if (faultTrials > 0) {
    const f = await runFaultTorture({ engine: stress, seed, trials: faultTrials });
    entry.faults = f;
    writeResults(out, results);
    console.log(
      f.applicable
        ? `${name}: I/O faults: ${f.trials} trials, ${f.faultsInjected} failures injected, ${f.typedErrors} surfaced as KvError, violations ${f.violationCount}`
        : `${name}: I/O faults n/a (${f.reason})`,
    );
  }
  if (cases > 0) {
    const c = await runCorruption({ engine: stress, seed, casesPerKind: cases });
    entry.corruption = c;
    writeResults(out, results);
    const o = c.outcomes;
    const detectedPct = c.injected ? ((100 * o.detected) / c.injected).toFixed(1) : 'n/a';
    console.log(
      `${name}: corruption: ${c.injected} injected into [${c.fileTypes.join(' ')}]: detected ${o.detected} (${detectedPct}%), intact ${o.intact}, ` +
        `bounded loss ${o['bounded-loss']}, stale ${o['stale-value']}, wrong ${o['wrong-value']}, other KvError ${o['other-kverror']}, uncaught ${o.uncaught}, died ${o['process-died']}, hang ${o.hang}`,
    );
  }
}

const queue = engines.map((d) => d.name);
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) await tortureOne(name);
  }),
);
writeResults(out, results);
console.log(`wrote ${out}`);
