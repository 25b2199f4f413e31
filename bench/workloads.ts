/**
 * Workload-generator figures (issue 3), written to bench/results/workloads.json:
 * - operation generation (op type + key number, `OperationStream.nextRunNumber`) per workload,
 *   target >= 5,000,000 ops/s; and with the key name too (`nextRun`);
 * - key names (`KeyNamer.write`, cache-free), hashed and ordered, target >= 3,000,000/s;
 * - zipfian set-up for 100,000,000 items (fast zeta), target < 2 s, with the accuracy of the fast
 *   zeta against a compensated (Kahan) sum and against YCSB's own naive 1e8-term loop;
 * - record codec cost per insertValue / updateValue / verify, and msgpackr's own pack/unpack of
 *   the same record for comparison;
 * - a 10,000,000-operation trace written and replayed (checked op by op against a regenerated
 *   stream) in a child process, reporting its peak RSS.
 *
 * Rates are given per wall-clock second and per CPU second of this process (the machine is
 * shared and noisy: the load average is recorded); each figure is the median of `--repeats`.
 *
 * Run: npx tsc -p . ; node dist/bench/workloads.js [--repeats 5] [--trace-ops 10000000] [--skip-naive]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';
import { ZipfianGenerator } from '../workloads/generators/zipfian.js';
import { zeta } from '../workloads/generators/zeta.js';
import {
  KeyNamer, loadProperties, newOperation, OperationStream, parseWorkloadConfig, Random, RecordCodec,
  TraceReader, TraceWriter, workloadFile,
} from '../workloads/index.js';
import { median } from '../harness/stats.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const REPEATS = arg('repeats', 5);
const TRACE_OPS = arg('trace-ops', 10_000_000);
const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(here, '..', '..', 'bench', 'results', 'workloads.json');

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Rate { perWallSecond: number; perCpuSecond: number; runs: number[] }
/** Runs `body(n)` REPEATS times; returns median rates per wall and per CPU second. */
function rate(n: number, body: (n: number) => void): Rate {
  body(Math.min(n, 200_000)); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const c0 = cpuSeconds();
    const t0 = process.hrtime.bigint();
    body(n);
    const w = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = cpuSeconds() - c0;
    wall.push(n / w);
    cpu.push(n / Math.max(c, 1e-9));
  }
  return { perWallSecond: Math.round(median(wall)), perCpuSecond: Math.round(median(cpu)), runs: wall.map(Math.round) };
}
const fmt = (x: number): string => (x / 1e6).toFixed(2) + ' M/s';

function config(w: string, over: Record<string, string> = {}) {
  return parseWorkloadConfig(loadProperties([workloadFile(w)], { recordcount: '1000000', operationcount: '10000000', ...over }));
}

// ---------------------------------------------------------------- trace child process
if (argv[0] === '--trace-child') {
  const file = argv[1]!;
  const ops = Number(argv[2]);
  const cfg = config('workloada', { operationcount: String(ops) });
  const seed = 2026;
  const t0 = process.hrtime.bigint();
  const writer = new TraceWriter(file, { seed, props: { ...cfg.props }, meta: { phases: 'run' } });
  const s = new OperationStream(cfg, seed);
  const op = newOperation();
  for (let i = 0; i < ops; i++) {
    s.nextRunNumber(op);
    writer.append(op);
  }
  writer.close();
  const t1 = process.hrtime.bigint();
  const reader = new TraceReader(file);
  const check = new OperationStream(reader.config, reader.header.seed);
  const expected = newOperation();
  let n = 0;
  let mismatches = 0;
  while (reader.next(op)) {
    check.nextRun(expected);
    if (op.type !== expected.type || op.keynum !== expected.keynum || !op.key.equals(expected.key) || op.writeField !== expected.writeField) mismatches++;
    n++;
  }
  reader.close();
  const t2 = process.hrtime.bigint();
  process.stdout.write(
    JSON.stringify({
      ops,
      replayed: n,
      mismatches,
      fileBytes: fs.statSync(file).size,
      writeSeconds: Number(t1 - t0) / 1e9,
      replayAndCheckSeconds: Number(t2 - t1) / 1e9,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
  process.exit(0);
}

// ---------------------------------------------------------------- main
const load = os.loadavg();
console.log(`workloads bench: node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model}), load average ${load.map((x) => x.toFixed(1)).join(' ')}`);

// 1. operation generation
const opgen: Record<string, { number: Rate; withKey: Rate }> = {};
for (const w of ['workloada', 'workloadb', 'workloadc', 'workloadd', 'workloade', 'workloadf']) {
  const cfg = config(w);
  const s = new OperationStream(cfg, 1);
  const op = newOperation();
  const number = rate(3_000_000, (n) => {
    for (let i = 0; i < n; i++) {
      s.nextRunNumber(op);
      if (op.type === 'INSERT') s.acknowledge(op.keynum);
    }
  });
  const withKey = rate(3_000_000, (n) => {
    for (let i = 0; i < n; i++) {
      s.nextRun(op);
      if (op.type === 'INSERT') s.acknowledge(op.keynum);
    }
  });
  opgen[w] = { number, withKey };
  console.log(`op generation ${w}: type+keynum ${fmt(number.perWallSecond)} (${fmt(number.perCpuSecond)} per CPU s); with key name ${fmt(withKey.perWallSecond)} (${fmt(withKey.perCpuSecond)} per CPU s)  [target >= 5 M/s type+keynum]`);
}

// 2. key names
const keynums = Float64Array.from({ length: 1 << 16 }, (_, i) => new Random(i).nextBelow(1e9));
const keyNames: Record<string, Rate> = {};
for (const [label, namer] of [['hashed', new KeyNamer(1, true)], ['ordered zeropadding=12', new KeyNamer(12, false)]] as const) {
  let sink = 0;
  keyNames[label] = rate(5_000_000, (n) => {
    for (let i = 0; i < n; i++) sink += namer.write(keynums[i & 0xffff]!).length;
  });
  if (sink < 0) console.log(sink);
  console.log(`key names (${label}): ${fmt(keyNames[label]!.perWallSecond)} (${fmt(keyNames[label]!.perCpuSecond)} per CPU s)  [target >= 3 M/s]`);
}

// 3. zipfian set-up for 1e8 items and zeta accuracy
const N8 = 100_000_000;
const setupSeconds: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  const t0 = process.hrtime.bigint();
  const g = new ZipfianGenerator(new Random(r), 0, N8 - 1);
  setupSeconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (!(g.zetaN > 0)) throw new Error('bad zeta');
}
const fast = zeta(N8, 0.99);
let kahan = 0;
let comp = 0;
let naive = 0;
const n0 = process.hrtime.bigint();
if (!argv.includes('--skip-naive')) {
  for (let i = 0; i < N8; i++) {
    const term = 1 / Math.pow(i + 1, 0.99);
    naive += term; // YCSB's loop
  }
}
const naiveSeconds = Number(process.hrtime.bigint() - n0) / 1e9;
if (!argv.includes('--skip-naive')) {
  // compensated sum from the smallest terms up: the reference "exact" value
  for (let i = N8; i >= 1; i--) {
    const y = 1 / Math.pow(i, 0.99) - comp;
    const t = kahan + y;
    comp = t - kahan - y;
    kahan = t;
  }
}
const zipfSetup = {
  items: N8,
  setupSecondsMedian: median(setupSeconds),
  setupSecondsRuns: setupSeconds,
  zetaFast: fast,
  zetaCompensatedSum: kahan || null,
  zetaYcsbNaiveLoop: naive || null,
  ycsbNaiveLoopSeconds: naive ? naiveSeconds : null,
  relErrorFastVsCompensated: kahan ? Math.abs(fast - kahan) / kahan : null,
  relErrorYcsbLoopVsCompensated: kahan ? Math.abs(naive - kahan) / kahan : null,
};
console.log(`zipfian set-up, 1e8 items: ${zipfSetup.setupSecondsMedian.toFixed(4)} s median [target < 2 s]; YCSB's naive zeta loop took ${naiveSeconds.toFixed(2)} s`);
if (kahan) console.log(`  zeta(1e8): fast ${fast}, compensated ${kahan}, YCSB loop ${naive}; rel. error fast ${zipfSetup.relErrorFastVsCompensated!.toExponential(2)}, YCSB loop ${zipfSetup.relErrorYcsbLoopVsCompensated!.toExponential(2)}`);

// 4. record codec
const codecFigures: Record<string, { nsPerOp: number; nsPerCpuOp: number }> = {};
const ns = (r: Rate) => ({ nsPerOp: Math.round(1e9 / r.perWallSecond), nsPerCpuOp: Math.round(1e9 / r.perCpuSecond) });
{
  const cfg = config('workloada');
  const codec = new RecordCodec(cfg, 1);
  const s = new OperationStream(cfg, 1);
  const op = newOperation();
  s.nextLoad(op);
  const rec = codec.insertValue(op);
  let sink = 0;
  codecFigures['insertValue (ycsb, 10 x 100 B)'] = ns(rate(300_000, (n) => { for (let i = 0; i < n; i++) sink += codec.insertValue(op).length; }));
  op.writeField = 3;
  codecFigures['updateValue (ycsb, merge one field)'] = ns(rate(300_000, (n) => { for (let i = 0; i < n; i++) sink += codec.updateValue(op, rec).length; }));
  op.writeField = -1;
  codecFigures['updateValue (ycsb, writeallfields)'] = ns(rate(300_000, (n) => { for (let i = 0; i < n; i++) sink += codec.updateValue(op, rec).length; }));
  const packr = new Packr({ structures: [cfg.fieldnames.slice()] });
  const obj = codec.decode(rec);
  codecFigures['msgpackr pack of the same record (reference)'] = ns(rate(300_000, (n) => { for (let i = 0; i < n; i++) sink += packr.pack(obj).length; }));
  codecFigures['msgpackr unpack of the same record (decode)'] = ns(rate(300_000, (n) => { for (let i = 0; i < n; i++) sink += codec.decode(rec) === undefined ? 0 : 1; }));
  const di = config('workloada', { dataintegrity: 'true' });
  const dcodec = new RecordCodec(di, 1);
  const dv = dcodec.insertValue(op);
  codecFigures['insertValue (ycsb, dataintegrity)'] = ns(rate(100_000, (n) => { for (let i = 0; i < n; i++) sink += dcodec.insertValue(op).length; }));
  codecFigures['verify (dataintegrity, all fields)'] = ns(rate(100_000, (n) => { for (let i = 0; i < n; i++) sink += dcodec.verify(op, dv) ? 1 : 0; }));
  const raw = new RecordCodec(config('workloada', { valuemode: 'raw' }), 1);
  codecFigures['insertValue (raw, 1000 B blob)'] = ns(rate(300_000, (n) => { for (let i = 0; i < n; i++) sink += raw.insertValue(op).length; }));
  if (sink < 0) console.log(sink);
  for (const [k, v] of Object.entries(codecFigures)) console.log(`codec ${k}: ${v.nsPerOp} ns (${v.nsPerCpuOp} ns CPU)`);
}

// 5. 10M-op trace in a child process (its own peak RSS)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-trace-bench-'));
let trace: Record<string, unknown>;
try {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--trace-child', path.join(dir, 'bench.trace'), String(TRACE_OPS)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  trace = JSON.parse(out) as Record<string, unknown>;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`trace of ${TRACE_OPS} ops: written in ${(trace['writeSeconds'] as number).toFixed(2)} s, replayed+checked in ${(trace['replayAndCheckSeconds'] as number).toFixed(2)} s, ${((trace['fileBytes'] as number) / 2 ** 20).toFixed(1)} MiB file, mismatches ${trace['mismatches']}, child peak RSS ${(trace['peakRssMiB'] as number).toFixed(1)} MiB`);

const results = {
  bench: 'workloads',
  date: new Date().toISOString(),
  environment: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: load, repeats: REPEATS },
  targets: { opGenerationPerSecond: 5_000_000, keyNamesPerSecond: 3_000_000, zipfianSetupSeconds1e8: 2 },
  operationGeneration: opgen,
  keyNames,
  zipfianSetup: zipfSetup,
  codec: codecFigures,
  trace,
};
fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${RESULTS}`);
