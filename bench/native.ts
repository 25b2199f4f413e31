/**
 * native figures (issue 8), each measured side by side with hashlog in ONE run:
 * 1. YCSB A, B, D, C, F run-phase throughput through the harness (harness/runner.ts) in raw mode
 *    (opaque 1 KiB values, recordcount 100,000, durability none), native vs hashlog, pairs
 *    alternated and repeated; the median per workload, ratios and their geometric mean
 *    (target: >= 1.3).
 * 2. Index memory per key with 1,000,000 keys of 23 bytes, key bytes included, by each engine's
 *    own exact accounting (`stats().indexMemoryBytes`: bytes allocated by the index, keys
 *    included); native keeps no key bytes in memory (they live in the log, see
 *    engines/native/README.md), hashlog keeps them in an arena (target: native <= 0.5 x hashlog).
 *    Process RSS deltas are reported beside them for context.
 * 3. The cost of one JS -> native call (a native call that does nothing but read its handle),
 *    and per item: single get vs getMany, single put vs putMany (batch of 100), in process CPU
 *    time per item (wall time on this shared 2-core machine mostly measures waiting for a core).
 * Writes bench/results/native.json. Run: npm run build:native ; npx tsc -p . ; node dist/bench/native.js
 */
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { Engine } from '../engines/engine.js';
import { loadBinding } from '../engines/native/binding.js';
import { openSyncEngine } from '../engines/registry.js';
import { runBenchmark } from '../harness/runner.js';
import { loadWorkload } from '../harness/workload.js';
import { median } from '../harness/stats.js';
import { environmentManifest } from '../harness/environment.js';

const ENGINES = ['hashlog', 'native'] as const;
const WORKLOADS = ['a', 'b', 'c', 'd', 'f'] as const;
const RECORDS = 100_000;
const OPERATIONS = Number(process.env.KVLAB_BENCH_OPS ?? 200_000);
const REPEATS = Number(process.env.KVLAB_BENCH_REPEATS ?? 3);
const MEM_KEYS = 1_000_000;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const tmp = (tag: string) => nodefs.mkdtempSync(path.join(os.tmpdir(), `kvlab-bench-native-${tag}-`));
const rm = (d: string) => nodefs.rmSync(d, { recursive: true, force: true });
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const round = (x: number, d = 3) => Number(x.toFixed(d));

/** Section 1: run-phase throughput through the harness. */
async function ycsb(): Promise<Record<string, { hashlog: number[]; native: number[]; ratio: number }>> {
  const out: Record<string, { hashlog: number[]; native: number[]; ratio: number }> = {};
  for (const w of WORKLOADS) {
    const workload = loadWorkload([w], {
      recordcount: String(RECORDS), operationcount: String(OPERATIONS), valuemode: 'raw', rawvaluelength: '1024',
    });
    const tp: Record<(typeof ENGINES)[number], number[]> = { hashlog: [], native: [] };
    for (let r = 0; r < REPEATS; r++) {
      const order = r % 2 === 0 ? ENGINES : [...ENGINES].reverse();
      for (const engine of order) {
        const dir = tmp(engine);
        try {
          gc();
          const res = await runBenchmark({
            command: 'run', argv: [], engine, dir, freshDir: true, durability: 'none', workload, seed: 1 + r,
            phases: ['load', 'run'], trials: 1, threads: 1, targetOpsPerSec: null, warmupOps: 0, intervalMs: 1000,
            status: 'off', harnessCost: null, matrix: null,
          });
          const run = res.phases.find((p) => p.phase === 'run')!;
          tp[engine].push(run.trials[0]!.throughput);
        } finally {
          rm(dir);
        }
      }
    }
    const ratio = median(tp.native) / median(tp.hashlog);
    out[w] = { hashlog: tp.hashlog.map((x) => Math.round(x)), native: tp.native.map((x) => Math.round(x)), ratio: round(ratio) };
    console.log(`workload${w}: hashlog ${Math.round(median(tp.hashlog))} ops/s, native ${Math.round(median(tp.native))} ops/s, ratio ${ratio.toFixed(2)}`);
  }
  return out;
}

const key23 = (i: number) => Buffer.from(`user${String(i).padStart(19, '0')}`);

type Mem = { indexBytesPerKey: number; rssBytesPerKey: number };

/** Section 2 (in a fresh child process per engine, so RSS deltas are not polluted): 1M keys. */
function memoryChild(engine: string): Mem {
  const dir = tmp(`mem-${engine}`);
  const value = Buffer.alloc(8, 0x61);
  try {
    // Warm the JS heap with the same garbage the put loop makes, so the RSS delta is the engine's.
    let n = 0;
    for (let i = 0; i < MEM_KEYS; i++) n += key23(i).length + value.length;
    if (n === 0) throw new Error('unreachable');
    gc();
    const rss0 = process.memoryUsage().rss;
    const e = openSyncEngine(engine, { dir, durability: 'none' });
    for (let i = 0; i < MEM_KEYS; i++) e.put(key23(i), value);
    gc();
    const rss1 = process.memoryUsage().rss;
    const s = e.stats();
    if (s.liveKeys !== MEM_KEYS) throw new Error(`${engine}: ${s.liveKeys} keys, expected ${MEM_KEYS}`);
    e.close();
    return { indexBytesPerKey: round(s.indexMemoryBytes / MEM_KEYS, 2), rssBytesPerKey: round((rss1 - rss0) / MEM_KEYS, 2) };
  } finally {
    rm(dir);
  }
}

function memory(): Record<string, Mem> {
  const out: Record<string, Mem> = {};
  for (const engine of ENGINES) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--memory-child', engine], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`memory child for ${engine} failed: ${r.stderr}`);
    out[engine] = JSON.parse(r.stdout.trim().split('\n').pop()!) as Mem;
    console.log(`${engine}: index ${out[engine]!.indexBytesPerKey} B/key (own accounting, keys included), RSS delta ${out[engine]!.rssBytesPerKey} B/key`);
  }
  return out;
}

/**
 * ns per iteration of `f`: process CPU time (user + system) per iteration, median of 5 runs of
 * `n` iterations. CPU time rather than wall time: on a shared, overloaded machine wall time
 * mostly measures the wait for a core.
 */
function nsPer(n: number, f: (i: number) => void): number {
  const xs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f(i);
    const c = process.cpuUsage(c0);
    xs.push(((c.user + c.system) * 1e3) / n);
  }
  return round(median(xs), 1);
}

/** Section 3: crossing costs. */
function calls(): Record<string, number> {
  const dir = tmp('calls');
  const N = 20_000;
  const BATCH = 100;
  try {
    const e = openSyncEngine('native', { dir, durability: 'none' }) as Engine;
    const keys = Array.from({ length: N }, (_, i) => key23(i));
    const value = Buffer.alloc(1024, 0x62);
    for (const k of keys) e.put(k, value);
    const n = loadBinding();
    const h = (e as unknown as { h: Parameters<typeof n.maxSeq>[0] }).h;
    const out: Record<string, number> = {};
    out.emptyCallNs = nsPer(2_000_000, () => n.maxSeq(h));
    out.getSingleNsPerItem = nsPer(N, (i) => e.get(keys[i]!));
    out.getManyNsPerItem = round(nsPer(N / BATCH, (i) => e.getMany(keys.slice(i * BATCH, i * BATCH + BATCH))) / BATCH, 1);
    const values = Array.from({ length: BATCH }, () => value);
    out.putSingleNsPerItem = nsPer(N, (i) => e.put(keys[i]!, value));
    out.putManyNsPerItem = round(nsPer(N / BATCH, (i) => e.putMany(keys.slice(i * BATCH, i * BATCH + BATCH), values)) / BATCH, 1);
    e.close();
    for (const [k, v] of Object.entries(out)) console.log(`${k}: ${v} ns`);
    return out;
  } finally {
    rm(dir);
  }
}

if (process.argv[2] === '--memory-child') {
  console.log(JSON.stringify(memoryChild(process.argv[3]!)));
  process.exit(0);
}

const started = new Date().toISOString();
const callCost = calls();
const mem = memory();
const y = await ycsb();
const ratios = Object.values(y).map((x) => x.ratio);
const gm = geomean(ratios);
const memRatio = mem.native!.indexBytesPerKey / mem.hashlog!.indexBytesPerKey;
console.log(`geometric mean of run throughput ratios (native/hashlog, YCSB A B C D F): ${gm.toFixed(2)} (target >= 1.3)`);
console.log(`index memory per key, native/hashlog: ${memRatio.toFixed(2)} (target <= 0.5)`);
const result = {
  bench: 'native',
  startedAt: started,
  finishedAt: new Date().toISOString(),
  environment: environmentManifest(os.tmpdir(), 0),
  ycsb: {
    method: `harness runBenchmark, load then run, raw 1 KiB values, recordcount ${RECORDS}, operationcount ${OPERATIONS}, durability none, ${REPEATS} alternated repeats, median`,
    workloads: y,
    geometricMeanRatio: round(gm),
    target: 1.3,
  },
  indexMemory: { keys: MEM_KEYS, keyBytes: 23, engines: mem, ratio: round(memRatio), target: 0.5 },
  callCost: { method: 'process CPU ns per item, median of 5 loops; get/put of 1 KiB values (page cache); batches of 100', ...callCost },
};
const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
nodefs.mkdirSync(resultsDir, { recursive: true });
nodefs.writeFileSync(path.join(resultsDir, 'native.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${path.join(resultsDir, 'native.json')}`);
