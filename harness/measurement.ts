/**
 * Per-phase measurement state: latency recorders per op type (service time and, with a target,
 * intended-start time), success / not-found / failure counts, user bytes, and the per-interval
 * time series. The drivers call {@link Measurement.ok} etc. on the hot path (no allocation);
 * {@link Measurement.tick} closes an interval; {@link Measurement.opResults} serializes.
 */
import { isKvError } from '../engines/errors.js';
import { LatencyRecorder, highestEquivalent } from './histogram.js';
import type { IntervalPoint, OpTypeResult, ResultOpType } from './results.js';
import { OP_NAMES } from './source.js';

const N = OP_NAMES.length;
const MAX_ERROR_SAMPLES = 5;

/** Percentile of the histogram `cur − prev` (both cumulative), 0..100; null when empty. */
function deltaPercentile(cur: LatencyRecorder, prev: LatencyRecorder, p: number, total: number): number | null {
  if (total <= 0) return null;
  const want = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  const a = cur.counts;
  const b = prev.counts;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d === 0) continue;
    seen += d;
    if (seen >= want) return highestEquivalent(i);
  }
  return null;
}

/**
 * Called as each interval closes with that interval's own histograms (all op types; the
 * intended-start one with a target, else null). The recorders are scratch: read or encode them
 * before returning, never keep them. Used by scale-out clients (harness/clients/) to stream
 * interval histograms to the coordinator.
 */
export type IntervalHook = (point: IntervalPoint, delta: LatencyRecorder, intendedDelta: LatencyRecorder | null) => void;

/** `out` = `cur` − `prev` (both cumulative). */
function deltaInto(out: LatencyRecorder, cur: LatencyRecorder, prev: LatencyRecorder): LatencyRecorder {
  const o = out.counts;
  const a = cur.counts;
  const b = prev.counts;
  for (let i = 0; i < o.length; i++) o[i] = a[i]! - b[i]!;
  out.count = cur.count - prev.count;
  out.clamped = cur.clamped - prev.clamped;
  return out;
}

/** Receives every successful op's service time (ns), unbinned: a research check on the histograms (`--raw-latencies`). */
export interface RawLatencySink {
  push(ns: number): void;
}

export class Measurement {
  readonly latency: LatencyRecorder[] = OP_NAMES.map(() => new LatencyRecorder());
  readonly intended: LatencyRecorder[] | null;
  readonly okCount = new Float64Array(N);
  readonly notFound = new Float64Array(N);
  readonly failures = new Float64Array(N);
  readonly failureCodes: Array<Map<string, number>> = OP_NAMES.map(() => new Map());
  readonly errorSamples: string[] = [];
  userBytesWritten = 0;
  userBytesRead = 0;
  /** Completed operations (ok + failed). */
  done = 0;
  readonly intervals: IntervalPoint[] = [];
  private prevAll = new LatencyRecorder();
  private curAll = new LatencyRecorder();
  private prevIntended = new LatencyRecorder();
  private curIntended = new LatencyRecorder();
  private lastTickMs = 0;
  private lastTickDone = 0;
  private lastTickFailures = 0;

  private readonly deltaScratch: LatencyRecorder | null;
  private readonly intendedScratch: LatencyRecorder | null;

  constructor(withIntended: boolean, private readonly onInterval?: IntervalHook, private readonly raw?: RawLatencySink) {
    this.intended = withIntended ? OP_NAMES.map(() => new LatencyRecorder()) : null;
    this.deltaScratch = onInterval ? new LatencyRecorder() : null;
    this.intendedScratch = onInterval && withIntended ? new LatencyRecorder() : null;
  }

  /** A successful op of type index `t` (found = false for a read of an absent key). */
  ok(t: number, serviceNs: number, intendedNs: number, found: boolean): void {
    this.latency[t]!.record(serviceNs);
    if (this.raw !== undefined) this.raw.push(serviceNs);
    if (this.intended !== null) this.intended[t]!.record(intendedNs);
    this.okCount[t]!++;
    if (!found) this.notFound[t]!++;
    this.done++;
  }

  /** A failed op (thrown error or failed integrity check, `code` = `VERIFY`). */
  fail(t: number, e: unknown, code?: string): void {
    const c = code ?? (isKvError(e) ? e.code : 'ERROR');
    this.failures[t]!++;
    const m = this.failureCodes[t]!;
    m.set(c, (m.get(c) ?? 0) + 1);
    if (this.errorSamples.length < MAX_ERROR_SAMPLES)
      this.errorSamples.push(`${OP_NAMES[t]}: ${c}${e instanceof Error ? `: ${e.message}` : ''}`);
    this.done++;
  }

  totalFailures(): number {
    let f = 0;
    for (let i = 0; i < N; i++) f += this.failures[i]!;
    return f;
  }

  /** Closes the interval ending at `tMs` (ms since measured start). Returns the new point. */
  tick(tMs: number): IntervalPoint {
    this.curAll.reset();
    for (const r of this.latency) this.curAll.add(r);
    const n = this.curAll.count - this.prevAll.count;
    let intendedP99: number | null = null;
    let intendedDelta: LatencyRecorder | null = null;
    if (this.intended !== null) {
      this.curIntended.reset();
      for (const r of this.intended) this.curIntended.add(r);
      intendedP99 = deltaPercentile(this.curIntended, this.prevIntended, 99, this.curIntended.count - this.prevIntended.count);
      if (this.intendedScratch !== null) intendedDelta = deltaInto(this.intendedScratch, this.curIntended, this.prevIntended);
      [this.prevIntended, this.curIntended] = [this.curIntended, this.prevIntended];
    }
    const ops = this.done - this.lastTickDone;
    const failures = this.totalFailures();
    const dt = tMs - this.lastTickMs;
    const point: IntervalPoint = {
      tMs,
      operations: ops,
      throughput: dt > 0 ? (ops * 1000) / dt : 0,
      p50: deltaPercentile(this.curAll, this.prevAll, 50, n),
      p99: deltaPercentile(this.curAll, this.prevAll, 99, n),
      intendedP99,
      failures: failures - this.lastTickFailures,
    };
    if (this.onInterval !== undefined) this.onInterval(point, deltaInto(this.deltaScratch!, this.curAll, this.prevAll), intendedDelta);
    [this.prevAll, this.curAll] = [this.curAll, this.prevAll];
    this.lastTickMs = tMs;
    this.lastTickDone = this.done;
    this.lastTickFailures = failures;
    this.intervals.push(point);
    return point;
  }

  /** Per-op-type results for the op types that occurred. */
  opResults(): Partial<Record<ResultOpType, OpTypeResult>> {
    const out: Partial<Record<ResultOpType, OpTypeResult>> = {};
    for (let t = 0; t < N; t++) {
      if (this.okCount[t] === 0 && this.failures[t] === 0) continue;
      out[OP_NAMES[t]!] = {
        count: this.okCount[t]!,
        failures: this.failures[t]!,
        failureCodes: Object.fromEntries(this.failureCodes[t]!),
        notFound: this.notFound[t]!,
        latency: this.latency[t]!.toRecord(),
        intendedLatency: this.intended === null ? null : this.intended[t]!.toRecord(),
      };
    }
    return out;
  }

  /** All op types merged. */
  overall(): { latency: LatencyRecorder; intended: LatencyRecorder | null } {
    const all = new LatencyRecorder();
    for (const r of this.latency) all.add(r);
    let intended: LatencyRecorder | null = null;
    if (this.intended !== null) {
      intended = new LatencyRecorder();
      for (const r of this.intended) intended.add(r);
    }
    return { latency: all, intended };
  }
}
