/**
 * The background worker thread (background.ts starts one per lane): runs each job it receives
 * with {@link runJob} through its own NodeFs, whose counters live in shared memory the engine
 * reads, posts the outcome, then bumps the shared completion counter and notifies it (in that
 * order, so the main thread always finds the message once it sees the counter move).
 */
import { workerData } from 'node:worker_threads';
import { NodeFs } from '../fs.js';
import type { FsCounters } from '../fs.js';
import { sharedCounters, toWire } from './background.js';
import type { WorkerInit } from './background.js';
import { runJob } from './job.js';
import type { Job } from './job.js';

/** A NodeFs counting into the engine's shared I/O array. */
class SharedCountingFs extends NodeFs {
  override readonly counters: FsCounters;
  constructor(io: SharedArrayBuffer) {
    super();
    this.counters = sharedCounters(io);
  }
}

const init = workerData as WorkerInit;
const fs = new SharedCountingFs(init.io);
const sig = new Int32Array(init.shared);
const newFileNumber = () => Atomics.add(sig, 1, 1);

init.port.on('message', (job: Job) => {
  try {
    init.port.postMessage({ ok: runJob(fs, job, newFileNumber) });
  } catch (e) {
    try {
      init.port.postMessage({ error: toWire(e) });
    } catch {
      init.port.postMessage({ error: { message: 'unserializable background error' } });
    }
  }
  Atomics.add(sig, 0, 1);
  Atomics.notify(sig, 0);
});
