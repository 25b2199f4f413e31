/**
 * btree figures (issue 7), side by side in one run against the reference engines `sqlite`
 * (better-sqlite3, WITHOUT ROWID, WAL) and `lmdb` (lmdb-js, noSync), all opened through the
 * registry at durability `none` (engines/reference documents what `none` means for each):
 * - YCSB A-F run throughput after a load of `recordcount` records with 1 KiB values (raw value
 *   mode), and the geometric mean over A-F (target: btree >= 1.0 x SQLite; C >= 0.5 x LMDB);
 * - workload C again, btree and lmdb alternating `--c-rounds` times on stores loaded side by
 *   side (median of the per-round ratios), because phases minutes apart drift on a shared machine;
 * - space amplification (bytes on disk / live key+value bytes) after the load and after a churn
 *   run at steady size (updates, deletes and inserts in equal measure).
 *
 * The operation streams come from workloads/ (OperationStream: YCSB CoreWorkload key choice,
 * zipfian/latest distributions, scan lengths) and are generated before timing, so only engine
 * calls are timed. Values are drawn from a pool of random 1 KiB blobs. btree and SQLite get the
 * same page-cache budget (256 MiB); LMDB reads through its mmap (the OS page cache).
 *
 * Run: npx tsc -p . ; node dist/bench/btree.js [--records N] [--ops N] [--repeats N] [--churn N] [--c-rounds N]
 * Writes bench/results/btree.json.
 */
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSyncEngine } from '../engines/registry.js';
import { loadProperties, newOperation, OperationStream, parseWorkloadConfig, workloadFile } from '../workloads/index.js';
import type { OpType } from '../workloads/index.js';
import { environmentManifest } from '../harness/environment.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RECORDS = arg('records', 100_000);
const OPS = arg('ops', 100_000);
const REPEATS = arg('repeats', 1);
const CHURN = arg('churn', 100_000);
/** Interleaved repeats of workload C (btree and lmdb alternating on stores loaded side by side). */
const C_ROUNDS = arg('c-rounds', 5);
const VALUE = 1024;
const CACHE_MB = 256;
const WORKLOADS = ['workloada', 'workloadb', 'workloadc', 'workloadd', 'workloade', 'workloadf'];

/** What the bench needs from an engine. */
interface Kv {
  get(k: Buffer): Uint8Array | undefined;
  put(k: Buffer, v: Buffer): void;
  del(k: Buffer): void;
  scan(k: Buffer, n: number): number;
  close(): void;
}

/** Every engine through the same contract and registry (engines/reference for SQLite and LMDB). */
function viaRegistry(spec: string): (dir: string) => Kv {
  return (dir) => {
    const e = openSyncEngine(spec, { dir, durability: 'none' });
    return {
      get: (k) => e.get(k),
      put: (k, v) => e.put(k, v),
      del: (k) => e.delete(k),
      scan: (k, n) => e.scan(k, n).length,
      close: () => e.close(),
    };
  };
}

const SPECS: Record<string, string> = {
  btree: `btree:cacheSize=${CACHE_MB}MiB`,
  sqlite: `sqlite:cacheKiB=${CACHE_MB * 1024}`,
  lmdb: 'lmdb',
};
const ENGINES: Record<string, (dir: string) => Kv> = Object.fromEntries(Object.entries(SPECS).map(([n, spec]) => [n, viaRegistry(spec)]));

/** A pre-generated operation. */
interface Op {
  type: OpType | 'DELETE';
  key: Buffer;
  n: number;
}

const pool = Array.from({ length: 64 }, (_, i) => {
  const b = Buffer.allocUnsafe(VALUE);
  let x = 0x9e3779b9 ^ (i * 7919);
  for (let j = 0; j < VALUE; j++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[j] = x >>> 24;
  }
  return b;
});

function config(name: string) {
  return parseWorkloadConfig(loadProperties([workloadFile(name)], {
    recordcount: String(RECORDS), operationcount: String(OPS), valuemode: 'raw', rawvaluelength: String(VALUE),
  }));
}

function loadOps(): Buffer[] {
  const s = new OperationStream(config('workloada'), 1);
  const op = newOperation();
  const keys: Buffer[] = [];
  while (s.nextLoad(op)) keys.push(Buffer.from(op.key));
  return keys;
}

/** The run ops of each workload, in order; inserts continue the key numbers of earlier ones. */
function runOps(): Record<string, Op[]> {
  const out: Record<string, Op[]> = {};
  let inserted = 0;
  for (const w of WORKLOADS) {
    const cfg = config(w);
    const s = new OperationStream(parseWorkloadConfig({ ...cfg.props, recordcount: String(RECORDS + inserted) }), 7);
    const op = newOperation();
    const ops: Op[] = [];
    for (let i = 0; i < OPS; i++) {
      s.nextRun(op);
      if (op.type === 'INSERT') {
        s.acknowledge(op.keynum);
        inserted++;
      }
      ops.push({ type: op.type, key: Buffer.from(op.key), n: op.scanLength });
    }
    out[w] = ops;
  }
  return out;
}

function dirBytes(dir: string): { size: number; allocated: number } {
  let size = 0;
  let allocated = 0;
  for (const e of nodefs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const st = nodefs.statSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
    size += st.size;
    allocated += st.blocks * 512;
  }
  return { size, allocated };
}

function execute(kv: Kv, ops: Op[]): number {
  let v = 0;
  const t0 = performance.now();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    switch (op.type) {
      case 'READ':
        kv.get(op.key);
        break;
      case 'UPDATE':
      case 'INSERT':
        kv.put(op.key, pool[v++ & 63]!);
        break;
      case 'SCAN':
        kv.scan(op.key, op.n);
        break;
      case 'DELETE':
        kv.del(op.key);
        break;
      case 'READMODIFYWRITE':
        kv.get(op.key);
        kv.put(op.key, pool[v++ & 63]!);
        break;
    }
  }
  return ops.length / ((performance.now() - t0) / 1000);
}

interface EngineResult {
  loadOpsPerSec: number;
  run: Record<string, number>;
  geomean: number;
  liveBytesAfterLoad: number;
  diskAfterLoad: { size: number; allocated: number };
  spaceAmpAfterLoad: number;
  liveBytesAfterChurn: number;
  diskAfterChurn: { size: number; allocated: number };
  spaceAmpAfterChurn: number;
}

function runEngine(name: string, load: Buffer[], runs: Record<string, Op[]>, churn: Op[]): EngineResult {
  const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), `kvlab-bench-btree-${name}-`));
  try {
    let kv = ENGINES[name]!(dir);
    const loadOpsList: Op[] = load.map((key) => ({ type: 'INSERT', key, n: 0 }));
    const loadOpsPerSec = execute(kv, loadOpsList);
    kv.close(); // durable, and a cold-ish reopen like a fresh YCSB run
    const liveLoad = load.reduce((s, k) => s + k.length + VALUE, 0);
    const diskAfterLoad = dirBytes(dir);
    kv = ENGINES[name]!(dir);
    const run: Record<string, number> = {};
    for (const w of WORKLOADS) run[w] = execute(kv, runs[w]!);
    // churn at steady size: the live set after the runs, then equal deletes and re-inserts plus updates
    execute(kv, churn);
    kv.close();
    const live = new Map<string, number>();
    for (const k of load) live.set(k.toString('latin1'), k.length + VALUE);
    for (const w of WORKLOADS) for (const op of runs[w]!) if (op.type === 'INSERT') live.set(op.key.toString('latin1'), op.key.length + VALUE);
    for (const op of churn) {
      if (op.type === 'INSERT' || op.type === 'UPDATE') live.set(op.key.toString('latin1'), op.key.length + VALUE);
      else if (op.type === 'DELETE') live.delete(op.key.toString('latin1'));
    }
    let liveChurn = 0;
    for (const b of live.values()) liveChurn += b;
    const diskAfterChurn = dirBytes(dir);
    const geomean = Math.exp(WORKLOADS.reduce((s, w) => s + Math.log(run[w]!), 0) / WORKLOADS.length);
    return {
      loadOpsPerSec, run, geomean, liveBytesAfterLoad: liveLoad, diskAfterLoad, spaceAmpAfterLoad: diskAfterLoad.size / liveLoad,
      liveBytesAfterChurn: liveChurn, diskAfterChurn, spaceAmpAfterChurn: diskAfterChurn.size / liveChurn,
    };
  } finally {
    nodefs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Churn: delete a live key, insert a fresh one, update two. */
function churnOps(load: Buffer[]): Op[] {
  const ops: Op[] = [];
  const live = load.slice();
  let next = 0;
  let x = 12345;
  const rnd = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  for (let i = 0; i < CHURN; i += 4) {
    const j = rnd(live.length);
    ops.push({ type: 'DELETE', key: live[j]!, n: 0 });
    const fresh = Buffer.from(`churn${String(next++).padStart(18, '0')}`);
    live[j] = fresh;
    ops.push({ type: 'INSERT', key: fresh, n: 0 });
    ops.push({ type: 'UPDATE', key: live[rnd(live.length)]!, n: 0 });
    ops.push({ type: 'UPDATE', key: live[rnd(live.length)]!, n: 0 });
  }
  return ops;
}

/**
 * Workload C measured alternately on btree and lmdb stores loaded side by side, `C_ROUNDS`
 * times each; returns the per-round rates. Alternating cancels most of the drift of a noisy,
 * shared machine that separate phases minutes apart suffer from.
 */
function interleavedC(load: Buffer[], ops: Op[]): Record<string, number[]> {
  const names = ['btree', 'lmdb'];
  const dirs = names.map((n) => nodefs.mkdtempSync(path.join(os.tmpdir(), `kvlab-bench-btree-c-${n}-`)));
  try {
    const kvs = names.map((n, i) => ENGINES[n]!(dirs[i]!));
    const loadOps: Op[] = load.map((key) => ({ type: 'INSERT', key, n: 0 }));
    kvs.forEach((kv) => execute(kv, loadOps));
    kvs.forEach((kv) => execute(kv, ops)); // warm-up round, not counted
    const out: Record<string, number[]> = { btree: [], lmdb: [] };
    for (let r = 0; r < C_ROUNDS; r++) names.forEach((n, i) => out[n]!.push(execute(kvs[i]!, ops)));
    kvs.forEach((kv) => kv.close());
    return out;
  } finally {
    for (const d of dirs) nodefs.rmSync(d, { recursive: true, force: true });
  }
}

function main(): void {
  const load = loadOps();
  const runs = runOps();
  const churn = churnOps(load);
  const results: Record<string, EngineResult[]> = {};
  for (let r = 0; r < REPEATS; r++) {
    for (const name of Object.keys(ENGINES)) {
      const res = runEngine(name, load, runs, churn);
      (results[name] ??= []).push(res);
      console.log(`${name} (repeat ${r + 1}): load ${res.loadOpsPerSec.toFixed(0)}/s; ${WORKLOADS.map((w) => `${w.slice(-1).toUpperCase()} ${res.run[w]!.toFixed(0)}`).join(', ')}; geomean ${res.geomean.toFixed(0)}; space amp load ${res.spaceAmpAfterLoad.toFixed(2)} churn ${res.spaceAmpAfterChurn.toFixed(2)}`);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary: Record<string, { geomean: number; run: Record<string, number>; spaceAmpAfterLoad: number; spaceAmpAfterChurn: number }> = {};
  for (const [name, rs] of Object.entries(results)) {
    summary[name] = {
      geomean: med(rs.map((x) => x.geomean)),
      run: Object.fromEntries(WORKLOADS.map((w) => [w, med(rs.map((x) => x.run[w]!))])),
      spaceAmpAfterLoad: med(rs.map((x) => x.spaceAmpAfterLoad)),
      spaceAmpAfterChurn: med(rs.map((x) => x.spaceAmpAfterChurn)),
    };
  }
  const c = C_ROUNDS > 0 ? interleavedC(load, runs.workloadc!) : { btree: [], lmdb: [] };
  const cRatios = c.btree!.map((x, i) => x / c.lmdb![i]!);
  const ratios = {
    geomeanVsSqlite: summary.btree!.geomean / summary.sqlite!.geomean,
    workloadcVsLmdb: summary.btree!.run.workloadc! / summary.lmdb!.run.workloadc!,
    workloadcVsLmdbInterleavedMedian: cRatios.length ? med(cRatios) : null,
  };
  console.log(`btree geomean / sqlite geomean = ${ratios.geomeanVsSqlite.toFixed(2)} (target >= 1.0)`);
  console.log(`btree C / lmdb C (main run) = ${ratios.workloadcVsLmdb.toFixed(2)} (target >= 0.5)`);
  if (cRatios.length)
    console.log(`btree C / lmdb C interleaved x${C_ROUNDS}: btree ${c.btree!.map((x) => x.toFixed(0)).join(' ')}; lmdb ${c.lmdb!.map((x) => x.toFixed(0)).join(' ')}; median ratio ${ratios.workloadcVsLmdbInterleavedMedian!.toFixed(2)}`);
  const out = {
    bench: 'btree', date: new Date().toISOString(), environment: environmentManifest(os.tmpdir(), 0),
    settings: { records: RECORDS, opsPerWorkload: OPS, valueBytes: VALUE, durability: 'none', cacheMB: CACHE_MB, churnOps: CHURN, repeats: REPEATS,
      specs: SPECS, via: 'engines/registry openSyncEngine, one call per operation' },
    ratios, summary, results, interleavedC: c,
  };
  nodefs.mkdirSync('bench/results', { recursive: true });
  nodefs.writeFileSync('bench/results/btree.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results/btree.json');
}

main();
