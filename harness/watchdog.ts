/**
 * The synchronous loops' watchdog. A synchronous engine call that never returns blocks the only
 * JavaScript thread, so nothing on it can notice; a worker thread can. The loop writes the start
 * time, type and number of the operation in flight into shared memory before each call (three
 * stores, no atomics, no syscall); the worker looks every `min(1 s, bound / 4)` and, when one
 * call has been running longer than the bound, prints one line naming the engine, the phase,
 * the operation and what it waited for, and ends the process (SIGKILL: the blocked thread cannot
 * run any handler). In a forked trial (harness/fork.ts) the line is the child's `{"kvError"}`
 * line, so the parent reports a TIMEOUT and keeps the trials that finished.
 */
import { Worker } from 'node:worker_threads';
import { OP_NAMES } from './source.js';

/** Cells of the shared array: [0] start of the call in flight (performance.now(); 0 = none), [1] op type index, [2] op number. */
const CELLS = 3;

/** Set in a forked trial child's environment by harness/fork.ts: errors are printed as `{"kvError"}` lines. */
export const TRIAL_CHILD_ENV = 'KVLAB_TRIAL_CHILD';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { cells, origin, boundMs, what, opTypes, json } = workerData;
setInterval(() => {
  const st = cells[0];
  if (!(st > 0)) return;
  const now = performance.timeOrigin + performance.now() - origin;
  if (now - st <= boundMs) return;
  const op = opTypes[cells[1]] ?? 'operation';
  const msg = what + ': ' + op + ' (operation ' + cells[2] + ' of the phase) has not returned after ' + ((now - st) / 1000).toFixed(1) +
    ' s (--op-timeout ' + (boundMs / 1000) + ' s): waiting for the synchronous engine call to return; a blocked call cannot be interrupted, so the process is ended';
  require('node:fs').writeSync(2, json ? JSON.stringify({ kvError: { code: 'TIMEOUT', message: msg } }) + '\\n' : 'kvlab: TIMEOUT: ' + msg + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, workerData.periodMs);
`;

/** An armed watchdog for one synchronous loop. */
export class SyncWatchdog {
  private constructor(
    /** The loop writes here before each engine call (see {@link CELLS}). */
    readonly cells: Float64Array,
    private readonly worker: Worker,
  ) {}

  /** Arms a watchdog for a loop with `opTimeoutMs > 0`; undefined when the loop has no bound. */
  static arm(s: { opTimeoutMs?: number; what?: string }): SyncWatchdog | undefined {
    const bound = s.opTimeoutMs ?? 0;
    if (!(bound > 0)) return undefined;
    const cells = new Float64Array(new SharedArrayBuffer(CELLS * 8));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        cells, origin: performance.timeOrigin, boundMs: bound, what: s.what ?? 'engine', opTypes: [...OP_NAMES],
        json: process.env[TRIAL_CHILD_ENV] === '1', periodMs: Math.max(5, Math.min(1000, bound / 4)),
      },
      stdout: false, stderr: false,
    });
    worker.unref();
    return new SyncWatchdog(cells, worker);
  }

  /** Stops watching (the loop ended). */
  disarm(): void {
    this.cells[0] = 0;
    void this.worker.terminate();
  }
}
