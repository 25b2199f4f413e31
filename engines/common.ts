/**
 * Pieces every engine shares, so that each behaves identically at the contract's edges:
 * argument checks ({@link checkKey}, {@link checkValue}, {@link checkBatch}), the durability
 * policy with group commit ({@link DurabilityPolicy}) and the data-directory lock ({@link DirLock}).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BatchOp, Durability, Limits, OpenOptions } from './engine.js';
import { KvError, invalidArgument } from './errors.js';
import type { Fd, Fs } from './fs.js';

/** Throws INVALID_ARGUMENT unless `key` is a non-empty Uint8Array, TOO_LARGE past the limit. */
export function checkKey(key: unknown, limits: Limits): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw invalidArgument(`key must be a Uint8Array, got ${describe(key)}`);
  if (key.length === 0) throw invalidArgument('key must not be empty');
  if (key.length > limits.maxKeyBytes)
    throw new KvError('TOO_LARGE', `key of ${key.length} bytes exceeds the limit of ${limits.maxKeyBytes}`);
}

/** Throws INVALID_ARGUMENT unless `value` is a Uint8Array, TOO_LARGE past the limit. */
export function checkValue(value: unknown, limits: Limits): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(`value must be a Uint8Array, got ${describe(value)}`);
  if (value.length > limits.maxValueBytes)
    throw new KvError('TOO_LARGE', `value of ${value.length} bytes exceeds the limit of ${limits.maxValueBytes}`);
}

/** Validates a whole batch before any of it is applied (so a bad op rejects the batch, not half of it). */
export function checkBatch(batch: unknown, limits: Limits): asserts batch is readonly BatchOp[] {
  if (!Array.isArray(batch)) throw invalidArgument(`batch must be an array, got ${describe(batch)}`);
  for (const op of batch as unknown[]) {
    if (op === null || typeof op !== 'object') throw invalidArgument(`batch op must be an object, got ${describe(op)}`);
    const o = op as { type?: unknown; key?: unknown; value?: unknown };
    checkKey(o.key, limits);
    if (o.type === 'put') checkValue(o.value, limits);
    else if (o.type !== 'del') throw invalidArgument(`batch op type must be 'put' or 'del', got ${describe(o.type)}`);
  }
}

/**
 * Checks a batch and reads it exactly once: returns a fresh array of plain ops holding the
 * key and value read during the check (so a getter that answers differently later changes
 * nothing), and the batch's user bytes. A bad op rejects the whole batch before any is applied.
 */
export function checkBatchOnce(batch: unknown, limits: Limits): { ops: BatchOp[]; bytes: number } {
  if (!Array.isArray(batch)) throw invalidArgument(`batch must be an array, got ${describe(batch)}`);
  const n = (batch as unknown[]).length;
  const ops: BatchOp[] = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const op = (batch as unknown[])[i];
    if (op === null || typeof op !== 'object') throw invalidArgument(`batch op must be an object, got ${describe(op)}`);
    const o = op as { type?: unknown; key?: unknown; value?: unknown };
    const type = o.type;
    const key = o.key;
    checkKey(key, limits);
    if (type === 'put') {
      const value = o.value;
      checkValue(value, limits);
      ops[i] = { type: 'put', key, value };
      bytes += key.length + value.length;
    } else if (type === 'del') {
      ops[i] = { type: 'del', key };
      bytes += key.length;
    } else throw invalidArgument(`batch op type must be 'put' or 'del', got ${describe(type)}`);
  }
  return { ops, bytes };
}

/** Throws INVALID_ARGUMENT unless `limit` is a non-negative integer. */
export function checkLimit(limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
    throw invalidArgument(`scan limit must be a non-negative integer, got ${describe(limit)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** Unsigned lexicographic byte comparison (the contract's key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Copies caller bytes so the engine never aliases a buffer the caller may reuse. */
export function copyBytes(b: Uint8Array): Buffer {
  return Buffer.from(b);
}

/**
 * Decides when acknowledged writes become durable, identically for every engine.
 *
 * The engine calls {@link afterWrite} once per acknowledged mutating call, after its bytes are
 * handed to the OS. The policy assigns the sequence number and, depending on the mode, calls
 * `syncNow` (the engine's fdatasync of its log): always under `always`; under `group` when the
 * window (`groupCommitMs` since the first unsynced write, or `groupCommitBytes`) is exceeded,
 * so one fdatasync covers every write before it; never under `none` (sync()/close() do it).
 * Under `group`, an idle window is also closed by an unref'd timer, so writes do not stay
 * unsynced forever when the writer pauses.
 */
export class DurabilityPolicy {
  readonly mode: Durability;
  readonly groupCommitMs: number;
  readonly groupCommitBytes: number;
  private last = 0;
  private durable = 0;
  private pendingBytes = 0;
  private windowStart = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    opts: Pick<OpenOptions, 'durability' | 'groupCommitMs' | 'groupCommitBytes'>,
    private readonly syncNow: () => void,
    startSequence = 0,
  ) {
    this.mode = opts.durability ?? 'none';
    this.groupCommitMs = opts.groupCommitMs ?? 2;
    this.groupCommitBytes = opts.groupCommitBytes ?? 1 << 20;
    this.last = this.durable = startSequence;
  }

  /** Records one acknowledged write of `bytes` bytes; syncs if the mode requires. Returns its sequence. */
  afterWrite(bytes: number): number {
    const seq = ++this.last;
    if (this.mode === 'always') {
      this.syncNow();
      this.durable = seq;
    } else if (this.mode === 'group') {
      const now = performance.now();
      if (this.pendingBytes === 0) this.windowStart = now;
      this.pendingBytes += bytes;
      if (this.pendingBytes >= this.groupCommitBytes || now - this.windowStart >= this.groupCommitMs) this.commit();
      else if (this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          try {
            if (this.durable < this.last) this.commit();
          } catch {
            /* the next write or sync() reports the error */
          }
        }, this.groupCommitMs);
        this.timer.unref();
      }
    } else {
      this.pendingBytes += bytes;
    }
    return seq;
  }

  /** Makes every acknowledged write durable now (sync(), close()). */
  commit(): void {
    if (this.durable === this.last && this.pendingBytes === 0) return;
    this.syncNow();
    this.durable = this.last;
    this.pendingBytes = 0;
  }

  /** Marks everything durable without syncing (an engine that synced by other means). */
  markDurable(): void {
    this.durable = this.last;
    this.pendingBytes = 0;
  }

  lastSequence(): number {
    return this.last;
  }

  durableSequence(): number {
    return this.durable;
  }

  /** Stops the idle timer (close()). */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const heldLocks = new Set<string>();

/**
 * Exclusive ownership of a data directory: a `LOCK` file holding `<pid> <start-time>\n`, the
 * owner's pid and its start time from /proc (so a reused pid is not mistaken for the owner).
 * A second open (in this process, or in a live other process) throws LOCKED. A lock that does
 * not parse exactly (e.g. torn by a power loss), or names a dead process or a different
 * process with the same pid, is stale and taken over, so recovery after SIGKILL or power loss
 * just works.
 */
export class DirLock {
  private released = false;
  private constructor(private readonly fs: Fs, private readonly dir: string, private readonly fd: Fd) {}

  static acquire(fs: Fs, dir: string): DirLock {
    const abs = path.resolve(dir);
    if (heldLocks.has(abs)) throw new KvError('LOCKED', `${dir} is already open in this process`, { file: dir });
    const file = path.join(dir, 'LOCK');
    if (fs.exists(file)) {
      let text = '';
      try {
        text = Buffer.from(fs.readFile(file)).toString('latin1');
      } catch {
        /* unreadable lock: stale */
      }
      const m = /^(\d+) (\d+)\n$/.exec(text);
      if (m) {
        const pid = Number(m[1]);
        if (pid !== process.pid && processStartTime(pid) === m[2])
          throw new KvError('LOCKED', `${dir} is held by live process ${pid}`, { file });
      }
    }
    const fd = fs.open(file, 'truncate');
    const data = Buffer.from(`${process.pid} ${processStartTime(process.pid) ?? 0}\n`);
    fs.write(fd, data, 0, data.length, 0);
    heldLocks.add(abs);
    return new DirLock(fs, abs, fd);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldLocks.delete(this.dir);
    try {
      this.fs.close(this.fd);
      this.fs.unlink(path.join(this.dir, 'LOCK'));
    } catch {
      /* best effort: a stale lock is taken over on the next open */
    }
  }
}

/** The start time (clock ticks since boot, /proc/PID/stat field 22) of a live process, or undefined. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 2 (comm) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall = index 19 after pid, comm
  } catch {
    return undefined;
  }
}
