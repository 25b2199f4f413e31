/**
 * Traces in the harness: replaying a recorded run-phase operation stream (workloads/trace.ts
 * TraceReader) against any engine, and recording the stream a run generates (TraceWriter).
 * The load phase of a replay is generated from the trace's own properties and seed, so a
 * replay needs nothing but the trace file.
 */
import { TraceReader, TraceWriter } from '../workloads/index.js';
import type { OpSlot, OpSource } from './source.js';

/** Run ops from a trace; load ops from `load` (the generated stream of the trace's workload). */
export class TraceSource implements OpSource {
  constructor(private readonly reader: TraceReader, private readonly load: OpSource) {}

  nextLoad(op: OpSlot): boolean {
    return this.load.nextLoad(op);
  }

  /** False at the end of the trace (the run phase stops with `trace-end`). */
  nextRun(op: OpSlot): boolean {
    return this.reader.next(op);
  }

  /** Nothing: the trace already holds the key numbers the original run chose. */
  acknowledge(): void {}

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
