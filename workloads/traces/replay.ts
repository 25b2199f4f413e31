/**
 * Replaying a Twitter cache trace (twitter.ts) as an operation source and value codec for the
 * harness (the shapes of harness/source.ts OpSource and ValueCodec): reads become READ, writes
 * become INSERT (a blind put of the trace's value size: `op.valueLength`), deletes and skipped
 * unknown operations are counted, never executed (mapping: twitter.ts TWITTER_MAPPING).
 *
 * Timing: every op carries `atMs`, its intended start in ms after the measured loop starts:
 * the trace's timestamps have 1-second resolution, so the ops of one second are spread evenly
 * over it (the k-th of n ops of second S is due at (S − S0 + k/n) s; S0 = the first timestamp,
 * so a split file starting mid-trace is due from 0), divided by `speed`. The harness's open
 * loop uses it with `recordedTiming` (harness/driver.ts); a closed loop ignores it.
 *
 * Memory: the requests of one trace second (to count them before spreading), one key buffer,
 * one value buffer as large as the largest value; with `preload` also one Map entry per
 * distinct key (built by one extra pass over the file).
 */
import { Random } from '../random.js';
import type { Operation } from '../operation.js';
import { TWITTER_MAPPING, TwitterTraceReader, newRequest, type TwitterOp, type UnknownOps } from './twitter.js';

/** An operation slot with a trace's value size and intended start (harness/source.ts OpSlot). */
export interface TraceOperation extends Operation {
  /** Bytes an INSERT writes; -1: the codec decides (YCSB). */
  valueLength: number;
  /** Intended start, ms after the loop starts (open loop with recordedTiming); NaN: none. */
  atMs: number;
}

/** `fast`: closed loop (or --target) as a generated workload; `recorded`: open loop at each op's {@link TraceOperation.atMs}. */
export type TraceTiming = 'fast' | 'recorded';
/** `none`: the run starts from the store as found (a cache trace starts from an empty cache); `first-write`: a load phase puts every key once. */
export type TracePreload = 'none' | 'first-write';

export interface ReplayOptions {
  timing: TraceTiming;
  /** Timestamps are divided by this (> 0). */
  speed: number;
  unknownOps: UnknownOps;
  preload: TracePreload;
  /** The engine's key limit: a longer key is TOO_LARGE naming the line. */
  maxKeyBytes?: number;
  /** Seeds the value bytes (PRNG stream 1, as RecordCodec). */
  seed: number;
}

/** What a replay did (results: workload.traceReplay). */
export interface ReplayCounts {
  /** Trace requests read (unknown operations that were skipped not included). */
  requests: number;
  /** Requests per trace operation. */
  byTraceOp: Record<string, number>;
  /** Operations handed to the harness, per kvlab type. */
  executed: { READ: number; INSERT: number };
  /** Not executed: `delete`, and `unknown:<name>` for skipped unknown operations. */
  skipped: Record<string, number>;
  /** Keys the load phase put (preload first-write), else 0. */
  preloaded: number;
  /** The last operation's intended start (ms after the loop start), or null before any. */
  lastAtMs: number | null;
}

const READ = 0;
const WRITE = 1;

/** See the module comment. Errors: the reader's (twitter.ts), each naming the line. */
export class TwitterReplay {
  private readonly reader: TwitterTraceReader;
  private readonly req = newRequest();
  private lookahead = false;
  private s0 = NaN;
  // the pending second
  private sec = 0;
  private readonly pKey: string[] = [];
  private readonly pSize: number[] = [];
  private readonly pAct: number[] = [];
  private pAt = 0;
  private ordinal = 0;
  private keyBuf = Buffer.alloc(256);
  private value = Buffer.alloc(0);
  private readonly rng: Random;
  private load: IterableIterator<[string, number]> | undefined;
  private readonly counts: ReplayCounts = { requests: 0, byTraceOp: {}, executed: { READ: 0, INSERT: 0 }, skipped: {}, preloaded: 0, lastAtMs: null };

  constructor(readonly file: string, readonly opts: ReplayOptions) {
    if (!(opts.speed > 0) || !Number.isFinite(opts.speed)) throw new RangeError(`trace speed must be a positive number, got ${opts.speed}`);
    this.rng = new Random(opts.seed, 1);
    this.reader = new TwitterTraceReader(file, { unknownOps: opts.unknownOps, maxKeyBytes: opts.maxKeyBytes });
  }

  /** The counts so far (unknown operations included once the trace is read). */
  summary(): ReplayCounts {
    const skipped = { ...this.counts.skipped };
    for (const [op, n] of this.reader.unknown) skipped[`unknown:${op}`] = n;
    return { ...this.counts, byTraceOp: { ...this.counts.byTraceOp }, executed: { ...this.counts.executed }, skipped };
  }

  /**
   * Load phase: with preload `first-write`, every distinct key (of reads and writes) once, at
   * the value size of its first write (a key the trace never writes: the mean write size,
   * rounded); with `none`, nothing. Reads the whole file once more (its own reader).
   */
  nextLoad(op: TraceOperation): boolean {
    if (this.opts.preload === 'none') return false;
    if (this.load === undefined) this.load = this.preloadSizes().entries();
    const n = this.load.next();
    if (n.done) return false;
    this.fill(op, 1, n.value[0], n.value[1], NaN);
    this.counts.preloaded++;
    return true;
  }

  /** The next run-phase operation; false at the end of the trace. */
  nextRun(op: TraceOperation): boolean {
    if (this.pAt >= this.pKey.length && !this.readSecond()) return false;
    const i = this.pAt++;
    const n = this.pKey.length;
    const atMs = ((this.sec - this.s0 + i / n) * 1000) / this.opts.speed;
    this.fill(op, this.pAct[i]!, this.pKey[i]!, this.pSize[i]!, atMs);
    this.counts.lastAtMs = atMs;
    if (this.pAct[i] === READ) this.counts.executed.READ++;
    else this.counts.executed.INSERT++;
    return true;
  }

  /** Nothing: a trace holds its own keys. */
  acknowledge(_keynum: number): void {}

  /** The bytes an INSERT writes: `op.valueLength` bytes of a reused seeded buffer (engines copy what they keep). */
  insertValue(op: TraceOperation): Uint8Array {
    const n = op.valueLength;
    if (n > this.value.length) {
      const v = Buffer.alloc(Math.max(n, this.value.length * 2, 4096));
      v.set(this.value);
      for (let i = this.value.length; i < v.length; i += 4) v.writeUInt32LE(this.rng.nextU32(), Math.min(i, v.length - 4));
      this.value = v;
    }
    return this.value.subarray(0, n);
  }

  /** Never asked for (a replay emits no UPDATE); the same bytes as an insert. */
  updateValue(op: TraceOperation, _current: Uint8Array | undefined): Uint8Array {
    return this.insertValue(op);
  }

  /** Values are not checked (the trace has no content). */
  verify(_op: TraceOperation, _value: Uint8Array): boolean {
    return true;
  }

  /** Releases the file. Idempotent. */
  close(): void {
    this.reader.close();
  }

  private fill(op: TraceOperation, act: number, key: string, size: number, atMs: number): void {
    const len = key.length;
    if (len > this.keyBuf.length) this.keyBuf = Buffer.alloc(len * 2);
    this.keyBuf.write(key, 0, 'latin1');
    op.type = act === READ ? 'READ' : 'INSERT';
    op.keynum = this.ordinal++;
    op.key = this.keyBuf.subarray(0, len);
    op.scanLength = 0;
    op.readField = -1;
    op.writeField = -1;
    op.valueLength = act === READ ? -1 : size;
    op.atMs = atMs;
  }

  /** Buffers the executable requests of the next trace second; false at the end. */
  private readSecond(): boolean {
    this.pKey.length = 0;
    this.pSize.length = 0;
    this.pAct.length = 0;
    this.pAt = 0;
    const r = this.req;
    for (;;) {
      if (!this.lookahead && !this.reader.next(r)) return this.pKey.length > 0;
      this.lookahead = false;
      const s = Math.floor(r.timestamp);
      if (Number.isNaN(this.s0)) this.s0 = this.sec = s;
      if (s !== this.sec && this.pKey.length > 0) {
        this.lookahead = true; // r starts the next second
        return true;
      }
      this.sec = s;
      this.counts.requests++;
      this.counts.byTraceOp[r.op] = (this.counts.byTraceOp[r.op] ?? 0) + 1;
      const a = TWITTER_MAPPING[r.op as TwitterOp].action;
      if (a === 'skip') {
        this.counts.skipped[r.op] = (this.counts.skipped[r.op] ?? 0) + 1;
        continue;
      }
      this.pKey.push(r.key);
      this.pSize.push(r.valueSize);
      this.pAct.push(a === 'read' ? READ : WRITE);
    }
  }

  /** One pass: key -> value size of its first write (-1 while unwritten), then unwritten keys get the mean write size. */
  private preloadSizes(): Map<string, number> {
    const r = new TwitterTraceReader(this.file, { unknownOps: this.opts.unknownOps, maxKeyBytes: this.opts.maxKeyBytes });
    const req = newRequest();
    const sizes = new Map<string, number>();
    let sum = 0;
    let writes = 0;
    try {
      while (r.next(req)) {
        const a = TWITTER_MAPPING[req.op as TwitterOp].action;
        if (a === 'skip') continue;
        const cur = sizes.get(req.key);
        if (a === 'write') {
          sum += req.valueSize;
          writes++;
          if (cur === undefined || cur < 0) sizes.set(req.key, req.valueSize);
        } else if (cur === undefined) sizes.set(req.key, -1);
      }
    } finally {
      r.close();
    }
    const mean = writes > 0 ? Math.round(sum / writes) : 0;
    for (const [k, v] of sizes) if (v < 0) sizes.set(k, mean);
    return sizes;
  }
}
