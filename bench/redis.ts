/**
 * Redis figures through the real harness (runBenchmark: load then run, YCSB values):
 * throughput and p99 on YCSB A and C against one redis-server and a three-primary Redis Cluster,
 * each at --threads 1, 8 and 64 operations in flight, with the embedded `hashlog` (one loop) run
 * in the same repeats as the no-network reference. Servers are started here on loopback with
 * `appendonly yes, appendfsync no` and engines opened with durability `none` (no fsync in any
 * figure). Repeats alternate the order of targets; medians are reported.
 *
 *   npx tsc -p . ; node dist/bench/redis.js [--matrix DIR]
 *
 * Env: KVLAB_BENCH_RECORDS (5000), KVLAB_BENCH_OPS (10000), KVLAB_BENCH_REPEATS (3).
 * --matrix DIR also runs `kvlab matrix --engines hashlog,redis,redis-cluster --workloads a,c`
 * (the CLI, with the servers exported through KVLAB_REDIS_URL / KVLAB_REDIS_CLUSTER_NODES) and
 * leaves DIR/report.html. Writes bench/results/redis.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBenchmark } from '../harness/runner.js';
import { loadWorkload } from '../harness/workload.js';
import { startRedis, startRedisCluster } from '../test/support/redis-server.js';
import { median } from '../harness/stats.js';

const { values } = parseArgs({ options: { matrix: { type: 'string' } } });
const RECORDS = Number(process.env.KVLAB_BENCH_RECORDS ?? 5000);
const OPS = Number(process.env.KVLAB_BENCH_OPS ?? 10_000);
const REPEATS = Number(process.env.KVLAB_BENCH_REPEATS ?? 3);
const THREADS = [1, 8, 64];
const WORKLOADS = ['a', 'c'] as const;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const round = (x: number, d = 2) => Number(x.toFixed(d));

interface Cell {
  target: string;
  workload: string;
  threads: number;
  throughput: number[];
  p99us: number[];
  p50us: number[];
}

async function measure(engine: string, workload: string, threads: number): Promise<{ throughput: number; p99us: number; p50us: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-bench-redis-'));
  try {
    const res = await runBenchmark({
      command: 'run', argv: [], engine, dir, freshDir: true, durability: 'none',
      workload: loadWorkload([workload], { recordcount: String(RECORDS), operationcount: String(OPS) }), seed: 1,
      phases: ['load', 'run'], trials: 1, threads, targetOpsPerSec: null, warmupOps: 0, intervalMs: 1000, status: 'off', harnessCost: null, matrix: null,
    });
    const run = res.phases.find((p) => p.phase === 'run')!.trials[0]!;
    const failures = Object.values(run.ops).reduce((n, o) => n + (o?.failures ?? 0), 0);
    if (failures > 0) throw new Error(`${engine} ${workload} threads ${threads}: ${failures} failed ops: ${run.errorSamples.join('; ')}`);
    return { throughput: run.throughput, p99us: run.overall.latency.percentiles.p99 / 1000, p50us: run.overall.latency.percentiles.p50 / 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const persistence = { appendonly: true, appendfsync: 'no' } as const;
const server = await startRedis(persistence);
const cluster = await startRedisCluster(3, persistence);
const targets: Record<string, string> = {
  hashlog: 'hashlog',
  redis: `redis:port=${server.port}`,
  'redis-cluster': `redis-cluster:nodes=${cluster.nodes.replaceAll(' ', '+')}`,
};
const cells = new Map<string, Cell>();
const loadBefore = os.loadavg()[0]!;
try {
  for (let r = 0; r < REPEATS; r++) {
    const order = r % 2 === 0 ? Object.keys(targets) : Object.keys(targets).reverse();
    for (const w of WORKLOADS)
      for (const t of order)
        for (const threads of t === 'hashlog' ? [1] : THREADS) {
          const key = `${t}/${w}/${threads}`;
          const m = await measure(targets[t]!, w, threads);
          const c = cells.get(key) ?? { target: t, workload: w, threads, throughput: [], p99us: [], p50us: [] };
          c.throughput.push(Math.round(m.throughput));
          c.p99us.push(round(m.p99us, 1));
          c.p50us.push(round(m.p50us, 1));
          cells.set(key, c);
          console.log(`repeat ${r} ${key}: ${Math.round(m.throughput)} ops/s, p50 ${m.p50us.toFixed(0)} us, p99 ${m.p99us.toFixed(0)} us`);
        }
  }

  const med = (t: string, w: string, th: number) => median(cells.get(`${t}/${w}/${th}`)!.throughput);
  const summary = [...cells.values()].map((c) => ({ ...c, medianThroughput: median(c.throughput), medianP99us: median(c.p99us), medianP50us: median(c.p50us) }));
  const scaling: Record<string, Record<string, { threads8vs1: number; threads64vs1: number }>> = {};
  for (const t of ['redis', 'redis-cluster'])
    for (const w of WORKLOADS) (scaling[t] ??= {})[w] = { threads8vs1: round(med(t, w, 8) / med(t, w, 1)), threads64vs1: round(med(t, w, 64) / med(t, w, 1)) };
  const clusterVsSingle: Record<string, Record<number, number>> = {};
  for (const w of WORKLOADS) for (const th of THREADS) (clusterVsSingle[w] ??= {})[th] = round(med('redis-cluster', w, th) / med('redis', w, th));
  const embeddedVsRedis: Record<string, number> = {};
  for (const w of WORKLOADS) embeddedVsRedis[w] = round(med('hashlog', w, 1) / med('redis', w, 1));

  for (const t of ['redis', 'redis-cluster']) for (const w of WORKLOADS) console.log(`${t} workload${w}: throughput x${scaling[t]![w]!.threads8vs1} at 8 in flight, x${scaling[t]![w]!.threads64vs1} at 64 (vs 1)`);
  for (const w of WORKLOADS) console.log(`workload${w}: cluster/single ${THREADS.map((th) => `${th}:${clusterVsSingle[w]![th]}`).join(' ')}; hashlog/redis at 1 in flight ${embeddedVsRedis[w]}`);

  let matrix: { dir: string; report: string | null } | null = null;
  if (values.matrix) {
    const out = path.resolve(values.matrix);
    const r = spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'matrix', '--engines', 'hashlog,redis,redis-cluster', '--workloads', 'a,c',
      '-p', `recordcount=${RECORDS}`, '-p', `operationcount=${OPS}`, '--threads', '8', '--out', out, '--no-harness-cost'], {
      encoding: 'utf8', env: { ...process.env, KVLAB_REDIS_URL: server.url, KVLAB_REDIS_CLUSTER_NODES: cluster.nodes },
    });
    if (r.status !== 0) throw new Error(`kvlab matrix failed: ${r.stderr}`);
    const report = path.join(out, 'report.html');
    matrix = { dir: out, report: fs.existsSync(report) ? report : null };
    console.log(`matrix: ${matrix.report ?? 'no report'}`);
  }

  const doc = {
    bench: 'redis', finishedAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null,
    loadAverage: { before: round(loadBefore), after: round(os.loadavg()[0]!) },
    method: `harness runBenchmark, load then run, YCSB values (10 x 100 B fields, read-merge-write updates), recordcount ${RECORDS}, operationcount ${OPS}, durability none; servers on 127.0.0.1 with appendonly yes, appendfsync no; cluster = 3 primaries, no replicas; hashlog (embedded, one loop) as the no-network reference; ${REPEATS} repeats with alternating target order, medians; p50/p99 = overall service time of the run phase`,
    redisServer: spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    cells: summary, scaling, clusterVsSingle, embeddedVsRedisAt1: embeddedVsRedis, matrix: matrix && { engines: 'hashlog,redis,redis-cluster', workloads: 'a,c', threads: 8 },
  };
  const file = path.join(root, 'bench/results/redis.json');
  fs.writeFileSync(file, JSON.stringify(doc, null, 1) + '\n');
  console.log(`wrote ${path.relative(root, file)}`);
} finally {
  await Promise.all([server.stop(), cluster.stop()]);
}
