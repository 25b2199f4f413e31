/**
 * YCSB's client properties, honoured from -P files and -p alike (as YCSB's Client reads them):
 * `threadcount`, `target`, `measurementtype` (`hdrhistogram`, the default, or `timeseries` with
 * `timeseries.granularity` ms), `hdrhistogram.percentiles`, `exportfile` + `exporter`
 * (YCSB's TextMeasurementsExporter and JSONArrayMeasurementsExporter formats), `status.interval`.
 * What kvlab does not implement (another workload class such as TimeSeriesWorkload, insertion
 * retries, other measurement types or exporters) is an INVALID_ARGUMENT naming the property,
 * never a silent fallback. Properties YCSB accepts and kvlab has no use for are listed in
 * `ignored`, which every result records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidArgument } from '../engines/errors.js';
import { decodeHistogram } from './histogram.js';
import type { HistogramRecord, ResultsFile } from './results.js';

/** The one workload class kvlab implements (either package name). */
const CORE_WORKLOAD = ['site.ycsb.workloads.CoreWorkload', 'com.yahoo.ycsb.workloads.CoreWorkload'];
const EXPORTERS: Record<string, 'text' | 'json-array'> = {
  'site.ycsb.measurements.exporter.TextMeasurementsExporter': 'text',
  'com.yahoo.ycsb.measurements.exporter.TextMeasurementsExporter': 'text',
  'site.ycsb.measurements.exporter.JSONArrayMeasurementsExporter': 'json-array',
  'com.yahoo.ycsb.measurements.exporter.JSONArrayMeasurementsExporter': 'json-array',
};
/** Properties YCSB's client or bindings read that kvlab accepts and does not act on. */
const IGNORED = ['db', 'table', 'debug', 'histogram.buckets', 'measurement.interval', 'measurement.trackjvm', 'maxexecutiontime.ignore'];

/** The client properties of a run, validated. */
export interface ClientProps {
  threadcount?: number;
  target?: number;
  /** `timeseries.granularity` (ms): the time-series interval. */
  granularityMs?: number;
  measurementtype: 'hdrhistogram' | 'timeseries';
  /** Percentiles the text/JSON export lists (YCSB default 95, 99). */
  percentiles: number[];
  exportfile?: string;
  exporter: 'text' | 'json-array';
  /** Seconds between status lines. */
  statusIntervalS?: number;
  /** Properties present that kvlab reads but does not act on. */
  ignored: string[];
}

function posInt(props: Record<string, string>, k: string): number | undefined {
  const v = props[k];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw invalidArgument(`property ${k}: must be an integer >= 1, got '${v}'`);
  return Number(v);
}

function posNum(props: Record<string, string>, k: string): number | undefined {
  const v = props[k];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw invalidArgument(`property ${k}: must be a positive number, got '${v}'`);
  return n;
}

/** Reads and validates the client properties of `props` (the merged -P files and -p overrides). */
export function clientProps(props: Record<string, string>): ClientProps {
  const wl = props.workload;
  if (wl !== undefined && !CORE_WORKLOAD.includes(wl))
    throw invalidArgument(`property workload=${wl}: kvlab implements only YCSB's CoreWorkload (${CORE_WORKLOAD[0]})`);
  for (const k of ['core_workload_insertion_retry_limit', 'core_workload_insertion_retry_interval', 'insertionretrylimit', 'insertionretryinterval'])
    if (props[k] !== undefined && props[k] !== '0' && !(k.endsWith('interval') && props[k] === '3'))
      throw invalidArgument(`property ${k}=${props[k]}: insertion retries are not implemented in kvlab (a failed insert is counted, not retried)`);
  const mt = props.measurementtype ?? 'hdrhistogram';
  if (mt !== 'hdrhistogram' && mt !== 'timeseries')
    throw invalidArgument(`property measurementtype=${mt}: kvlab records hdrhistogram (always, with a time series); supported values: hdrhistogram, timeseries`);
  const ex = props.exporter ?? 'site.ycsb.measurements.exporter.TextMeasurementsExporter';
  const exporter = EXPORTERS[ex];
  if (exporter === undefined) throw invalidArgument(`property exporter=${ex}: supported exporters: TextMeasurementsExporter, JSONArrayMeasurementsExporter (site.ycsb.measurements.exporter)`);
  const pct = (props['hdrhistogram.percentiles'] ?? '95,99').split(',').map((s) => s.trim());
  const percentiles = pct.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isFinite(n) || n <= 0 || n > 100) throw invalidArgument(`property hdrhistogram.percentiles: '${s}' is not a percentile in (0, 100]`);
    return n;
  });
  const out: ClientProps = {
    measurementtype: mt, percentiles, exporter,
    ignored: IGNORED.filter((k) => props[k] !== undefined),
  };
  const tc = posInt(props, 'threadcount');
  if (tc !== undefined) out.threadcount = tc;
  const target = posNum(props, 'target');
  if (target !== undefined) out.target = target;
  const g = posNum(props, 'timeseries.granularity');
  if (g !== undefined) out.granularityMs = g;
  const si = posNum(props, 'status.interval');
  if (si !== undefined) out.statusIntervalS = si;
  if (props.exportfile !== undefined) out.exportfile = props.exportfile;
  return out;
}

/** YCSB's percentile label: `95thPercentileLatency(us)`, `99.9PercentileLatency(us)`. */
function pctLabel(p: number): string {
  return Number.isInteger(p) ? `${p}thPercentileLatency(us)` : `${p}PercentileLatency(us)`;
}

function histRows(metric: string, h: HistogramRecord, percentiles: readonly number[]): Array<[string, string, number]> {
  const rows: Array<[string, string, number]> = [
    [metric, 'Operations', h.count], [metric, 'AverageLatency(us)', h.mean / 1000],
    [metric, 'MinLatency(us)', h.min / 1000], [metric, 'MaxLatency(us)', h.max / 1000],
  ];
  const d = h.count > 0 ? decodeHistogram(h) : null;
  for (const p of percentiles) rows.push([metric, pctLabel(p), d ? d.getValueAtPercentile(p) / 1000 : 0]);
  return rows;
}

/** The measurements of a result's last phase, trial by trial merged as YCSB prints one run: [metric, measurement, value] rows. */
export function exportRows(r: ResultsFile, percentiles: readonly number[]): Array<[string, string, number]> {
  const p = r.phases[r.phases.length - 1];
  if (!p) return [];
  const t = p.trials[p.trials.length - 1]!;
  const rows: Array<[string, string, number]> = [['OVERALL', 'RunTime(ms)', Math.round(t.durationMs)], ['OVERALL', 'Throughput(ops/sec)', t.throughput]];
  for (const [op, x] of Object.entries(t.ops)) {
    rows.push(...histRows(op, x.latency, percentiles));
    rows.push([op, 'Return=OK', x.count - x.notFound]);
    if (x.notFound > 0) rows.push([op, 'Return=NOT_FOUND', x.notFound]);
    for (const [code, n] of Object.entries(x.failureCodes)) rows.push([op, `Return=${code === 'VERIFY' ? 'UNEXPECTED_STATE' : 'ERROR'}`, n]);
    if (x.intendedLatency) rows.push(...histRows(`Intended-${op}`, x.intendedLatency, percentiles));
  }
  return rows;
}

/**
 * Writes `exportfile` in YCSB's exporter format: text (`[READ], Operations, 500` lines) or a JSON
 * array (`[{"metric":"READ","measurement":"Operations","value":500}, ...]`). Atomic (tmp + rename).
 */
export function writeExport(r: ResultsFile, cp: ClientProps): void {
  if (cp.exportfile === undefined) return;
  const rows = exportRows(r, cp.percentiles);
  const text = cp.exporter === 'text'
    ? rows.map(([m, k, v]) => `[${m}], ${k}, ${Number.isInteger(v) ? v : v.toFixed(3)}`).join('\n') + '\n'
    : JSON.stringify(rows.map(([metric, measurement, value]) => ({ metric, measurement, value }))) + '\n';
  fs.mkdirSync(path.dirname(path.resolve(cp.exportfile)), { recursive: true });
  const tmp = `${cp.exportfile}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, cp.exportfile);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
