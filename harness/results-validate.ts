/**
 * Hand-written validator of the results JSON ({@link ResultsFile}). Used on write and on read.
 * Errors are KvErrors: INVALID_ARGUMENT naming the file and the JSON path of the first problem
 * (`phases[0].trials[1].ops.READ.latency.count: expected a non-negative number, got "x"`), or
 * NOT_SUPPORTED for another schemaVersion. Unknown extra fields are allowed (forward-compatible).
 */
import { KvError } from '../engines/errors.js';
import type { ResultsFile } from './results.js';

const SCHEMA_VERSION = 1;
const OPS = ['READ', 'UPDATE', 'INSERT', 'SCAN', 'READMODIFYWRITE'];
const PCTS = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99_9', 'p99_99'];
const STATS_NUMS = [
  'userBytesWritten', 'userBytesRead', 'deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveBytes', 'liveKeys',
  'diskBytes', 'files', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'cacheHits',
  'cacheMisses', 'bloomNegatives', 'indexMemoryBytes',
];
const PROC_IO = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'];

type Obj = Record<string, unknown>;

class Checker {
  constructor(private readonly file: string) {}

  fail(p: string, want: string, got: unknown): never {
    let shown: string;
    try {
      shown = got === undefined ? 'missing' : JSON.stringify(got);
    } catch {
      shown = String(got);
    }
    if (shown.length > 60) shown = shown.slice(0, 57) + '...';
    throw new KvError('INVALID_ARGUMENT', `${this.file}: invalid results: ${p}: expected ${want}, got ${shown}`, { file: this.file });
  }

  obj(v: unknown, p: string): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(p, 'an object', v);
    return v as Obj;
  }
  arr(v: unknown, p: string): unknown[] {
    if (!Array.isArray(v)) this.fail(p, 'an array', v);
    return v;
  }
  str(o: Obj, k: string, p: string): string {
    const v = o[k];
    if (typeof v !== 'string') this.fail(`${p}.${k}`, 'a string', v);
    return v;
  }
  num(o: Obj, k: string, p: string, nonNeg = true): number {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || (nonNeg && v < 0))
      this.fail(`${p}.${k}`, nonNeg ? 'a non-negative number' : 'a finite number', v);
    return v;
  }
  int(o: Obj, k: string, p: string): number {
    const v = this.num(o, k, p);
    if (!Number.isInteger(v)) this.fail(`${p}.${k}`, 'an integer', v);
    return v;
  }
  numOrNull(o: Obj, k: string, p: string, nonNeg = true): number | null {
    if (o[k] === null) return null;
    return this.num(o, k, p, nonNeg);
  }
  bool(o: Obj, k: string, p: string): boolean {
    const v = o[k];
    if (typeof v !== 'boolean') this.fail(`${p}.${k}`, 'a boolean', v);
    return v;
  }
  strOrNull(o: Obj, k: string, p: string): string | null {
    if (o[k] === null) return null;
    return this.str(o, k, p);
  }
  oneOf(o: Obj, k: string, p: string, values: readonly string[]): string {
    const v = o[k];
    if (typeof v !== 'string' || !values.includes(v)) this.fail(`${p}.${k}`, `one of ${values.join('|')}`, v);
    return v;
  }
  strArray(o: Obj, k: string, p: string): string[] {
    const a = this.arr(o[k], `${p}.${k}`);
    a.forEach((x, i) => typeof x !== 'string' && this.fail(`${p}.${k}[${i}]`, 'a string', x));
    return a as string[];
  }
  record(o: Obj, k: string, p: string, each: (v: unknown, p: string) => void): void {
    const r = this.obj(o[k], `${p}.${k}`);
    for (const [kk, vv] of Object.entries(r)) each(vv, `${p}.${k}.${kk}`);
  }
  scalar(v: unknown, p: string): void {
    if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v)))
      this.fail(p, 'a string, number or boolean', v);
  }
  iso(o: Obj, k: string, p: string): void {
    const s = this.str(o, k, p);
    if (Number.isNaN(Date.parse(s))) this.fail(`${p}.${k}`, 'an ISO-8601 date', s);
  }
}

/** Checks `doc` against the results schema; returns it typed. Throws as described in the module doc. */
export function validateResults(doc: unknown, file = '<results>'): ResultsFile {
  const c = new Checker(file);
  const r = c.obj(doc, '$');
  if (r.kind !== 'kvlab-results') c.fail('kind', '"kvlab-results"', r.kind);
  if (r.schemaVersion !== SCHEMA_VERSION) {
    if (typeof r.schemaVersion === 'number')
      throw new KvError('NOT_SUPPORTED', `${file}: results schemaVersion ${r.schemaVersion} is not supported (this kvlab reads ${SCHEMA_VERSION})`, { file });
    c.fail('schemaVersion', String(SCHEMA_VERSION), r.schemaVersion);
  }
  checkRun(c, c.obj(r.run, 'run'));
  checkEngine(c, c.obj(r.engine, 'engine'));
  checkWorkload(c, c.obj(r.workload, 'workload'));
  checkHarness(c, c.obj(r.harness, 'harness'));
  checkEnv(c, c.obj(r.environment, 'environment'));
  if (r.harnessCost !== null) {
    const h = c.obj(r.harnessCost, 'harnessCost');
    c.num(h, 'nsPerOp', 'harnessCost');
    c.num(h, 'opsPerSec', 'harnessCost');
    c.int(h, 'operations', 'harnessCost');
    c.iso(h, 'measuredAt', 'harnessCost');
    c.str(h, 'method', 'harnessCost');
  }
  if (r.notApplicable !== null) {
    const n = c.obj(r.notApplicable, 'notApplicable');
    c.str(n, 'reason', 'notApplicable');
    c.strOrNull(n, 'capability', 'notApplicable');
  }
  const phases = c.arr(r.phases, 'phases');
  if (r.notApplicable !== null && phases.length > 0) c.fail('phases', 'no phases when notApplicable is set', phases.length);
  if (r.notApplicable === null && phases.length === 0) c.fail('phases', 'at least one phase (or notApplicable)', phases);
  phases.forEach((ph, i) => checkPhase(c, c.obj(ph, `phases[${i}]`), `phases[${i}]`));
  c.strArray(r, 'notes', '$');
  return doc as ResultsFile;
}

function checkRun(c: Checker, o: Obj): void {
  c.str(o, 'id', 'run');
  c.oneOf(o, 'command', 'run', ['load', 'run', 'matrix']);
  c.strArray(o, 'argv', 'run');
  c.iso(o, 'startedAt', 'run');
  c.iso(o, 'finishedAt', 'run');
  if (o.matrix !== null) {
    const m = c.obj(o.matrix, 'run.matrix');
    c.str(m, 'id', 'run.matrix');
    c.int(m, 'engineIndex', 'run.matrix');
    c.int(m, 'workloadIndex', 'run.matrix');
    c.strArray(m, 'engines', 'run.matrix');
    c.strArray(m, 'workloads', 'run.matrix');
  }
}

function checkEngine(c: Checker, o: Obj): void {
  for (const k of ['name', 'label', 'design', 'version']) c.str(o, k, 'engine');
  c.oneOf(o, 'kind', 'engine', ['sync', 'async']);
  const cap = c.obj(o.capabilities, 'engine.capabilities');
  for (const k of ['orderedScan', 'atomicBatch', 'persistent']) c.bool(cap, k, 'engine.capabilities');
  c.strArray(cap, 'durability', 'engine.capabilities');
  const lim = c.obj(o.limits, 'engine.limits');
  c.num(lim, 'maxKeyBytes', 'engine.limits');
  c.num(lim, 'maxValueBytes', 'engine.limits');
  c.oneOf(o, 'durability', 'engine', ['none', 'group', 'always']);
  if (o.crashSafety !== undefined) c.oneOf(o, 'crashSafety', 'engine', ['process-crash-safe', 'process-crash-unsafe']);
  if (o.groupCommit !== null) {
    const g = c.obj(o.groupCommit, 'engine.groupCommit');
    c.num(g, 'ms', 'engine.groupCommit');
    c.num(g, 'bytes', 'engine.groupCommit');
  }
  c.record(o, 'settings', 'engine', (v, p) => c.scalar(v, p));
  c.strOrNull(o, 'dir', 'engine');
}

function checkWorkload(c: Checker, o: Obj): void {
  c.str(o, 'name', 'workload');
  c.strArray(o, 'propertyFiles', 'workload');
  c.record(o, 'properties', 'workload', (v, p) => typeof v !== 'string' && c.fail(p, 'a string', v));
  c.int(o, 'seed', 'workload');
  c.strOrNull(o, 'trace', 'workload');
}

function checkHarness(c: Checker, o: Obj): void {
  c.int(o, 'threads', 'harness');
  c.numOrNull(o, 'targetOpsPerSec', 'harness');
  c.int(o, 'warmupOps', 'harness');
  c.int(o, 'trials', 'harness');
  c.num(o, 'intervalMs', 'harness');
  const h = c.obj(o.histogram, 'harness.histogram');
  c.oneOf(h, 'unit', 'harness.histogram', ['ns']);
  c.num(h, 'lowestDiscernibleValue', 'harness.histogram');
  c.num(h, 'highestTrackableValue', 'harness.histogram');
  c.int(h, 'significantDigits', 'harness.histogram');
  c.str(o, 'valueMode', 'harness');
}

function checkEnv(c: Checker, o: Obj): void {
  const p = 'environment';
  for (const k of ['hostname', 'platform', 'arch', 'kernel', 'cpuModel', 'node', 'v8', 'kvlabVersion']) c.str(o, k, p);
  c.int(o, 'cores', p);
  c.num(o, 'totalMemoryBytes', p);
  c.num(o, 'freeMemoryBytes', p);
  c.strOrNull(o, 'gitRevision', p);
  if (o.gitDirty !== null) c.bool(o, 'gitDirty', p);
  c.record(o, 'libraryVersions', p, (v, pp) => typeof v !== 'string' && c.fail(pp, 'a string', v));
  const f = c.obj(o.filesystem, `${p}.filesystem`);
  c.str(f, 'dir', `${p}.filesystem`);
  for (const k of ['type', 'mountPoint', 'device']) c.strOrNull(f, k, `${p}.filesystem`);
  const d = c.obj(o.dataset, `${p}.dataset`);
  for (const k of ['estimatedBytes', 'ramBytes', 'ratioToRam']) c.num(d, k, `${p}.dataset`);
}

function checkPhase(c: Checker, o: Obj, p: string): void {
  c.oneOf(o, 'phase', p, ['load', 'run']);
  const trials = c.arr(o.trials, `${p}.trials`);
  if (trials.length === 0) c.fail(`${p}.trials`, 'at least one trial', trials);
  trials.forEach((t, i) => checkTrial(c, c.obj(t, `${p}.trials[${i}]`), `${p}.trials[${i}]`));
  const s = c.obj(o.summary, `${p}.summary`);
  checkStat(c, s.throughput, `${p}.summary.throughput`);
  checkStat(c, s.durationMs, `${p}.summary.durationMs`);
  const ops = c.obj(s.ops, `${p}.summary.ops`);
  for (const [k, v] of Object.entries(ops)) {
    if (!OPS.includes(k)) c.fail(`${p}.summary.ops.${k}`, `an op type (${OPS.join('|')})`, k);
    const x = c.obj(v, `${p}.summary.ops.${k}`);
    for (const f of ['p50', 'p99', 'p99_9', 'failures']) checkStat(c, x[f], `${p}.summary.ops.${k}.${f}`);
  }
  const ov = c.obj(s.overall, `${p}.summary.overall`);
  checkStat(c, ov.p50, `${p}.summary.overall.p50`);
  checkStat(c, ov.p99, `${p}.summary.overall.p99`);
  if (ov.intendedP99 !== null) checkStat(c, ov.intendedP99, `${p}.summary.overall.intendedP99`);
}

function checkStat(c: Checker, v: unknown, p: string): void {
  const o = c.obj(v, p);
  const n = c.int(o, 'n', p);
  const values = c.arr(o.values, `${p}.values`);
  if (values.length !== n) c.fail(`${p}.values`, `${n} values`, values.length);
  values.forEach((x, i) => (typeof x !== 'number' || !Number.isFinite(x)) && c.fail(`${p}.values[${i}]`, 'a number', x));
  c.num(o, 'median', p, false);
  c.num(o, 'mean', p, false);
  c.num(o, 'stdDev', p);
  if (o.ci95 !== null) {
    const ci = c.arr(o.ci95, `${p}.ci95`);
    if (ci.length !== 2 || ci.some((x) => typeof x !== 'number' || !Number.isFinite(x)) || (ci[0] as number) > (ci[1] as number))
      c.fail(`${p}.ci95`, '[low, high] with low <= high', ci);
  } else if (n >= 2) c.fail(`${p}.ci95`, 'an interval when n >= 2', null);
}

function checkTrial(c: Checker, o: Obj, p: string): void {
  c.int(o, 'trial', p);
  c.iso(o, 'startedAt', p);
  c.int(o, 'operations', p);
  c.num(o, 'durationMs', p);
  c.num(o, 'throughput', p);
  c.oneOf(o, 'stoppedBy', p, ['operationcount', 'recordcount', 'maxexecutiontime', 'trace-end', 'error']);
  if (o.warmup !== null) {
    const w = c.obj(o.warmup, `${p}.warmup`);
    c.int(w, 'operations', `${p}.warmup`);
    c.num(w, 'durationMs', `${p}.warmup`);
  }
  const ops = c.obj(o.ops, `${p}.ops`);
  for (const [k, v] of Object.entries(ops)) {
    const q = `${p}.ops.${k}`;
    if (!OPS.includes(k)) c.fail(q, `an op type (${OPS.join('|')})`, k);
    const x = c.obj(v, q);
    c.int(x, 'count', q);
    c.int(x, 'failures', q);
    c.int(x, 'notFound', q);
    c.record(x, 'failureCodes', q, (vv, pp) => (typeof vv !== 'number' || !Number.isInteger(vv) || vv < 0) && c.fail(pp, 'a count', vv));
    checkHist(c, x.latency, `${q}.latency`);
    if ((x.latency as Obj).count !== x.count) c.fail(`${q}.latency.count`, `the op count ${String(x.count)}`, (x.latency as Obj).count);
    if (x.intendedLatency !== null) checkHist(c, x.intendedLatency, `${q}.intendedLatency`);
  }
  const ov = c.obj(o.overall, `${p}.overall`);
  checkHist(c, ov.latency, `${p}.overall.latency`);
  if (ov.intendedLatency !== null) checkHist(c, ov.intendedLatency, `${p}.overall.intendedLatency`);
  c.arr(o.intervals, `${p}.intervals`).forEach((v, i) => {
    const q = `${p}.intervals[${i}]`;
    const x = c.obj(v, q);
    c.num(x, 'tMs', q);
    c.int(x, 'operations', q);
    c.num(x, 'throughput', q);
    c.numOrNull(x, 'p50', q);
    c.numOrNull(x, 'p99', q);
    c.numOrNull(x, 'intendedP99', q);
    c.int(x, 'failures', q);
  });
  const ub = c.obj(o.userBytes, `${p}.userBytes`);
  c.num(ub, 'written', `${p}.userBytes`);
  c.num(ub, 'read', `${p}.userBytes`);
  const es = c.obj(o.engineStats, `${p}.engineStats`);
  checkEngineStats(c, es.before, `${p}.engineStats.before`);
  checkEngineStats(c, es.after, `${p}.engineStats.after`);
  const io = c.obj(o.io, `${p}.io`);
  for (const k of ['before', 'after', 'delta']) if (io[k] !== null) checkProcIo(c, io[k], `${p}.io.${k}`, k === 'delta');
  const db = c.obj(o.dirBytes, `${p}.dirBytes`);
  c.numOrNull(db, 'before', `${p}.dirBytes`);
  c.numOrNull(db, 'after', `${p}.dirBytes`);
  const m = c.obj(o.memory, `${p}.memory`);
  for (const k of ['rssBefore', 'rssAfter', 'heapUsedBefore', 'heapUsedAfter']) c.num(m, k, `${p}.memory`);
  const a = c.obj(o.amplification, `${p}.amplification`);
  for (const k of ['writeEngine', 'writeOs', 'writeSyscall', 'readEngine', 'readSyscall', 'deviceBytesPerRead', 'space', 'indexBytesPerKey', 'rssBytesPerKey'])
    c.numOrNull(a, k, `${p}.amplification`);
  c.num(a, 'heapDeltaBytes', `${p}.amplification`, false);
  c.strArray(a, 'notes', `${p}.amplification`);
  c.strArray(o, 'errorSamples', p);
}

function checkHist(c: Checker, v: unknown, p: string): void {
  const o = c.obj(v, p);
  c.int(o, 'count', p);
  for (const k of ['min', 'max', 'mean', 'stdDev']) c.num(o, k, p);
  const pc = c.obj(o.percentiles, `${p}.percentiles`);
  for (const k of PCTS) c.num(pc, k, `${p}.percentiles`);
  const b = c.str(o, 'hdrBase64', p);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b)) c.fail(`${p}.hdrBase64`, 'base64', b);
}

function checkEngineStats(c: Checker, v: unknown, p: string): void {
  const o = c.obj(v, p);
  for (const k of STATS_NUMS) c.num(o, k, p);
  c.record(o, 'extra', p, (vv, pp) => (typeof vv !== 'number' || !Number.isFinite(vv)) && c.fail(pp, 'a number', vv));
  c.strArray(o, 'unknown', p);
}

function checkProcIo(c: Checker, v: unknown, p: string, delta: boolean): void {
  const o = c.obj(v, p);
  for (const k of PROC_IO) c.num(o, k, p, !delta);
}
