/**
 * The shell's cost (issue 13): get and put ops/s of hashlog and native through the engine shell
 * against the code before the shell (a build of the previous commit, KVLAB_BEFORE_DIST), in
 * one run. Each measurement runs in a fresh child process (no JIT or GC state shared between
 * the two builds), the variants interleaved trial by trial (A B C, A B C, ...), and the median
 * of the trials is reported with each variant's ratio to `before`.
 *
 * Variants per engine: `before` (the old build, durability none: which then buffered writes in
 * user space), `after:bufferWrites=true` (the same I/O behind the shell: the shell's own
 * cost), `after` (the shell with the new crash-safe none: one write(2) per put).
 *
 * Run: KVLAB_BEFORE_DIST=/path/to/old/dist node dist/bench/shell-cost.js  (writes
 * bench/results/shell-cost.json). Env: KVLAB_BENCH_TRIALS (5), KVLAB_BENCH_KEYS (100000).
 */
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../harness/stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const AFTER_DIST = path.resolve(here, '..');
const KEYS = Number(process.env.KVLAB_BENCH_KEYS ?? 100_000);
const TRIALS = Number(process.env.KVLAB_BENCH_TRIALS ?? 5);

interface Variant {
  readonly name: string;
  readonly dist: string;
  readonly spec: string;
}

/** Child: load KEYS puts, then 2*KEYS gets of random loaded keys; prints {putOps, getOps}. */
async function child(dist: string, spec: string): Promise<void> {
  const reg = (await import(pathToFileURL(path.join(dist, 'engines', 'registry.js')).href)) as typeof import('../engines/registry.js');
  const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-bench-shell-'));
  const e = reg.openSyncEngine(spec, { dir, durability: 'none' });
  const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(`user${(i * 2654435761) >>> 0}`));
  const value = Buffer.alloc(100, 7);
  let t = process.hrtime.bigint();
  for (let i = 0; i < KEYS; i++) e.put(keys[i]!, value);
  const putNs = Number(process.hrtime.bigint() - t);
  let x = 12345;
  const order = new Uint32Array(2 * KEYS);
  for (let i = 0; i < order.length; i++) order[i] = (x = (x * 1103515245 + 12345) >>> 0) % KEYS;
  let found = 0;
  t = process.hrtime.bigint();
  for (let i = 0; i < order.length; i++) if (e.get(keys[order[i]!]!) !== undefined) found++;
  const getNs = Number(process.hrtime.bigint() - t);
  e.close();
  nodefs.rmSync(dir, { recursive: true, force: true });
  if (found !== order.length) throw new Error(`only ${found} of ${order.length} gets found their key`);
  process.stdout.write(JSON.stringify({ putOps: KEYS / (putNs / 1e9), getOps: order.length / (getNs / 1e9) }));
}

function main(): void {
  const before = process.env.KVLAB_BEFORE_DIST;
  if (!before || !nodefs.existsSync(path.join(before, 'engines', 'registry.js'))) {
    process.stderr.write('KVLAB_BEFORE_DIST must name the dist/ of a build before the shell (e.g. git worktree add /tmp/b 80303cb && build there)\n');
    process.exit(2);
  }
  const results: Record<string, { put: number[]; get: number[] }> = {};
  const variants: Variant[] = [];
  for (const engine of ['hashlog', 'native']) {
    variants.push({ name: `${engine} before`, dist: before, spec: engine });
    variants.push({ name: `${engine} after:bufferWrites=true`, dist: AFTER_DIST, spec: `${engine}:bufferWrites=true` });
    variants.push({ name: `${engine} after`, dist: AFTER_DIST, spec: engine });
  }
  for (let trial = 0; trial < TRIALS; trial++) {
    for (const v of variants) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', v.dist, v.spec], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${v.name}: ${r.stderr}`);
      const { putOps, getOps } = JSON.parse(r.stdout) as { putOps: number; getOps: number };
      (results[v.name] ??= { put: [], get: [] }).put.push(putOps);
      results[v.name]!.get.push(getOps);
      process.stderr.write(`trial ${trial + 1}/${TRIALS} ${v.name}: put ${Math.round(putOps)} get ${Math.round(getOps)}\n`);
    }
  }
  const summary = variants.map((v) => {
    const r = results[v.name]!;
    const base = results[`${v.name.split(' ')[0]} before`]!;
    return {
      variant: v.name, putOpsMedian: Math.round(median(r.put)), getOpsMedian: Math.round(median(r.get)),
      putRatioToBefore: +(median(r.put) / median(base.put)).toFixed(3), getRatioToBefore: +(median(r.get) / median(base.get)).toFixed(3),
      putTrials: r.put.map(Math.round), getTrials: r.get.map(Math.round),
    };
  });
  const out = {
    measuredAt: new Date().toISOString(), keys: KEYS, valueBytes: 100, getsPerTrial: 2 * KEYS, trials: TRIALS, durability: 'none',
    loadavg: os.loadavg(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, before, method: 'fresh child process per measurement, variants interleaved per trial, median of trials',
    summary,
  };
  const file = path.resolve(AFTER_DIST, '..', 'bench', 'results', 'shell-cost.json');
  nodefs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  for (const s of summary) console.log(`${s.variant.padEnd(30)} put ${String(s.putOpsMedian).padStart(8)}/s (${s.putRatioToBefore}x)  get ${String(s.getOpsMedian).padStart(8)}/s (${s.getRatioToBefore}x)`);
  console.log(`wrote ${file}`);
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else main();
