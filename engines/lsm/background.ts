/**
 * Where background jobs (job.ts) run, and how the main thread learns they finished without
 * ever yielding to the event loop.
 *
 * Two lanes, one job in flight on each: flushes and compactions. A flush therefore never waits
 * behind a long compaction (LevelDB gets that by checking for an immutable memtable inside its
 * compaction loop; a lane of its own gets it without touching the merge loop, and uses a second
 * core where there is one). A lane is either a worker thread (worker.ts, its own NodeFs) or
 * inline (the job runs synchronously inside submit, through the engine's own Fs).
 *
 * Completion: a worker posts its outcome on a MessagePort nobody listens on, then increments a
 * shared generation counter (Atomics) and notifies it. The main thread compares the counter
 * with the last value it saw on every engine call (one atomic load), takes the outcome with
 * `receiveMessageOnPort` (synchronous), and can block on the counter with `Atomics.wait`.
 *
 * Workers count their I/O in a shared array (live, also mid-job) that the engine adds to its
 * device counters. File numbers come from one shared counter so a worker can number the
 * outputs of a compaction while the main thread numbers WALs and flushes.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { KvError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { Fs, FsCounters } from '../fs.js';
import { runJob } from './job.js';
import type { Job, JobResult } from './job.js';

/** A job's outcome: its result, or the error it threw. */
export type JobOutcome = { ok: JobResult } | { error: unknown };

/** The order of the counters in a worker's shared I/O array. */
const IO_FIELDS = ['bytesRead', 'bytesWritten', 'reads', 'writes', 'syncs'] as const;

/** What a worker receives as workerData. */
export interface WorkerInit {
  port: MessagePort;
  /** Int32Array over it: [0] completion generation, [1] next file number. */
  shared: SharedArrayBuffer;
  /** Float64Array over it: the worker's Fs counters, in {@link IO_FIELDS} order. */
  io: SharedArrayBuffer;
}

/** An error as it crosses a MessagePort (KvErrors keep their code and file). */
export interface WireError {
  code?: ErrorCode;
  message: string;
  file?: string;
}

/** The error a worker sends. */
export function toWire(e: unknown): WireError {
  if (e instanceof KvError) return { code: e.code, message: e.message, file: e.file };
  return { message: e instanceof Error ? e.message : String(e) };
}

function fromWire(w: WireError): Error {
  return w.code ? new KvError(w.code, `background job: ${w.message}`, w.file ? { file: w.file } : {}) : new Error(`background job: ${w.message}`);
}

/** Counters backed by a shared Float64Array (a worker's NodeFs counts straight into it). */
export function sharedCounters(io: SharedArrayBuffer): FsCounters {
  const a = new Float64Array(io);
  const c = {} as FsCounters;
  IO_FIELDS.forEach((name, i) => Object.defineProperty(c, name, { get: () => a[i]!, set: (v: number) => (a[i] = v), enumerable: true }));
  return c;
}

const here = fileURLToPath(import.meta.url);
/** The worker entry point: the built one, also when this module runs from source under vitest. */
function workerScript(): string {
  if (here.endsWith('.ts')) return path.join(path.dirname(here), '..', '..', 'dist', 'engines', 'lsm', 'worker.js');
  return path.join(path.dirname(here), 'worker.js');
}

/** One job at a time, run either in a worker or inline. */
class Lane {
  /** A job was submitted and its outcome not yet taken. */
  busy = false;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** An outcome known on this thread: an inline job's, or a worker that could not start. */
  private inlineOutcome: JobOutcome | undefined;
  private readonly io = new SharedArrayBuffer(8 * IO_FIELDS.length);
  readonly ioCounters = new Float64Array(this.io);

  constructor(private readonly bg: Background) {}

  submit(job: Job): void {
    if (this.busy) throw new Error('lsm: a background lane got a second job');
    this.busy = true;
    if (this.bg.inline) {
      try {
        this.inlineOutcome = { ok: runJob(this.bg.fs, job, () => this.bg.newFileNumber()) };
      } catch (e) {
        this.inlineOutcome = { error: e };
      }
      return;
    }
    if (this.worker === undefined) {
      try {
        this.start();
      } catch (e) {
        // reported like a failed job: sticky in the engine, and nothing waits for a signal
        this.inlineOutcome = { error: e };
        this.bg.signal();
        return;
      }
    }
    const transfer = job.kind === 'flush' ? [job.data.buffer as ArrayBuffer] : [];
    this.port!.postMessage(job, transfer);
  }

  private start(): void {
    const script = workerScript();
    // a worker that cannot load would never signal: the wait for it would never end
    if (!existsSync(script)) throw new KvError('IO', `lsm: background worker ${script} is missing (run \`npm run build:ts\`, or open with background=false)`, { file: script });
    const { port1, port2 } = new MessageChannel();
    const init: WorkerInit = { port: port2, shared: this.bg.shared, io: this.io };
    this.worker = new Worker(script, { workerData: init, transferList: [port2] });
    this.worker.unref();
    this.port = port1;
    port1.unref();
  }

  /** The outcome of the job in flight if it is done (never blocks). */
  take(): JobOutcome | undefined {
    if (!this.busy) return undefined;
    let out: JobOutcome | undefined;
    if (this.inlineOutcome !== undefined) {
      out = this.inlineOutcome;
      this.inlineOutcome = undefined;
    } else if (this.port !== undefined) {
      const m = receiveMessageOnPort(this.port) as { message: { ok?: JobResult; error?: WireError } } | undefined;
      if (m === undefined) return undefined;
      out = m.message.error !== undefined ? { error: fromWire(m.message.error) } : { ok: m.message.ok! };
    }
    if (out !== undefined) this.busy = false;
    return out;
  }

  /** Stops the worker (call only when not busy, or when its job may be abandoned). */
  close(): void {
    const w = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    if (w !== undefined) void w.terminate();
  }
}

/** The two lanes and the shared completion signal (see the module doc). */
export class Background {
  readonly shared = new SharedArrayBuffer(8);
  private readonly sig = new Int32Array(this.shared);
  private seen = 0;
  readonly flush: Lane;
  readonly compaction: Lane;

  /**
   * @param fs the engine's Fs (inline jobs use it)
   * @param inline run jobs inside submit, on the calling thread
   * @param firstFileNumber the next unused file number
   */
  constructor(readonly fs: Fs, readonly inline: boolean, firstFileNumber: number) {
    this.sig[1] = firstFileNumber;
    this.flush = new Lane(this);
    this.compaction = new Lane(this);
  }

  /** Allocates a file number (any thread). */
  newFileNumber(): number {
    return Atomics.add(this.sig, 1, 1);
  }

  /** The next file number {@link newFileNumber} will return. */
  get nextFileNumber(): number {
    return Atomics.load(this.sig, 1);
  }

  set nextFileNumber(n: number) {
    Atomics.store(this.sig, 1, n);
  }

  /** True when some lane may have an outcome to take (one atomic load with workers). */
  maybeDone(): boolean {
    if (!this.flush.busy && !this.compaction.busy) return false;
    return this.inline || Atomics.load(this.sig, 0) !== this.seen;
  }

  /** Signals a completion from this thread (as a worker does). */
  signal(): void {
    Atomics.add(this.sig, 0, 1);
  }

  /** Records that every outcome signalled so far is about to be taken (call before taking). */
  ack(): void {
    this.seen = Atomics.load(this.sig, 0);
  }

  /** Blocks until a worker signals a completion not yet acknowledged, or `ms` pass. */
  wait(ms: number): void {
    if (this.inline) return;
    Atomics.wait(this.sig, 0, this.seen, ms);
  }

  /** Bytes and syncs the workers did through their own NodeFs, so far. */
  workerIo(): { bytesRead: number; bytesWritten: number; syncs: number } {
    const sum = (i: number) => this.flush.ioCounters[i]! + this.compaction.ioCounters[i]!;
    return { bytesRead: sum(0), bytesWritten: sum(1), syncs: sum(4) };
  }

  /** Stops both workers. */
  close(): void {
    this.flush.close();
    this.compaction.close();
  }
}

/** Sleeps the calling thread `ms` milliseconds without yielding (a write slowdown). */
export function sleepMs(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
