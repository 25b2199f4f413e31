/**
 * Synchronous streaming gunzip for the sync line reader (lines.ts): Node 20 has no synchronous
 * incremental zlib API, so a worker thread streams the file through node:zlib's Gunzip and hands
 * the decompressed bytes over one 256 KiB shared buffer; the caller blocks in Atomics.wait
 * until the next piece is there. Memory: the shared buffer plus zlib's own window, whatever the
 * file size. Multi-member gzip files (concatenated .gz) decompress as one stream.
 */
import { Worker } from 'node:worker_threads';
import { corruption } from '../../engines/errors.js';

const EMPTY = 0;
const FULL = 1;
const EOF = 2;
const ERROR = 3;
const CLOSED = 4;
const SIZE = 256 * 1024;

// CommonJS (an eval worker); ctrl[0] = state, ctrl[1] = bytes in `data`
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
const ctrl = new Int32Array(workerData.ctrl);
const data = new Uint8Array(workerData.data);
const waitEmpty = () => { while (Atomics.load(ctrl, 0) === ${FULL}) Atomics.wait(ctrl, 0, ${FULL}); return Atomics.load(ctrl, 0) !== ${CLOSED}; };
const hand = (state, bytes) => { data.set(bytes); ctrl[1] = bytes.length; Atomics.store(ctrl, 0, state); Atomics.notify(ctrl, 0); };
const src = fs.createReadStream(workerData.path);
const gz = zlib.createGunzip();
let done = false;
const fail = (e) => { if (done) return; done = true; src.destroy(); gz.destroy(); if (waitEmpty()) hand(${ERROR}, Buffer.from(String((e && e.message) || e)).subarray(0, data.length)); };
gz.on('data', (c) => {
  for (let off = 0; off < c.length && !done; off += data.length) {
    if (!waitEmpty()) { done = true; src.destroy(); gz.destroy(); return; }
    hand(${FULL}, c.subarray(off, Math.min(c.length, off + data.length)));
  }
});
gz.on('end', () => { if (done) return; done = true; if (waitEmpty()) hand(${EOF}, new Uint8Array(0)); });
src.on('error', fail);
gz.on('error', fail);
src.pipe(gz);
`;

/** A gzip file read as its decompressed bytes, synchronously. Errors: CORRUPTION (not gzip, truncated, bad CRC) and IO-level failures, with the file named. */
export class SyncGunzip {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly worker: Worker;
  private at = 0;
  private closed = false;

  constructor(readonly path: string) {
    const ctrl = new SharedArrayBuffer(8);
    const data = new SharedArrayBuffer(SIZE);
    this.ctrl = new Int32Array(ctrl);
    this.data = new Uint8Array(data);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, ctrl, data } });
    this.worker.unref();
  }

  /** Fills `into` with the next decompressed bytes; returns how many (0 at the end). */
  read(into: Buffer): number {
    const c = this.ctrl;
    for (;;) {
      const st = Atomics.load(c, 0);
      if (st === EMPTY) {
        Atomics.wait(c, 0, EMPTY, 1000);
        continue;
      }
      if (st === EOF || st === CLOSED) return 0;
      const len = c[1]!;
      if (st === ERROR) throw corruption(`${this.path}: gzip: ${Buffer.from(this.data.subarray(0, len)).toString()}`, this.path);
      const n = Math.min(into.length, len - this.at);
      into.set(this.data.subarray(this.at, this.at + n));
      this.at += n;
      if (this.at === len) {
        this.at = 0;
        Atomics.store(c, 0, EMPTY);
        Atomics.notify(c, 0);
      }
      return n;
    }
  }

  /** Stops the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, 0, CLOSED);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}
