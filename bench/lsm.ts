/**
 * lsm figures (issue 6), measured side by side in one process:
 * 1. YCSB A–F (kvlab's workloads module: CoreWorkload streams, zipfian/latest, scans), recordcount
 *    100,000, raw 1 KiB values, durability none: lsm vs LevelDB (classic-level). Each engine loads
 *    a fresh store, then runs A, B, C, F, D, E in YCSB's recommended order on it. Operation streams
 *    are materialised before timing, so both engines replay identical operations and the
 *    generators' cost is excluded. classic-level: getSync for reads, awaited promises for writes,
 *    one iterator + nextv per scan. Repeated REPEATS times (engine order alternating); the median
 *    throughput per phase is reported, and the ratios lsm / LevelDB.
 * 2. Write and space amplification, leveled vs tiered, on an update-heavy run (load, then uniform
 *    updates of the whole key space several times over); space amplification sampled during the run.
 * 3. Blocks read per get of missing keys, bloomBits=0 vs 10 (keys loaded in scrambled order).
 * Writes bench/results/lsm.json. Run: npx tsc -p . ; node dist/bench/lsm.js
 * Env: LSM_BENCH_RECORDS (100000), LSM_BENCH_OPS (100000), LSM_BENCH_REPEATS (3), LSM_BENCH_SPEC (lsm);
 * LSM_BENCH_BLOOM_ONLY=1 re-measures part 3 into the existing JSON.
 * LSM_BENCH_MATRIX_DIR=DIR summarises a `kvlab matrix --engines lsm,classic-level` output into it
 * (the real harness: fresh store per workload, operations generated live; see README).
 * LSM_BENCH_YCSB_ONLY=1 runs only part 1 and adds it to the existing JSON under ycsbVariants[spec].
 */
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { Engine } from '../engines/engine.js';
import { openSyncEngine } from '../engines/registry.js';
import { loadProperties, newOperation, OperationStream, parseWorkloadConfig, RecordCodec, workloadFile } from '../workloads/index.js';
import type { OpType } from '../workloads/index.js';
import { median } from '../harness/stats.js';
import { environmentManifest } from '../harness/environment.js';

const RECORDS = Number(process.env.LSM_BENCH_RECORDS ?? 100_000);
const OPS = Number(process.env.LSM_BENCH_OPS ?? 100_000);
const REPEATS = Number(process.env.LSM_BENCH_REPEATS ?? 3);
const SEED = 42;
/** The lsm spec the YCSB comparison runs (default options unless LSM_BENCH_SPEC says otherwise). */
const SPEC = process.env.LSM_BENCH_SPEC ?? 'lsm';
const PHASES = ['load', 'workloada', 'workloadb', 'workloadc', 'workloadf', 'workloadd', 'workloade'] as const;
type Phase = (typeof PHASES)[number];

const tmp = (tag: string) => nodefs.mkdtempSync(path.join(os.tmpdir(), `kvlab-bench-lsm-${tag}-`));
const rm = (d: string) => nodefs.rmSync(d, { recursive: true, force: true });
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const round = (x: number, d = 3) => Number(x.toFixed(d));

/** One materialised operation. */
interface Op {
  type: OpType;
  key: Buffer;
  value: Buffer | undefined;
  scanLength: number;
}

function props(name: Phase): Record<string, string> {
  const file = workloadFile(name === 'load' ? 'workloada' : name);
  return loadProperties([file], { recordcount: String(RECORDS), operationcount: String(OPS), valuemode: 'raw', rawvaluelength: '1024' });
}

/** The load phase's inserts, or a workload's run operations, as arrays (identical for every engine). */
function materialise(name: Phase): Op[] {
  const config = parseWorkloadConfig(props(name));
  const stream = new OperationStream(config, SEED);
  const codec = new RecordCodec(config, SEED);
  const op = newOperation();
  const out: Op[] = [];
  if (name === 'load') {
    while (stream.nextLoad(op)) out.push({ type: 'INSERT', key: Buffer.from(op.key), value: Buffer.from(codec.insertValue(op)), scanLength: 0 });
    return out;
  }
  for (let i = 0; i < config.operationcount; i++) {
    stream.nextRun(op);
    const key = Buffer.from(op.key);
    let value: Buffer | undefined;
    if (op.type === 'INSERT') value = Buffer.from(codec.insertValue(op));
    else if (op.type === 'UPDATE' || op.type === 'READMODIFYWRITE') value = Buffer.from(codec.updateValue(op, undefined));
    out.push({ type: op.type, key, value, scanLength: op.scanLength });
    if (op.type === 'INSERT') stream.acknowledge(op.keynum);
  }
  return out;
}

/** Runs ops against the lsm engine; returns ops/s. */
function runLsm(e: Engine, ops: Op[]): number {
  let sink = 0;
  const t0 = performance.now();
  for (const op of ops) {
    switch (op.type) {
      case 'READ':
        sink += e.get(op.key)?.length ?? 0;
        break;
      case 'UPDATE':
      case 'INSERT':
        e.put(op.key, op.value!);
        break;
      case 'READMODIFYWRITE':
        sink += e.get(op.key)?.length ?? 0;
        e.put(op.key, op.value!);
        break;
      case 'SCAN':
        sink += e.scan(op.key, op.scanLength).length;
        break;
    }
  }
  const s = (performance.now() - t0) / 1000;
  if (sink < 0) console.log(sink);
  return ops.length / s;
}

type Level = ClassicLevel<Uint8Array, Uint8Array>;
const ENC = { keyEncoding: 'view', valueEncoding: 'view' } as const;

/** Runs ops against LevelDB (classic-level); returns ops/s. */
async function runLevel(db: Level, ops: Op[]): Promise<number> {
  let sink = 0;
  const t0 = performance.now();
  for (const op of ops) {
    switch (op.type) {
      case 'READ':
        sink += db.getSync(op.key, ENC)?.length ?? 0;
        break;
      case 'UPDATE':
      case 'INSERT':
        await db.put(op.key, op.value!, ENC);
        break;
      case 'READMODIFYWRITE':
        sink += db.getSync(op.key, ENC)?.length ?? 0;
        await db.put(op.key, op.value!, ENC);
        break;
      case 'SCAN': {
        const it = db.iterator({ gte: op.key, limit: op.scanLength, ...ENC });
        sink += (await it.nextv(op.scanLength)).length;
        await it.close();
        break;
      }
    }
  }
  const s = (performance.now() - t0) / 1000;
  if (sink < 0) console.log(sink);
  return ops.length / s;
}

async function ycsb(): Promise<Record<string, unknown>> {
  const streams = new Map<Phase, Op[]>();
  for (const p of PHASES) streams.set(p, materialise(p));
  const lsm: Record<Phase, number[]> = Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>;
  const level: Record<Phase, number[]> = Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>;
  let lastStats: unknown;
  for (let r = 0; r < REPEATS; r++) {
    const order = r % 2 === 0 ? ['lsm', 'leveldb'] : ['leveldb', 'lsm'];
    for (const which of order) {
      const dir = tmp(which);
      try {
        if (which === 'lsm') {
          const e = openSyncEngine(SPEC, { dir, durability: 'none' });
          for (const p of PHASES) lsm[p].push(runLsm(e, streams.get(p)!));
          lastStats = e.stats();
          e.close();
        } else {
          const db: Level = new ClassicLevel<Uint8Array, Uint8Array>(dir, ENC);
          await db.open();
          for (const p of PHASES) level[p].push(await runLevel(db, streams.get(p)!));
          await db.close();
        }
      } finally {
        rm(dir);
      }
      console.log(`  repeat ${r + 1} ${which} done`);
    }
  }
  const rows: Record<string, { lsm: number; leveldb: number; ratio: number }> = {};
  for (const p of PHASES) {
    const a = median(lsm[p]);
    const b = median(level[p]);
    rows[p] = { lsm: Math.round(a), leveldb: Math.round(b), ratio: round(a / b) };
    console.log(`${p.padEnd(10)} lsm ${Math.round(a).toString().padStart(8)} ops/s   leveldb ${Math.round(b).toString().padStart(8)} ops/s   ratio ${(a / b).toFixed(2)}`);
  }
  const runPhases = PHASES.filter((p) => p !== 'load');
  const gm = geomean(runPhases.map((p) => rows[p]!.ratio));
  console.log(`geometric mean of run throughput ratios (A-F): ${gm.toFixed(2)} (target >= 1.0); load ratio ${rows.load!.ratio.toFixed(2)} (target >= 1.0)`);
  return { phases: rows, runGeomeanRatio: round(gm), loadRatio: rows.load!.ratio, samples: { lsm, leveldb: level }, lsmStatsAfterE: lastStats };
}

/** Update-heavy run: write and space amplification of one compaction style. */
function amplification(style: 'leveled' | 'tiered'): Record<string, number> {
  const dir = tmp(style);
  const keys = RECORDS;
  const updates = RECORDS * 5;
  const value = Buffer.alloc(1024);
  const key = (i: number) => Buffer.from(`user${String(i).padStart(10, '0')}`);
  let x = 12345;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  try {
    const e = openSyncEngine(`lsm:compaction=${style}`, { dir, durability: 'none' });
    for (let i = 0; i < keys; i++) {
      value.writeUInt32LE(i, 0);
      e.put(key(i), value);
    }
    const live = keys * (14 + 1024);
    const spaceSamples: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < updates; i++) {
      value.writeUInt32LE(i, 4);
      e.put(key(Math.floor(rnd() * keys)), value);
      if (i % 5000 === 4999) spaceSamples.push(e.stats().diskBytes / live);
    }
    const secs = (performance.now() - t0) / 1000;
    const s = e.stats();
    e.close();
    const r = {
      userBytesWritten: s.userBytesWritten,
      deviceBytesWritten: s.deviceBytesWritten,
      writeAmplification: round(s.deviceBytesWritten / s.userBytesWritten),
      compactionWriteAmplification: round(s.extra.compactionWriteAmplification!),
      spaceAmplificationMean: round(spaceSamples.reduce((a, b) => a + b, 0) / spaceSamples.length),
      spaceAmplificationMax: round(Math.max(...spaceSamples)),
      spaceAmplificationEnd: round(s.diskBytes / live),
      updatesPerSec: Math.round(updates / secs),
      compactions: s.compactions,
      levels: s.extra.levels!,
    };
    console.log(`${style.padEnd(8)} write amp ${r.writeAmplification} (tables only ${r.compactionWriteAmplification})  space amp mean ${r.spaceAmplificationMean} max ${r.spaceAmplificationMax} end ${r.spaceAmplificationEnd}  ${r.updatesPerSec} updates/s`);
    return r;
  } finally {
    rm(dir);
  }
}

/** Blocks read per get of a missing key, with and without bloom filters. */
function bloom(bits: number): Record<string, number> {
  const dir = tmp(`bloom${bits}`);
  try {
    const e = openSyncEngine(`lsm:bloomBits=${bits}`, { dir, durability: 'none' });
    const value = Buffer.alloc(1024, 7);
    // Even keys in a scrambled order (7919 is coprime with the record count), so tables of
    // every level overlap the whole key range; then gets of the odd keys, all absent.
    for (let j = 0; j < RECORDS; j++) {
      const i = (j * 7919) % RECORDS;
      e.put(Buffer.from(`user${String(i * 2).padStart(10, '0')}`), value);
    }
    const before = e.stats();
    const gets = RECORDS;
    const t0 = performance.now();
    for (let i = 0; i < gets; i++) if (e.get(Buffer.from(`user${String(i * 2 + 1).padStart(10, '0')}`)) !== undefined) throw new Error('found a missing key');
    const secs = (performance.now() - t0) / 1000;
    const s = e.stats();
    e.close();
    const d = (k: string) => s.extra[k]! - before.extra[k]!;
    const r = {
      bloomBits: bits,
      blocksPerMissingGet: round(d('getBlockReads') / gets),
      fileBlockReadsPerMissingGet: round(d('blockFileReads') / gets),
      bloomNegativesPerGet: round((s.bloomNegatives - before.bloomNegatives) / gets),
      bloomFalsePositiveRate: round(d('bloomFalsePositives') / Math.max(1, d('bloomFalsePositives') + s.bloomNegatives - before.bloomNegatives), 4),
      missingGetsPerSec: Math.round(gets / secs),
      tables: s.files - 2,
      levels: s.extra.levels!,
      l0Runs: s.extra['L0.runs']!,
    };
    console.log(`bloomBits=${String(bits).padEnd(3)} blocks per missing get ${r.blocksPerMissingGet} (from files ${r.fileBlockReadsPerMissingGet})  bloom negatives/get ${r.bloomNegativesPerGet}  ${r.missingGetsPerSec} gets/s`);
    return r;
  } finally {
    rm(dir);
  }
}

/** Median load and run throughput per engine × workload from a `kvlab matrix --out DIR`. */
function matrixSummary(dir: string): Record<string, unknown> {
  type Summary = { throughput: { median: number; values: number[] } };
  type R = { engine: { label: string }; workload: { name: string }; phases: Array<{ phase: string; summary: Summary }> };
  const cells: Record<string, Record<string, { load: number; run: number; trials: number }>> = {};
  for (const f of nodefs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const r = JSON.parse(nodefs.readFileSync(path.join(dir, f), 'utf8')) as R;
    const ph: Record<string, Summary> = Object.fromEntries(r.phases.map((p) => [p.phase, p.summary]));
    (cells[r.engine.label] ??= {})[r.workload.name] = { load: Math.round(ph.load!.throughput.median), run: Math.round(ph.run!.throughput.median), trials: ph.run!.throughput.values.length };
  }
  const lsm = cells.lsm!;
  const ref = cells['classic-level']!;
  const names = Object.keys(lsm).sort();
  const runRatios = names.map((w) => lsm[w]!.run / ref[w]!.run);
  const loadRatios = names.map((w) => lsm[w]!.load / ref[w]!.load);
  for (const w of names) console.log(`${w.padEnd(10)} run ${lsm[w]!.run} vs ${ref[w]!.run} (${(lsm[w]!.run / ref[w]!.run).toFixed(2)}), load ${lsm[w]!.load} vs ${ref[w]!.load} (${(lsm[w]!.load / ref[w]!.load).toFixed(2)})`);
  const out = { dir, cells, runGeomeanRatio: round(geomean(runRatios)), loadGeomeanRatio: round(geomean(loadRatios)) };
  console.log(`harness matrix: run geomean ratio ${out.runGeomeanRatio}, load geomean ratio ${out.loadGeomeanRatio}`);
  return out;
}

async function main(): Promise<void> {
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'bench', 'results', 'lsm.json');
  if (process.env.LSM_BENCH_MATRIX_DIR) {
    // Summarises a harness matrix (lsm vs classic-level) into the existing results.
    const prev = JSON.parse(nodefs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    prev.harnessMatrix = {
      date: new Date().toISOString(),
      command: `node dist/cli/main.js matrix --engines 'lsm,classic-level' --workloads a,b,c,d,e,f -p recordcount=100000 -p operationcount=100000 -p valuemode=raw -p rawvaluelength=1024 --durability none --trials N --out DIR; LSM_BENCH_MATRIX_DIR=DIR node dist/bench/lsm.js`,
      ...matrixSummary(process.env.LSM_BENCH_MATRIX_DIR),
    };
    nodefs.writeFileSync(file, JSON.stringify(prev, null, 2) + '\n');
    return;
  }
  if (process.env.LSM_BENCH_BLOOM_ONLY) {
    // Re-measures part 3 only and replaces it in the existing results.
    const prev = JSON.parse(nodefs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    prev.bloom = { date: new Date().toISOString(), command: 'LSM_BENCH_BLOOM_ONLY=1 node dist/bench/lsm.js', bloom0: bloom(0), bloom10: bloom(10) };
    nodefs.writeFileSync(file, JSON.stringify(prev, null, 2) + '\n');
    return;
  }
  console.log(`lsm bench (${SPEC}): ${RECORDS} records, ${OPS} ops per workload, 1 KiB raw values, durability none, ${REPEATS} repeats`);
  const y = await ycsb();
  if (process.env.LSM_BENCH_YCSB_ONLY) {
    // Adds this spec's YCSB comparison to the existing results as a variant.
    const prev = JSON.parse(nodefs.readFileSync(file, 'utf8')) as { ycsbVariants?: Record<string, unknown> };
    prev.ycsbVariants = { ...prev.ycsbVariants, [SPEC]: { date: new Date().toISOString(), repeats: REPEATS, command: `LSM_BENCH_YCSB_ONLY=1 LSM_BENCH_REPEATS=${REPEATS} LSM_BENCH_SPEC='${SPEC}' node dist/bench/lsm.js`, ...y } };
    nodefs.writeFileSync(file, JSON.stringify(prev, null, 2) + '\n');
    console.log(`added variant ${SPEC} to ${file}`);
    return;
  }
  console.log('update-heavy run (load, then 5 x recordcount uniform updates):');
  const amp = { leveled: amplification('leveled'), tiered: amplification('tiered') };
  console.log('missing-key gets:');
  const bl = { bloom0: bloom(0), bloom10: bloom(10) };
  const out = {
    bench: 'lsm',
    command: 'npx tsc -p . ; node dist/bench/lsm.js',
    date: new Date().toISOString(),
    environment: environmentManifest(os.tmpdir(), 0),
    lsmSpec: SPEC,
    records: RECORDS,
    opsPerWorkload: OPS,
    repeats: REPEATS,
    durability: 'none',
    leveldb: 'classic-level 3.0.0 defaults (8 MiB cache, snappy), sync: false',
    ycsb: y,
    amplification: amp,
    bloom: bl,
  };
  nodefs.mkdirSync(path.dirname(file), { recursive: true });
  nodefs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

await main();
