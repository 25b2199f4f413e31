/**
 * `kvlab micro`: tinybench microbenchmarks of the primitives every figure is built from: the
 * clock, the latency recorder, the workload's key and op generation, the record codec, and the
 * point get / put of the chosen engines (1 KiB values over a preloaded key set). Prints ns/op.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import type { AnyEngine } from '../../engines/engine.js';
import { parse, splitEngineList } from '../args.js';
import { checkSpec, openAny } from '../../harness/engines.js';
import { LatencyRecorder } from '../../harness/histogram.js';
import { isSyncEngine } from '../../harness/phase.js';
import { newSlot } from '../../harness/source.js';
import { loadWorkload, workloadStreams } from '../../harness/workload.js';

export const MICRO_HELP = `usage: kvlab micro [--engines LIST] [--time MS] [--keys N] [--json]

tinybench microbenchmarks: performance.now, LatencyRecorder.record, op generation (workload C),
YCSB record codec (insert / update merge), and get / put of 1 KiB values per engine.

  --engines LIST   engines to measure (default map)
  --time MS        time per task (default 300)
  --keys N         keys preloaded per engine (default 10000)
  --json           print JSON instead of a table`;

/** Keys `key0000000000`.. for the engine tasks. */
const KEY = (i: number): Buffer => Buffer.from(`key${String(i).padStart(10, '0')}`);

export async function microCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    engines: { type: 'string', multiple: true }, time: { type: 'string' }, keys: { type: 'string' }, json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, 'micro');
  if (v.help) {
    process.stdout.write(MICRO_HELP + '\n');
    return 0;
  }
  const engines = ((v.engines as string[] | undefined) ?? ['map']).flatMap(splitEngineList);
  for (const e of engines) checkSpec(e);
  const time = Number((v.time as string | undefined) ?? 300);
  const nkeys = Number((v.keys as string | undefined) ?? 10_000);
  const bench = new Bench({ time, warmupTime: Math.min(100, time) });
  // Each tinybench sample runs `inner` calls, so the per-sample timer cost does not swamp ns-scale work.
  const inner = new Map<string, number>();
  const add = (name: string, n: number, f: () => void) => {
    inner.set(name, n);
    bench.add(name, () => {
      for (let i = 0; i < n; i++) f();
    });
  };
  const addAsync = (name: string, n: number, f: () => Promise<unknown>) => {
    inner.set(name, n);
    bench.add(name, async () => {
      for (let i = 0; i < n; i++) await f();
    });
  };
  const rec = new LatencyRecorder();
  let x = 0;
  add('performance.now()', 1000, () => {
    x += performance.now();
  });
  add('LatencyRecorder.record', 1000, () => {
    rec.record((x++ & 0xffff) + 100);
  });
  const wc = loadWorkload(['c'], { recordcount: '100000', operationcount: '100000000', valuemode: 'raw' });
  const sc = workloadStreams(wc, 1);
  const op = newSlot();
  add('op generation (workload C: zipfian + key name)', 1000, () => {
    sc.source.nextRun(op);
  });
  const wa = loadWorkload(['a'], { recordcount: '100000' });
  const sa = workloadStreams(wa, 1);
  const opA = newSlot();
  sa.source.nextLoad(opA);
  const record = sa.codec.insertValue(opA);
  add('codec insertValue (10 × 100 B)', 100, () => {
    sa.codec.insertValue(opA);
  });
  opA.writeField = 3;
  add('codec updateValue (merge one field)', 100, () => {
    sa.codec.updateValue(opA, record);
  });
  const open: Array<{ e: AnyEngine; dir: string }> = [];
  const value = Buffer.alloc(1024, 0x61);
  try {
    for (const spec of engines) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-micro-'));
      const e = await openAny(spec, { dir, durability: 'none' });
      open.push({ e, dir });
      for (let i = 0; i < nkeys; i++) await e.put(KEY(i), value);
      const keys = Array.from({ length: nkeys }, (_, i) => KEY(i));
      let k = 0;
      if (isSyncEngine(e)) {
        add(`${spec} get (1 KiB, hit)`, 100, () => {
          e.get(keys[k++ % nkeys]!);
        });
        add(`${spec} put (1 KiB, overwrite)`, 100, () => {
          e.put(keys[k++ % nkeys]!, value);
        });
      } else {
        addAsync(`${spec} get (1 KiB, hit, awaited)`, 100, () => e.get(keys[k++ % nkeys]!));
        addAsync(`${spec} put (1 KiB, overwrite, awaited)`, 100, () => e.put(keys[k++ % nkeys]!, value));
      }
    }
    await bench.run();
  } finally {
    for (const { e, dir } of open) {
      await e.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const rows = bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean: number; rme: number }; throughput?: { mean: number } } | undefined;
    const ms = (r?.latency?.mean ?? NaN) / (inner.get(t.name) ?? 1);
    return { task: t.name, nsPerOp: Math.round(ms * 1e6 * 10) / 10, opsPerSec: Math.round(1000 / ms), rmePercent: Math.round((r?.latency?.rme ?? NaN) * 10) / 10 };
  });
  if (v.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else {
    const w = Math.max(...rows.map((r) => r.task.length));
    process.stdout.write(`${'task'.padEnd(w)}  ${'ns/op'.padStart(10)}  ${'ops/s'.padStart(12)}  ±%\n`);
    for (const r of rows) process.stdout.write(`${r.task.padEnd(w)}  ${String(r.nsPerOp).padStart(10)}  ${String(r.opsPerSec).padStart(12)}  ${r.rmePercent}\n`);
  }
  return 0;
}
