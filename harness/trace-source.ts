/**
 * Traces in the harness: replaying a recorded run-phase operation stream against any engine,
 * and recording the stream a run generates (TraceWriter). Two formats replay:
 * - kvlab's own (workloads/trace.ts TraceReader): the load phase is generated from the trace's
 *   own properties and seed, so a replay needs nothing but the trace file; no timestamps, so
 *   only `fast` timing (closed loop, or --target);
 * - Twitter's cache-trace CSV (workloads/traces/replay.ts TwitterReplay): keys and value sizes
 *   from the trace, `fast` or `recorded` timing (open loop at each op's recorded time, scaled by
 *   the speed), a load phase only with preload `first-write`.
 * {@link openReplay} builds either and {@link Replay.record} says what ran (results:
 * workload.traceReplay).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TRACE_MAGIC } from '../workloads/trace.js';
import { TraceReader, TraceWriter } from '../workloads/index.js';
import { TwitterReplay, type TracePreload, type TraceTiming } from '../workloads/traces/replay.js';
import type { UnknownOps } from '../workloads/traces/twitter.js';
import type { TraceReplay } from './results-schema.js';
import { OP_INDEX, OP_NAMES, type OpSlot, type OpSource, type ValueCodec } from './source.js';

/** Run ops from a trace; load ops from `load` (the generated stream of the trace's workload). */
export class TraceSource implements OpSource {
  /** Operations replayed per type (OP_INDEX order). */
  readonly executed = new Float64Array(OP_NAMES.length);

  constructor(private readonly reader: TraceReader, private readonly load: OpSource) {}

  nextLoad(op: OpSlot): boolean {
    return this.load.nextLoad(op);
  }

  /** False at the end of the trace (the run phase stops with `trace-end`). */
  nextRun(op: OpSlot): boolean {
    if (!this.reader.next(op)) return false;
    this.executed[OP_INDEX[op.type]]!++;
    return true;
  }

  /** Nothing: the trace already holds the key numbers the original run chose. */
  acknowledge(): void {}

  /** Operations read so far. */
  get count(): number {
    return this.reader.count;
  }

  close(): void {
    this.reader.close();
  }
}

/** Passes a source through, appending every run-phase op to a trace. */
export class RecordingSource implements OpSource {
  constructor(private readonly inner: OpSource, private readonly writer: TraceWriter) {}

  nextLoad(op: OpSlot): boolean {
    return this.inner.nextLoad(op);
  }

  nextRun(op: OpSlot): boolean {
    if (this.inner.nextRun(op) === false) return false;
    this.writer.append(op);
    return true;
  }

  acknowledge(keynum: number): void {
    this.inner.acknowledge(keynum);
  }

  /** Completes the trace (durable on return). */
  close(): void {
    this.writer.close();
  }
}

/** Opens a trace for replay (NOT_FOUND / CORRUPTION errors from TraceReader). */
export function openTrace(file: string): TraceReader {
  return new TraceReader(file);
}

/** Creates a trace recording run-phase ops of a workload with these properties and seed. */
export function createTrace(file: string, props: Record<string, string>, seed: number): TraceWriter {
  return new TraceWriter(file, { seed, props, meta: { recordedBy: 'kvlab run', phase: 'run' } });
}

/** Trace formats kvlab replays. */
export type TraceFormat = 'kvlab' | 'twitter';

/**
 * The format of `file` from its first bytes: kvlab's magic `KVLTRACE` → kvlab, anything else
 * → twitter (the CSV reader then names the first line that is not one). Errors: NOT_FOUND, IO
 * (as thrown by node:fs, with `code`).
 */
export function detectTraceFormat(file: string): TraceFormat {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(TRACE_MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.equals(TRACE_MAGIC) ? 'kvlab' : 'twitter';
  } finally {
    closeSync(fd);
  }
}

/** How to replay a trace (`kvlab run --trace FILE --trace-format ... --trace-timing ... --trace-speed ... --trace-preload ...`). */
export interface TraceReplaySettings {
  format: TraceFormat;
  formatDetected: boolean;
  timing: TraceTiming;
  speed: number;
  /** Twitter traces only (a kvlab trace's load is generated from its workload). */
  preload: TracePreload;
  unknownOps: UnknownOps;
}

/** An open replay: the source and codec for one trial, and what it ran. */
export interface Replay {
  source: OpSource;
  codec: ValueCodec;
  /** What was replayed so far (results: workload.traceReplay). */
  record(): TraceReplay;
  close(): void;
}

/**
 * Opens `file` for one trial. A kvlab trace's load phase is `generated` (the trace's workload
 * stream), its codec `generated.codec`; a Twitter trace is its own source and codec, its keys
 * checked against `maxKeyBytes` (TOO_LARGE naming the line). Errors: the readers' (NOT_FOUND,
 * CORRUPTION, INVALID_ARGUMENT naming the line, NOT_SUPPORTED for compressed input).
 */
export function openReplay(file: string, settings: TraceReplaySettings, generated: { source: OpSource; codec: ValueCodec }, maxKeyBytes: number, seed: number): Replay {
  const base = { format: settings.format, formatDetected: settings.formatDetected, file, timing: settings.timing, speed: settings.speed };
  if (settings.format === 'kvlab') {
    const t = new TraceSource(openTrace(file), generated.source);
    return {
      source: t, codec: generated.codec, close: () => t.close(),
      record: () => ({
        ...base, preload: 'generated', requests: t.count, byTraceOp: {}, skipped: {}, preloaded: 0, lastAtMs: null,
        executed: Object.fromEntries(OP_NAMES.map((n, i) => [n, t.executed[i]!]).filter(([, c]) => c !== 0)),
      }),
    };
  }
  const r = new TwitterReplay(file, { timing: settings.timing, speed: settings.speed, unknownOps: settings.unknownOps, preload: settings.preload, maxKeyBytes, seed });
  // TraceOperation and OpSlot are the same shape (harness/source.ts mirrors workloads/)
  const source: OpSource = { nextLoad: (op) => r.nextLoad(op), nextRun: (op) => r.nextRun(op), acknowledge: () => {} };
  const codec: ValueCodec = { insertValue: (op) => r.insertValue(op), updateValue: (op, cur) => r.updateValue(op, cur), verify: () => true };
  return {
    source, codec, close: () => r.close(),
    record: () => {
      const c = r.summary();
      return { ...base, preload: settings.preload, requests: c.requests, byTraceOp: c.byTraceOp, executed: { ...c.executed }, skipped: c.skipped, preloaded: c.preloaded, lastAtMs: settings.timing === 'recorded' ? c.lastAtMs : null };
    },
  };
}
