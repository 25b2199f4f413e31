/**
 * The shell: the one implementation of the {@link Engine} contract, around a narrow core that
 * each engine folder implements ({@link SyncCore}; {@link AsyncCore} for network stores and
 * asynchronous bindings, wrapped by {@link AsyncShell}).
 *
 * The shell owns everything the contract promises at its edges, once for every engine:
 * - the closed and failed states: after close() every call throws CLOSED; after a write, a
 *   sync or a group commit fails, every call throws FAILED (the first error as `cause`) until
 *   the engine is closed and reopened (LevelDB's `bg_error_`). A failed fdatasync is never
 *   followed by a claim of durability: `durableSequence()` stops where it was.
 * - argument and limit checks; a batch is read once into a fresh array of plain ops, and that
 *   array is what the core applies (what is checked is what is stored);
 * - sequence numbers (one per acknowledged mutating call) and `durableSequence()`;
 * - durability: `always` syncs before the call returns; `group` checks the clock on every call
 *   (reads included) and syncs once the window since the first unsynced write has passed, so a
 *   write is durable at most `groupCommitMs` after it returns even inside a loop that never
 *   yields (an unref'd timer also closes an idle window); `none` syncs at sync()/close(). Under
 *   every mode a core hands each write to the OS before returning (unless opened with the
 *   explicit `bufferWrites` option, recorded as `crashSafety: process-crash-unsafe`);
 * - user byte counters, the Fs device counters, the stats skeleton;
 * - the directory lock, the directory's engine identity (engines/identity.ts), resolved
 *   settings and the group-commit defaults.
 *
 * A core never checks arguments, never numbers writes and never decides when to sync.
 */
import type {
  AsyncEngine, BatchOp, Capabilities, CrashSafety, Durability, Engine, EngineDescriptor, EngineInfo, EngineStats, Limits, ResolvedOpenOptions,
} from './engine.js';
import { emptyStats } from './engine.js';
import { checkBatchOnce, checkKey, checkLimit, checkValue, DirLock } from './common.js';
import { closedError, ioError, isKvError, KvError, notSupported } from './errors.js';
import type { Fs } from './fs.js';
import { claimDirectory, type DirectoryClaim } from './identity.js';

/** Settings a result records, as the core reports them. */
export type Settings = Readonly<Record<string, string | number | boolean>>;

/** What the shell needs from every core, sync or async. */
interface CoreFacts {
  /** Sequence number of the newest write found at open (0 for a new store). */
  readonly recoveredSequence: number;
  /** This store's limits when narrower than the descriptor's (btree: the file's page size). */
  readonly limits?: Limits;
  /** Settings the core resolved itself (page size of an existing file, library flags), merged over the options. */
  readonly settings?: Settings;
  /** Version string when it depends on the opened library (reference engines). */
  readonly version?: string;
  /**
   * This store's capabilities when the target decides them at open and they are narrower than
   * the descriptor's (a Redis server without AOF: `persistent: false`, durability `none` only).
   * Only narrowing is allowed: the shell refuses a core that claims more than its descriptor.
   */
  readonly capabilities?: Capabilities;
  /**
   * True when the core's own write path already makes each write durable under `always` (a
   * library's synchronous commit): the shell then does not call sync() after each write.
   */
  readonly durableWrites?: boolean;
  /** Names of standard {@link EngineStats} counters this core cannot measure. */
  readonly unknownStats: readonly string[];
}

/**
 * The synchronous core of an engine. Keys and values arrive checked; buffers arrive owned by
 * the caller for the duration of the call only (the core copies what it keeps); returned
 * buffers become the caller's. `seq` is the write's sequence number, for cores that store it.
 * Every mutating method returns only once its bytes are handed to the OS (or, with the
 * explicit `bufferWrites` option, to the core's user-space buffer). Any throw from a mutating
 * method or sync() fails the engine (see the module doc).
 */
export interface SyncCore extends CoreFacts {
  get(key: Uint8Array): Uint8Array | undefined;
  put(key: Uint8Array, value: Uint8Array, seq: number): void;
  del(key: Uint8Array, seq: number): void;
  /** Applies every op as one atomic unit (when the capability says so) with sequence `seq`. */
  write(ops: readonly BatchOp[], seq: number): void;
  /** Present exactly when `capabilities.orderedScan`. `limit` >= 1. */
  scan?(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]>;
  /** Makes every write applied so far durable (fdatasync or the library's equivalent). */
  sync(): void;
  /** Runs the engine's full maintenance now (merge, compaction). Absent: NOT_SUPPORTED. */
  compact?(): void;
  /** Many gets in one crossing (native); same result as one get per key. */
  getMany?(keys: readonly Uint8Array[]): Array<Uint8Array | undefined>;
  /** Many independent puts in one crossing, with sequences firstSeq, firstSeq+1, ... */
  putMany?(keys: readonly Uint8Array[], values: readonly Uint8Array[], firstSeq: number): void;
  /**
   * Fills `s`, which already holds the shell's user-byte counters and the Fs counter deltas. A
   * core whose background threads do I/O through their own Fs (lsm's workers) adds those bytes
   * and syncs to `deviceBytesWritten` / `deviceBytesRead` / `syncs` here.
   */
  fillStats(s: EngineStats): void;
  /** Releases files and memory. Implies no sync: the shell has called sync() when healthy. */
  close(): void;
}

/** The asynchronous core: {@link SyncCore}'s contract with promises. Writes may overlap. */
export interface AsyncCore extends CoreFacts {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  del(key: Uint8Array): Promise<void>;
  write(ops: readonly BatchOp[]): Promise<void>;
  scan?(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>>;
  /** Makes every write that completed before the call durable. */
  sync(): Promise<void>;
  compact?(): Promise<void>;
  fillStats(s: EngineStats): Promise<void>;
  close(): Promise<void>;
}

/** The group-commit defaults (one definition; the registry fills them into every open). */
export const GROUP_COMMIT_DEFAULTS = { groupCommitMs: 2, groupCommitBytes: 1 << 20 } as const;

/** The option that turns on a user-space write buffer (process-crash-unsafe); same name in every engine that offers it. */
export const BUFFER_WRITES_OPTION = 'bufferWrites';

/** Whether `options` asks for a user-space write buffer. */
export function crashSafetyOf(options: Settings): CrashSafety {
  return options[BUFFER_WRITES_OPTION] === true ? 'process-crash-unsafe' : 'process-crash-safe';
}

const enum State {
  Open,
  Failed,
  Closed,
}

/** The state, counters and durability bookkeeping both shells share. */
abstract class ShellBase {
  readonly info: EngineInfo;
  protected state = State.Open;
  protected failure: KvError | undefined;
  protected readonly limits: Limits;
  protected readonly mode: Durability;
  protected readonly groupMs: number;
  protected readonly groupBytes: number;
  protected readonly durableWrites: boolean;
  protected seq: number;
  protected durable: number;
  /** Group mode: when the first unsynced write was acknowledged, and the bytes since. */
  protected windowStart = 0;
  protected pendingBytes = 0;
  protected timer: NodeJS.Timeout | undefined;
  protected userBytesWritten = 0;
  protected userBytesRead = 0;
  private readonly fsBase: { read: number; written: number; syncs: number };

  constructor(
    d: EngineDescriptor,
    protected readonly opts: ResolvedOpenOptions,
    core: CoreFacts,
    private readonly lock: DirLock | undefined,
  ) {
    this.mode = opts.durability;
    this.groupMs = opts.groupCommitMs ?? GROUP_COMMIT_DEFAULTS.groupCommitMs;
    this.groupBytes = opts.groupCommitBytes ?? GROUP_COMMIT_DEFAULTS.groupCommitBytes;
    this.durableWrites = core.durableWrites === true;
    this.seq = this.durable = core.recoveredSequence;
    this.limits = core.limits ?? d.limits;
    const capabilities = core.capabilities === undefined ? d.capabilities : narrowed(d, core.capabilities, this.mode);
    const c = opts.fs.counters;
    this.fsBase = { read: c.bytesRead, written: c.bytesWritten, syncs: c.syncs };
    this.info = {
      name: d.name, label: opts.label, design: d.design, role: d.role, version: core.version ?? d.version,
      kind: d.kind, capabilities, limits: this.limits, durability: this.mode,
      crashSafety: crashSafetyOf(opts.options),
      settings: { ...opts.options, ...core.settings, groupCommitMs: this.groupMs, groupCommitBytes: this.groupBytes },
    } as EngineInfo;
  }

  lastSequence(): number {
    return this.seq;
  }

  durableSequence(): number {
    return this.durable;
  }

  /** Throws CLOSED or FAILED unless the engine is open and healthy. */
  protected blocked(): never {
    if (this.state === State.Closed) throw closedError();
    throw new KvError('FAILED', `${this.info.label} failed earlier and refuses every call until reopened: ${this.failure!.message}`, {
      cause: this.failure,
    });
  }

  /** Records the first failure of a write or sync; returns the error to throw. */
  protected fail(e: unknown, op: string): KvError {
    const err = isKvError(e) ? e : ioError(e, `${this.info.name} ${op}`);
    if (this.state === State.Open && !isInputError(err)) {
      this.state = State.Failed;
      this.failure = err;
      this.stopTimer();
    }
    return err;
  }

  /** The stats skeleton: user counters and Fs deltas; the core fills the rest. */
  protected baseStats(unknown: readonly string[]): EngineStats {
    const s = emptyStats([...unknown]);
    const c = this.opts.fs.counters;
    s.userBytesWritten = this.userBytesWritten;
    s.userBytesRead = this.userBytesRead;
    s.deviceBytesWritten = c.bytesWritten - this.fsBase.written;
    s.deviceBytesRead = c.bytesRead - this.fsBase.read;
    s.syncs = c.syncs - this.fsBase.syncs;
    return s;
  }

  protected stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  protected releaseLock(): void {
    this.lock?.release();
  }
}

/** Errors that say the call was wrong, not that the store is: they never fail the engine. */
function isInputError(e: KvError): boolean {
  return e.code === 'INVALID_ARGUMENT' || e.code === 'TOO_LARGE' || e.code === 'NOT_SUPPORTED';
}

/**
 * The synchronous shell: the {@link Engine} every sync engine is, around its {@link SyncCore}.
 * Open one through the registry (`openSyncEngine`), never directly.
 */
export class SyncShell extends ShellBase implements Engine {
  declare readonly info: EngineInfo & { readonly kind: 'sync' };

  constructor(d: EngineDescriptor, opts: ResolvedOpenOptions, private readonly core: SyncCore, lock: DirLock | undefined) {
    super(d, opts, core, lock);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) this.groupTick();
    checkKey(key, this.limits);
    const v = this.core.get(key);
    if (v !== undefined) this.userBytesRead += key.length + v.length;
    return v;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    if (this.state !== State.Open) this.blocked();
    checkKey(key, this.limits);
    checkValue(value, this.limits);
    const seq = this.seq + 1;
    try {
      this.core.put(key, value, seq);
    } catch (e) {
      throw this.fail(e, 'put');
    }
    this.acknowledge(seq, key.length + value.length);
  }

  delete(key: Uint8Array): void {
    if (this.state !== State.Open) this.blocked();
    checkKey(key, this.limits);
    const seq = this.seq + 1;
    try {
      this.core.del(key, seq);
    } catch (e) {
      throw this.fail(e, 'delete');
    }
    this.acknowledge(seq, key.length);
  }

  write(batch: readonly BatchOp[]): void {
    if (this.state !== State.Open) this.blocked();
    const { ops, bytes } = checkBatchOnce(batch, this.limits);
    const seq = this.seq + 1;
    try {
      this.core.write(ops, seq);
    } catch (e) {
      throw this.fail(e, 'write');
    }
    this.acknowledge(seq, bytes);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) this.groupTick();
    if (this.core.scan === undefined) throw notSupported(`${this.info.name} has no ordered scan`);
    checkKey(start, this.limits);
    checkLimit(limit);
    if (limit === 0) return [];
    const out = this.core.scan(start, limit);
    for (const [k, v] of out) this.userBytesRead += k.length + v.length;
    return out;
  }

  /** Many gets; the same result as one get per key (one native crossing where the core offers it). */
  getMany(keys: readonly Uint8Array[]): Array<Uint8Array | undefined> {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) this.groupTick();
    const ks = checkArray(keys, 'keys');
    for (const k of ks) checkKey(k, this.limits);
    const out = this.core.getMany ? this.core.getMany(ks) : ks.map((k) => this.core.get(k));
    for (let i = 0; i < out.length; i++) if (out[i] !== undefined) this.userBytesRead += ks[i]!.length + out[i]!.length;
    return out;
  }

  /** Many independent puts, each its own acknowledged write (not atomic: use write()). */
  putMany(keys: readonly Uint8Array[], values: readonly Uint8Array[]): void {
    if (this.state !== State.Open) this.blocked();
    const ks = checkArray(keys, 'keys');
    const vs = checkArray(values, 'values');
    if (ks.length !== vs.length) throw new KvError('INVALID_ARGUMENT', 'putMany takes two arrays of the same length');
    let bytes = 0;
    for (let i = 0; i < ks.length; i++) {
      checkKey(ks[i], this.limits);
      checkValue(vs[i], this.limits);
      bytes += ks[i]!.length + vs[i]!.length;
    }
    if (ks.length === 0) return;
    const first = this.seq + 1;
    try {
      if (this.core.putMany) this.core.putMany(ks, vs, first);
      else for (let i = 0; i < ks.length; i++) this.core.put(ks[i]!, vs[i]!, first + i);
    } catch (e) {
      throw this.fail(e, 'putMany');
    }
    this.acknowledge(first + ks.length - 1, bytes);
  }

  /** Runs the engine's full maintenance (hashlog/native merge, lsm compaction) now. */
  compact(): void {
    if (this.state !== State.Open) this.blocked();
    if (this.core.compact === undefined) throw notSupported(`${this.info.name} has no compaction`);
    try {
      this.core.compact();
    } catch (e) {
      throw this.fail(e, 'compact');
    }
  }

  sync(): void {
    if (this.state !== State.Open) this.blocked();
    this.commit();
  }

  stats(): EngineStats {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) this.groupTick();
    const s = this.baseStats(this.core.unknownStats);
    this.core.fillStats(s);
    return s;
  }

  /** Durable (when healthy) and released; idempotent. A failed engine only releases. */
  close(): void {
    if (this.state === State.Closed) return;
    const healthy = this.state === State.Open;
    this.stopTimer();
    let err: unknown;
    if (healthy) {
      try {
        this.commit();
      } catch (e) {
        err = e;
      }
    }
    this.state = State.Closed;
    try {
      this.core.close();
    } catch (e) {
      err ??= ioError(e, `${this.info.name} close`);
    } finally {
      this.releaseLock();
    }
    if (err !== undefined) throw err;
  }

  /** Numbers an applied write and makes it as durable as the mode says. */
  private acknowledge(seq: number, bytes: number): void {
    this.seq = seq;
    this.userBytesWritten += bytes;
    if (this.mode === 'none') return;
    if (this.mode === 'always') {
      if (this.durableWrites) this.durable = seq;
      else this.commit();
      return;
    }
    const now = performance.now();
    if (this.pendingBytes === 0) this.windowStart = now;
    this.pendingBytes += bytes + 1;
    if (this.pendingBytes >= this.groupBytes || now - this.windowStart >= this.groupMs) this.commit();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.onTimer(), this.groupMs);
      this.timer.unref();
    }
  }

  /** Group mode: closes the window if it has passed (called on every call while writes are unsynced). */
  private groupTick(): void {
    if (performance.now() - this.windowStart >= this.groupMs) this.commit();
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.state !== State.Open || this.pendingBytes === 0) return;
    try {
      this.commit();
    } catch {
      /* recorded as the failure; the next call reports it */
    }
  }

  /** One sync covering every acknowledged write; a failure fails the engine. */
  private commit(): void {
    const target = this.seq;
    if (this.durable === target && this.pendingBytes === 0) return;
    try {
      this.core.sync();
    } catch (e) {
      throw this.fail(e, 'sync');
    }
    this.durable = target;
    this.pendingBytes = 0;
    this.stopTimer();
  }
}

/**
 * The asynchronous shell: {@link SyncShell}'s contract for an {@link AsyncCore}. Writes may be in
 * flight together; each is numbered when the core acknowledges it, and a sync covers the writes
 * acknowledged before it started.
 */
export class AsyncShell extends ShellBase implements AsyncEngine {
  declare readonly info: EngineInfo & { readonly kind: 'async' };
  private syncing: Promise<void> | undefined;

  constructor(d: EngineDescriptor, opts: ResolvedOpenOptions, private readonly core: AsyncCore, lock: DirLock | undefined) {
    super(d, opts, core, lock);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) await this.groupTick();
    checkKey(key, this.limits);
    const v = await this.core.get(key);
    if (v !== undefined) this.userBytesRead += key.length + v.length;
    return v;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    if (this.state !== State.Open) this.blocked();
    checkKey(key, this.limits);
    checkValue(value, this.limits);
    try {
      await this.core.put(key, value);
    } catch (e) {
      throw this.fail(e, 'put');
    }
    const syncing = this.acknowledge(key.length + value.length);
    if (syncing !== undefined) await syncing;
  }

  async delete(key: Uint8Array): Promise<void> {
    if (this.state !== State.Open) this.blocked();
    checkKey(key, this.limits);
    try {
      await this.core.del(key);
    } catch (e) {
      throw this.fail(e, 'delete');
    }
    const syncing = this.acknowledge(key.length);
    if (syncing !== undefined) await syncing;
  }

  async write(batch: readonly BatchOp[]): Promise<void> {
    if (this.state !== State.Open) this.blocked();
    const { ops, bytes } = checkBatchOnce(batch, this.limits);
    try {
      await this.core.write(ops);
    } catch (e) {
      throw this.fail(e, 'write');
    }
    const syncing = this.acknowledge(bytes);
    if (syncing !== undefined) await syncing;
  }

  async scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) await this.groupTick();
    if (this.core.scan === undefined) throw notSupported(`${this.info.name} has no ordered scan`);
    checkKey(start, this.limits);
    checkLimit(limit);
    if (limit === 0) return [];
    const out = await this.core.scan(start, limit);
    for (const [k, v] of out) this.userBytesRead += k.length + v.length;
    return out;
  }

  async compact(): Promise<void> {
    if (this.state !== State.Open) this.blocked();
    if (this.core.compact === undefined) throw notSupported(`${this.info.name} has no compaction`);
    try {
      await this.core.compact();
    } catch (e) {
      throw this.fail(e, 'compact');
    }
  }

  async sync(): Promise<void> {
    if (this.state !== State.Open) this.blocked();
    await this.commit();
  }

  async stats(): Promise<EngineStats> {
    if (this.state !== State.Open) this.blocked();
    if (this.pendingBytes > 0) await this.groupTick();
    const s = this.baseStats(this.core.unknownStats);
    await this.core.fillStats(s);
    return s;
  }

  async close(): Promise<void> {
    if (this.state === State.Closed) return;
    const healthy = this.state === State.Open;
    this.stopTimer();
    let err: unknown;
    if (healthy) {
      try {
        await this.commit();
      } catch (e) {
        err = e;
      }
    }
    this.state = State.Closed;
    try {
      await this.core.close();
    } catch (e) {
      err ??= ioError(e, `${this.info.name} close`);
    } finally {
      this.releaseLock();
    }
    if (err !== undefined) throw err;
  }

  /** Numbers a completed write; returns the sync to wait for when the mode needs one now (no promise per write otherwise). */
  private acknowledge(bytes: number): Promise<void> | undefined {
    const seq = ++this.seq;
    this.userBytesWritten += bytes;
    if (this.mode === 'none') return undefined;
    if (this.mode === 'always') {
      if (!this.durableWrites) return this.commit();
      this.durable = Math.max(this.durable, seq);
      return undefined;
    }
    const now = performance.now();
    if (this.pendingBytes === 0) this.windowStart = now;
    this.pendingBytes += bytes + 1;
    if (this.pendingBytes >= this.groupBytes || now - this.windowStart >= this.groupMs) return this.commit();
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.onTimer(), this.groupMs);
      this.timer.unref();
    }
    return undefined;
  }

  private async groupTick(): Promise<void> {
    if (performance.now() - this.windowStart >= this.groupMs) await this.commit();
  }

  private async onTimer(): Promise<void> {
    this.timer = undefined;
    if (this.state !== State.Open || this.pendingBytes === 0) return;
    try {
      await this.commit();
    } catch {
      /* recorded as the failure; the next call reports it */
    }
  }

  /** One sync covering every write acknowledged before it starts; concurrent callers share a sync in flight and then sync again if needed. */
  private async commit(): Promise<void> {
    for (;;) {
      const target = this.seq;
      if (this.durable >= target && this.pendingBytes === 0) return;
      if (this.syncing !== undefined) {
        await this.syncing.catch(() => undefined);
        if (this.state !== State.Open) this.blocked();
        continue;
      }
      const bytesBefore = this.pendingBytes;
      const p = this.core.sync();
      this.syncing = p;
      try {
        await p;
      } catch (e) {
        throw this.fail(e, 'sync');
      } finally {
        this.syncing = undefined;
      }
      this.durable = Math.max(this.durable, target);
      this.pendingBytes = Math.max(0, this.pendingBytes - bytesBefore);
      if (this.durable >= this.seq) this.stopTimer();
      return;
    }
  }
}

function checkArray<T>(a: readonly T[], what: string): readonly T[] {
  if (!Array.isArray(a)) throw new KvError('INVALID_ARGUMENT', `${what} must be an array`);
  return a;
}

/**
 * Opens the core of `d` inside a shell: makes the directory, takes its lock (persistent
 * embedded engines; a network store's exclusivity is its own lock on the server, since its
 * data is not in the directory), claims the directory for the engine (engines/identity.ts:
 * WRONG_ENGINE when it holds another engine's store; a new store's `kvlab.engine` marker is
 * written before the core opens, an adopted marker-less one's after), wraps the core.
 */
export function openShell(d: EngineDescriptor, opts: ResolvedOpenOptions): SyncShell | Promise<AsyncShell> {
  if (opts.shared === true && d.sharedOpen !== true)
    throw notSupported(`engine '${d.name}' cannot be opened by several processes at once (one process owns its store); give each client its own store (--clients-own-stores)`);
  const persistent = d.capabilities.persistent && d.role !== 'network';
  const lock = persistent ? takeLock(opts.fs, opts.dir) : undefined;
  let claim: DirectoryClaim | undefined;
  let opened: SyncCore | AsyncCore | Promise<AsyncCore>;
  try {
    // the directory's engine identity, checked before the core sees a single file
    if (persistent) claim = claimDirectory(opts.fs, opts.dir, d);
    opened = d.openCore(opts);
  } catch (e) {
    claim?.abandon();
    lock?.release();
    throw e;
  }
  if (d.kind === 'sync') {
    if (opened instanceof Promise) {
      claim?.abandon();
      lock?.release();
      opened.then((c) => c.close(), () => undefined);
      throw notSupported(`engine '${d.name}' is declared sync but opened asynchronously`);
    }
    const core = opened as SyncCore;
    try {
      claim?.commit();
      return new SyncShell(d, opts, core, lock);
    } catch (e) {
      closeQuietly(() => core.close());
      lock?.release();
      throw e;
    }
  }
  return Promise.resolve(opened as AsyncCore | Promise<AsyncCore>).then(
    async (core) => {
      try {
        claim?.commit();
        return new AsyncShell(d, opts, core, lock);
      } catch (e) {
        await core.close().catch(() => undefined);
        lock?.release();
        throw e;
      }
    },
    (e: unknown) => {
      claim?.abandon();
      lock?.release();
      throw e;
    },
  );
}

/** `c` when it claims nothing `d` does not (and keeps `mode`); NOT_SUPPORTED otherwise. */
function narrowed(d: EngineDescriptor, c: Capabilities, mode: Durability): Capabilities {
  const dc = d.capabilities;
  const wider = (Object.keys(dc) as Array<keyof Capabilities>).filter((k) => k !== 'durability' && c[k] === true && dc[k] === false);
  const extra = c.durability.filter((m) => !dc.durability.includes(m));
  if (wider.length > 0 || extra.length > 0) throw notSupported(`engine '${d.name}': its core claims capabilities its descriptor does not (${[...wider, ...extra].join(', ')})`);
  if (!c.durability.includes(mode)) throw notSupported(`engine '${d.name}' cannot keep durability '${mode}' on this target (supports ${c.durability.join(', ')})`);
  return { ...c, durability: [...c.durability] };
}

function closeQuietly(close: () => void): void {
  try {
    close();
  } catch {
    /* the open already failed with its own error */
  }
}

function takeLock(fs: Fs, dir: string): DirLock {
  fs.mkdirp(dir);
  return DirLock.acquire(fs, dir);
}
