/**
 * The exact merge of a scale-out trial: N clients' phase trials → one {@link PhaseTrial}.
 * Counts and bytes are summed; every histogram is the bucket-by-bucket sum of the clients'
 * (HdrHistogram addition, never an average of percentiles); the time series is re-cut on the
 * coordinator's clock: each client's streamed interval histogram lands in the coordinator
 * interval its end falls in (client clock − measured offset), and the slot's percentiles come from
 * the summed histograms. Engine stats, memory, faults, machine load and amplification are client
 * 0's (for a shared store its stats are the store's; for own stores a representative one);
 * `io` is summed. A client that died mid-run contributes what it streamed until then.
 */
import * as hdr from 'hdr-histogram-js';
import { KvError } from '../../engines/errors.js';
import { decodeHdrBase64, emptyHdrHistogram, histogramRecord } from '../histogram.js';
import type { ClientTrial, HistogramRecord, IntervalPoint, OpTypeResult, PhaseTrial, ProcIo, ResultOpType } from '../results.js';

/** One interval a client streamed (protocol.ts `interval`). */
export interface StreamedInterval {
  tMs: number;
  operations: number;
  failures: number;
  hist: string;
  intendedHist: string | null;
}

/** Everything the coordinator knows of one client after a trial. */
export interface ClientOutcome {
  index: number;
  host: string;
  agent: string | null;
  pid: number;
  seed: number;
  share: { insertstart?: number; insertcount?: number; operationShare?: number };
  targetOpsPerSec: number | null;
  clockOffsetMs: number;
  rttMs: number;
  /** When its measured loop began, on its own clock (null: it never began). */
  startedClientMs: number | null;
  intervals: StreamedInterval[];
  /** Its phase trial, or null when it died before sending one. */
  trial: PhaseTrial | null;
  /** Why it ended without a trial (the client or its agent died, the connection dropped). */
  lost?: { code: string; message: string };
}

/** A merged interval with its histograms (for the interval log). */
export interface MergedInterval {
  point: IntervalPoint;
  /** Slot bounds on the coordinator's clock, ms since the barrier. */
  startMs: number;
  endMs: number;
  hist: hdr.Histogram;
  intended: hdr.Histogram | null;
}

/** The bucket-by-bucket sum of `parts` (compressed base64 histograms) as a results record. */
export function sumRecords(parts: readonly string[]): HistogramRecord {
  const h = emptyHdrHistogram();
  for (const b of parts) h.add(decodeHdrBase64(b));
  return histogramRecord(h);
}

function mergeOps(trials: readonly PhaseTrial[]): PhaseTrial['ops'] {
  const out: Partial<Record<ResultOpType, OpTypeResult>> = {};
  const types = [...new Set(trials.flatMap((t) => Object.keys(t.ops)))] as ResultOpType[];
  for (const type of types) {
    const rs = trials.map((t) => t.ops[type]).filter((r): r is OpTypeResult => r !== undefined);
    const codes: Record<string, number> = {};
    for (const r of rs) for (const [c, n] of Object.entries(r.failureCodes)) codes[c] = (codes[c] ?? 0) + n;
    const intended = rs.every((r) => r.intendedLatency !== null) ? sumRecords(rs.map((r) => r.intendedLatency!.hdrBase64)) : null;
    out[type] = {
      count: rs.reduce((a, r) => a + r.count, 0), failures: rs.reduce((a, r) => a + r.failures, 0), failureCodes: codes,
      notFound: rs.reduce((a, r) => a + r.notFound, 0), latency: sumRecords(rs.map((r) => r.latency.hdrBase64)), intendedLatency: intended,
    };
  }
  return out;
}

function sumIo(trials: readonly PhaseTrial[]): PhaseTrial['io'] {
  const add = (xs: Array<ProcIo | null>): ProcIo | null => {
    if (xs.some((x) => x === null)) return null;
    const o = { ...xs[0]! };
    for (const x of xs.slice(1)) for (const k of Object.keys(o) as Array<keyof ProcIo>) o[k] += x![k];
    return o;
  };
  return { before: add(trials.map((t) => t.io.before)), after: add(trials.map((t) => t.io.after)), delta: add(trials.map((t) => t.io.delta)) };
}

/** Slot of an interval ending `endMs` after the barrier: 1-based, slot k covers ((k-1)·I, k·I]. */
function slotOf(endMs: number, intervalMs: number): number {
  return Math.max(1, Math.ceil(endMs / intervalMs - 1e-9));
}

/** Re-cuts every client's streamed intervals on the coordinator's clock (see the module comment). */
export function mergeIntervals(outs: readonly ClientOutcome[], barrierMs: number, intervalMs: number): MergedInterval[] {
  const slots = new Map<number, { ops: number; failures: number; hist: hdr.Histogram; intended: hdr.Histogram | null; endMs: number }>();
  for (const c of outs) {
    if (c.startedClientMs === null) continue;
    const start = c.startedClientMs - c.clockOffsetMs - barrierMs;
    for (const iv of c.intervals) {
      const end = start + iv.tMs;
      const k = slotOf(end, intervalMs);
      let s = slots.get(k);
      if (s === undefined) slots.set(k, (s = { ops: 0, failures: 0, hist: emptyHdrHistogram(), intended: null, endMs: 0 }));
      s.ops += iv.operations;
      s.failures += iv.failures;
      s.hist.add(decodeHdrBase64(iv.hist));
      if (iv.intendedHist !== null) (s.intended ??= emptyHdrHistogram()).add(decodeHdrBase64(iv.intendedHist));
      s.endMs = Math.max(s.endMs, end);
    }
  }
  const ks = [...slots.keys()].sort((a, b) => a - b);
  const last = ks[ks.length - 1];
  let prev = 0;
  return ks.map((k) => {
    const s = slots.get(k)!;
    const endMs = k === last ? Math.max(s.endMs, (k - 1) * intervalMs) : k * intervalMs;
    const startMs = Math.max(prev, (k - 1) * intervalMs);
    prev = endMs;
    const n = s.hist.totalCount;
    const dt = endMs - startMs;
    return {
      startMs, endMs, hist: s.hist, intended: s.intended,
      point: {
        tMs: endMs, operations: s.ops, throughput: dt > 0 ? (s.ops * 1000) / dt : 0,
        p50: n === 0 ? null : s.hist.getValueAtPercentile(50), p99: n === 0 ? null : s.hist.getValueAtPercentile(99),
        intendedP99: s.intended === null || s.intended.totalCount === 0 ? null : s.intended.getValueAtPercentile(99), failures: s.failures,
      },
    };
  });
}

/** One client's own figures: from its trial, or (a client that died) from what it streamed. */
export function clientTrial(c: ClientOutcome, barrierMs: number): ClientTrial {
  const startSkewMs = c.startedClientMs === null ? 0 : c.startedClientMs - c.clockOffsetMs - barrierMs;
  const base = {
    index: c.index, host: c.host, agent: c.agent, pid: c.pid, seed: c.seed, ...c.share, targetOpsPerSec: c.targetOpsPerSec,
    clockOffsetMs: c.clockOffsetMs, rttMs: c.rttMs, startSkewMs,
  };
  if (c.trial !== null) {
    const t = c.trial;
    return {
      ...base, operations: t.operations, durationMs: t.durationMs, throughput: t.throughput, stoppedBy: t.stoppedBy,
      ...(t.failed ? { failed: t.failed } : {}),
      failures: Object.values(t.ops).reduce((a, r) => a + (r?.failures ?? 0), 0),
      latency: t.overall.latency, intendedLatency: t.overall.intendedLatency,
      intervals: t.intervals.map((p) => ({ tMs: p.tMs, operations: p.operations, throughput: p.throughput, p99: p.p99 })),
    };
  }
  const ops = c.intervals.reduce((a, iv) => a + iv.operations, 0);
  const durationMs = c.intervals.length === 0 ? 0 : c.intervals[c.intervals.length - 1]!.tMs;
  const intended = c.intervals.length > 0 && c.intervals.every((iv) => iv.intendedHist !== null) ? sumRecords(c.intervals.map((iv) => iv.intendedHist!)) : null;
  let prev = 0;
  return {
    ...base, operations: ops, durationMs, throughput: durationMs > 0 ? (ops * 1000) / durationMs : 0, stoppedBy: 'error',
    failed: c.lost ?? { code: 'IO', message: 'the client ended without a result' },
    failures: c.intervals.reduce((a, iv) => a + iv.failures, 0),
    latency: sumRecords(c.intervals.map((iv) => iv.hist)), intendedLatency: intended,
    intervals: c.intervals.map((iv) => {
      const dt = iv.tMs - prev;
      prev = iv.tMs;
      const h = decodeHdrBase64(iv.hist);
      return { tMs: iv.tMs, operations: iv.operations, throughput: dt > 0 ? (iv.operations * 1000) / dt : 0, p99: h.totalCount === 0 ? null : h.getValueAtPercentile(99) };
    }),
  };
}

/**
 * Merges the clients of one trial of one phase. `barrierMs` is the start instant on the
 * coordinator's clock. INTERNAL when no client produced a trial (nothing to base the merge on).
 */
export function mergeClientTrials(outs: readonly ClientOutcome[], barrierMs: number, intervalMs: number): { trial: PhaseTrial; intervals: MergedInterval[] } {
  const done = outs.filter((c) => c.trial !== null).map((c) => c.trial!);
  if (done.length === 0) throw new KvError('INTERNAL', 'no client of the trial produced results to merge');
  const first = done[0]!;
  const clients = outs.map((c) => clientTrial(c, barrierMs));
  const intervals = mergeIntervals(outs, barrierMs, intervalMs);
  const ops = mergeOps(done);
  // a lost client's operations are in its streamed intervals only (no per-op-type split)
  const lostOps = clients.filter((c, i) => outs[i]!.trial === null).reduce((a, c) => a + c.operations, 0);
  const operations = done.reduce((a, t) => a + t.operations, 0) + lostOps;
  // the span on the coordinator's clock: from the barrier to the last client's end
  const ends = outs.map((c, i) => (c.startedClientMs === null ? 0 : c.startedClientMs - c.clockOffsetMs - barrierMs + clients[i]!.durationMs));
  const durationMs = Math.max(0, ...ends);
  // every operation once: a finished client's whole histogram, a lost one's streamed intervals
  const lostIntervals = outs.filter((c) => c.trial === null).flatMap((c) => c.intervals);
  const overallParts = [...done.map((t) => t.overall.latency.hdrBase64), ...lostIntervals.map((iv) => iv.hist)];
  const intendedAll = done.every((t) => t.overall.intendedLatency !== null)
    ? sumRecords([...done.map((t) => t.overall.intendedLatency!.hdrBase64), ...lostIntervals.flatMap((iv) => (iv.intendedHist === null ? [] : [iv.intendedHist]))])
    : null;
  const failedClient = clients.find((c) => c.failed !== undefined);
  const timedOut = done.find((t) => t.timedOut !== undefined);
  const stoppedBy: PhaseTrial['stoppedBy'] = timedOut ? 'timeout' : failedClient ? 'error' : first.stoppedBy;
  const trial: PhaseTrial = {
    ...first,
    startedAt: done.map((t) => t.startedAt).sort()[0]!,
    operations, durationMs, throughput: durationMs > 0 ? (operations * 1000) / durationMs : 0,
    stoppedBy,
    ...(timedOut?.timedOut ? { timedOut: timedOut.timedOut } : {}),
    ...(failedClient?.failed ? { failed: { code: failedClient.failed.code, message: `client ${failedClient.index}${failedClient.agent ? ` (agent ${failedClient.agent})` : ''}: ${failedClient.failed.message}` } } : {}),
    warmup: first.warmup === null ? null : { operations: done.reduce((a, t) => a + (t.warmup?.operations ?? 0), 0), durationMs: Math.max(...done.map((t) => t.warmup?.durationMs ?? 0)) },
    ops,
    overall: { latency: sumRecords(overallParts), intendedLatency: intendedAll },
    intervals: intervals.map((m) => m.point),
    userBytes: { written: done.reduce((a, t) => a + t.userBytes.written, 0), read: done.reduce((a, t) => a + t.userBytes.read, 0) },
    io: sumIo(done),
    errorSamples: outs.flatMap((c) => (c.trial?.errorSamples ?? []).map((s) => `client ${c.index}: ${s}`)).slice(0, 5),
    clients,
  };
  delete trial.pid;
  if (!timedOut) delete trial.timedOut;
  if (!failedClient) delete trial.failed;
  return { trial, intervals };
}
