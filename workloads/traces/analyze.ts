/**
 * `kvlab trace analyze`: reads a trace (Twitter CSV or kvlab's own binary trace), counts
 * operations, key popularity and value sizes, fits a zipfian (fit.ts) and prints a YCSB
 * property file that `kvlab run -P` accepts, so a synthetic workload can stand in for the trace.
 *
 * Memory: one counter per distinct key (a Map from key to count) and one per distinct value
 * size; the trace itself is streamed.
 */
import { invalidArgument } from '../../engines/errors.js';
import { parseWorkloadConfig } from '../config.js';
import { zeta } from '../generators/zeta.js';
import { newOperation } from '../operation.js';
import { TraceReader } from '../trace.js';
import { fitZipf, type ZipfFit } from './fit.js';
import { TWITTER_MAPPING, TWITTER_OPS, TwitterTraceReader, newRequest, type TwitterOp, type UnknownOps } from './twitter.js';

/** What a trace holds, counted. */
export interface TraceStats {
  format: 'twitter' | 'kvlab';
  file: string;
  requests: number;
  /** Requests per operation name as the trace spells it (twitter ops, or kvlab's READ, UPDATE, ...). */
  ops: Record<string, number>;
  reads: number;
  writes: number;
  /** Requests no YCSB operation stands for (Twitter deletes). */
  skipped: number;
  /** Unknown operation names skipped (unknownOps: skip). */
  unknown: Record<string, number>;
  /** Requests per distinct key, descending. */
  ranked: number[];
  /** Value size → writes of that size (Twitter writes); empty for kvlab traces. */
  valueSizes: Map<number, number>;
  /** Seconds from the first to the last timestamp (Twitter), or null. */
  durationSec: number | null;
  /** kvlab traces: the recorded workload's properties (value sizes come from them). */
  props?: Record<string, string>;
}

function rank(m: Map<string | number, number>): number[] {
  return [...m.values()].sort((a, b) => b - a);
}

/** Counts a Twitter trace. Errors: the reader's (twitter.ts), each naming the line. */
export function analyzeTwitter(file: string, unknownOps: UnknownOps = 'error'): TraceStats {
  const r = new TwitterTraceReader(file, { unknownOps });
  const req = newRequest();
  const keys = new Map<string, number>();
  const sizes = new Map<number, number>();
  const ops: Record<string, number> = {};
  let reads = 0;
  let writes = 0;
  let skipped = 0;
  let first = NaN;
  let last = NaN;
  try {
    while (r.next(req)) {
      if (Number.isNaN(first)) first = req.timestamp;
      last = req.timestamp;
      ops[req.op] = (ops[req.op] ?? 0) + 1;
      const a = TWITTER_MAPPING[req.op as TwitterOp].action;
      if (a === 'skip') {
        skipped++;
        continue;
      }
      keys.set(req.key, (keys.get(req.key) ?? 0) + 1);
      if (a === 'read') reads++;
      else {
        writes++;
        sizes.set(req.valueSize, (sizes.get(req.valueSize) ?? 0) + 1);
      }
    }
  } finally {
    r.close();
  }
  return {
    format: 'twitter', file, requests: r.count, ops, reads, writes, skipped, unknown: Object.fromEntries(r.unknown),
    ranked: rank(keys), valueSizes: sizes, durationSec: Number.isNaN(first) ? null : last - first,
  };
}

/** Counts a kvlab trace (workloads/trace.ts). Errors: the reader's (NOT_FOUND, CORRUPTION). */
export function analyzeKvlab(file: string): TraceStats {
  const r = new TraceReader(file);
  const op = newOperation();
  const keys = new Map<number, number>();
  const ops: Record<string, number> = {};
  let reads = 0;
  let writes = 0;
  try {
    while (r.next(op)) {
      ops[op.type] = (ops[op.type] ?? 0) + 1;
      keys.set(op.keynum, (keys.get(op.keynum) ?? 0) + 1);
      if (op.type === 'READ' || op.type === 'SCAN') reads++;
      else writes++;
    }
  } finally {
    r.close();
  }
  return { format: 'kvlab', file, requests: r.count, ops, reads, writes, skipped: 0, unknown: {}, ranked: rank(keys), valueSizes: new Map(), durationSec: null, props: { ...r.header.props } };
}

/** The value-size part of the property file: a supported fieldlengthdistribution and its bounds. */
export interface ValueSizeFit {
  fieldlengthdistribution: 'constant' | 'uniform' | 'zipfian';
  fieldlength: number;
  minfieldlength: number;
  observedMean: number;
  modelMean: number;
  percentiles: { p50: number; p90: number; p99: number };
}

/** Mean of YCSB's zipfian field length over [min, max] (ZipfianGenerator, theta 0.99, min the most frequent). */
function zipfianMean(min: number, max: number): number {
  const n = max - min + 1;
  if (n > 100_000) return min + zeta(n, 0.99 - 1) / zeta(n, 0.99) - 1; // Σ r^(1-θ) / Σ r^-θ − 1, ranks from 1
  let h = 0;
  let s = 0;
  for (let r = 1; r <= n; r++) {
    const p = Math.pow(r, -0.99);
    h += p;
    s += p * (r - 1);
  }
  return min + s / h;
}

/**
 * Picks the supported distribution (workloads/config.ts: constant, uniform, zipfian) whose mean
 * is nearest the observed mean, over [min observed, max observed]. An empty map (no writes)
 * gives constant 1.
 */
export function fitValueSizes(sizes: Map<number, number>): ValueSizeFit {
  const entries = [...sizes.entries()].sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return { fieldlengthdistribution: 'constant', fieldlength: 1, minfieldlength: 1, observedMean: 0, modelMean: 1, percentiles: { p50: 0, p90: 0, p99: 0 } };
  const pct = (p: number): number => {
    const want = Math.max(1, Math.ceil((p / 100) * n));
    let seen = 0;
    for (const [v, c] of entries) if ((seen += c) >= want) return v;
    return entries[entries.length - 1]![0];
  };
  const min = Math.max(1, entries[0]![0]);
  const max = Math.max(min, entries[entries.length - 1]![0]);
  const mean = entries.reduce((a, [v, c]) => a + v * c, 0) / n;
  const percentiles = { p50: pct(50), p90: pct(90), p99: pct(99) };
  if (min === max) return { fieldlengthdistribution: 'constant', fieldlength: max, minfieldlength: min, observedMean: mean, modelMean: max, percentiles };
  const uni = (min + max) / 2;
  const zip = zipfianMean(min, max);
  const useUniform = Math.abs(uni - mean) <= Math.abs(zip - mean);
  return { fieldlengthdistribution: useUniform ? 'uniform' : 'zipfian', fieldlength: max, minfieldlength: min, observedMean: mean, modelMean: useUniform ? uni : zip, percentiles };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/**
 * The YCSB property file for `stats` (text, "\n"-terminated lines). recordcount = distinct keys,
 * operationcount = reads + writes, readproportion / updateproportion from them (a write is an
 * UPDATE with writeallfields=true: a blind put, as a cache set is), requestdistribution=zipfian
 * with zipfianconstant = the fitted theta (a kvlab extension property, not YCSB's), one field of
 * the fitted value-size distribution. Errors: INVALID_ARGUMENT for a trace with no read or write.
 */
export function propertiesFor(stats: TraceStats): { text: string; fit: ZipfFit; values: ValueSizeFit | null } {
  const mapped = stats.reads + stats.writes;
  if (mapped === 0) throw invalidArgument(`${stats.file}: no read or write to fit (requests: ${stats.requests}, skipped: ${stats.skipped})`);
  const fit = fitZipf(stats.ranked);
  const theta = Math.min(10, Math.max(0.01, fit.theta === 1 ? 1.0001 : fit.theta));
  const L: string[] = [];
  const opList = (stats.format === 'twitter' ? TWITTER_OPS.filter((o) => stats.ops[o]) : Object.keys(stats.ops)).map((o) => `${o} ${stats.ops[o]}`);
  L.push(`# kvlab trace analyze: ${stats.format} trace ${stats.file}`);
  L.push(`# requests ${stats.requests}${stats.durationSec !== null ? ` over ${stats.durationSec} s of timestamps` : ''}; operations: ${opList.join(', ')}`);
  if (stats.format === 'twitter') {
    L.push('# mapping: get/gets -> read; set/add/replace/cas/append/prepend/incr/decr -> update (blind put of the value size; no TTL, CAS or arithmetic semantics)');
    L.push(`# deletes: ${stats.skipped} (YCSB's CoreWorkload has no delete: left out of operationcount and the proportions)`);
  }
  const unk = Object.entries(stats.unknown);
  if (unk.length > 0) L.push(`# unknown operations skipped: ${unk.map(([o, c]) => `${o} ${c}`).join(', ')}`);
  L.push(`# key popularity: zipfian theta ${theta.toFixed(4)} by maximum likelihood over ${fit.keys} keys ranked by count (fit.ts);`);
  L.push(`#   fit error of the fitted line: R^2 ${f3(fit.r2)} of log(count) vs log(rank), RMS error ${f3(fit.rmsLog10)} in log10(count); least-squares log-log slope ${f3(fit.leastSquaresTheta)}`);
  L.push("#   note: YCSB's requestdistribution=zipfian is scrambled (a zipfian over 10^10 items hashed onto recordcount keys), so its");
  L.push('#   per-key popularity is flatter than theta says for small recordcounts; the first keys keep the fitted head');
  L.push(`recordcount=${fit.keys}`);
  L.push(`operationcount=${mapped}`);
  // a Twitter trace: reads and blind writes; a kvlab trace: its own YCSB operation types
  const k = (t: string): number => stats.ops[t] ?? 0;
  const mix = stats.format === 'twitter'
    ? { read: stats.reads, update: stats.writes, insert: 0, scan: 0, readmodifywrite: 0 }
    : { read: k('READ'), update: k('UPDATE'), insert: k('INSERT'), scan: k('SCAN'), readmodifywrite: k('READMODIFYWRITE') };
  for (const [name, c] of Object.entries(mix)) L.push(`${name}proportion=${c === 0 ? '0' : (c / mapped).toFixed(6)}`);
  L.push('requestdistribution=zipfian');
  L.push(`zipfianconstant=${theta.toFixed(4)}`);
  let values: ValueSizeFit | null = null;
  if (stats.format === 'twitter') {
    values = fitValueSizes(stats.valueSizes);
    L.push(`# value sizes of writes: mean ${f3(values.observedMean)}, p50 ${values.percentiles.p50}, p90 ${values.percentiles.p90}, p99 ${values.percentiles.p99}, max ${values.fieldlength}; ${values.fieldlengthdistribution} chosen (mean ${f3(values.modelMean)}: the supported distribution with the nearest mean)`);
    L.push('fieldcount=1');
    L.push(`fieldlength=${values.fieldlength}`);
    L.push(`minfieldlength=${values.minfieldlength}`);
    L.push(`fieldlengthdistribution=${values.fieldlengthdistribution}`);
    L.push('writeallfields=true');
    L.push('readallfields=true');
  } else {
    // the recorded workload's own record shape (its effective values, defaults included)
    const c = parseWorkloadConfig(stats.props ?? {});
    L.push("# value sizes: the recorded workload's own");
    L.push(`fieldcount=${c.fieldcount}`, `fieldlength=${c.fieldlength}`, `minfieldlength=${c.minfieldlength}`, `fieldlengthdistribution=${c.fieldlengthdistribution}`);
    L.push(`valuemode=${c.valuemode}`, ...(c.valuemode === 'raw' ? [`rawvaluelength=${c.rawvaluelength}`] : []), `writeallfields=${c.writeallfields}`, `readallfields=${c.readallfields}`);
  }
  return { text: L.join('\n') + '\n', fit, values };
}
