/**
 * The engine contract: the one interface every kvlab engine implements and the harness drives.
 *
 * Invariants every engine keeps (the conformance suite in test/conformance checks them):
 * - Keys and values are bytes (`Uint8Array`, Buffers included). Keys compare as unsigned bytes.
 * - Sizes are limited per engine (`info.limits`); a larger key or value throws `TOO_LARGE`.
 *   A key or value that is not a Uint8Array throws `INVALID_ARGUMENT`. An empty key is invalid.
 * - Buffer ownership: the engine never keeps a reference to a caller's key/value buffer after a
 *   call returns (it copies), and a buffer it returns belongs to the caller (never reused).
 * - Every call after close() throws `CLOSED`; close() twice is a no-op.
 * - Durability (`info.durability`) means the same for every engine, see {@link Durability}.
 * - Each mutating call (put, delete, write) that returns has a sequence number one higher than
 *   the previous one; {@link Engine.durableSequence} tells which have reached stable storage.
 */
import type { Fs } from './fs.js';

/**
 * When an acknowledged write survives a crash. The same for every engine, reference and network
 * ones included (engines/shell.ts implements it once):
 * - `none`: handed to the OS (or committed to the mapped file, or to the server) before the call
 *   returns, so a SIGKILL loses nothing acknowledged; a power loss may lose what was not synced.
 *   Durable once sync() or close() returns. (Only the explicit `bufferWrites` option keeps writes
 *   in user space; see {@link CrashSafety}.)
 * - `group`: as `none`, and durable at most `groupCommitMs` after the call returns (the clock is
 *   checked on every engine call, reads included, not only on a timer), or once
 *   `groupCommitBytes` user bytes are unsynced; one fdatasync covers every write before it.
 * - `always`: durable before put/delete/write returns.
 */
export type Durability = 'none' | 'group' | 'always';
export const DURABILITIES: readonly Durability[] = ['none', 'group', 'always'];

/** What an engine can do. The conformance suite and the harness gate on these, never on names. */
export interface Capabilities {
  /** scan() returns keys in unsigned byte order. False: scan throws NOT_SUPPORTED. */
  readonly orderedScan: boolean;
  /** write(batch) is all-or-nothing, also across a crash. */
  readonly atomicBatch: boolean;
  /** Data survives close() and reopen of the same directory. */
  readonly persistent: boolean;
  /** The durability modes the engine honours. Opening with another mode throws NOT_SUPPORTED. */
  readonly durability: readonly Durability[];
}

/** Size limits, enforced with a `TOO_LARGE` KvError. */
export interface Limits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
}

/**
 * What a descriptor is for, so no code matches on names or design strings:
 * - `engine`: one of kvlab's own designs (hashlog, lsm, btree, native);
 * - `reference`: a production embedded engine driven as a yardstick (lmdb, sqlite, classic-level);
 * - `network`: a server reached over the network (redis, redis-cluster);
 * - `instrument`: not a store to compare (map baseline, null harness-cost probe).
 */
export type EngineRole = 'engine' | 'reference' | 'network' | 'instrument';
export const ENGINE_ROLES: readonly EngineRole[] = ['engine', 'reference', 'network', 'instrument'];

/**
 * Whether an acknowledged write survives a SIGKILL of the process. `process-crash-safe`: every
 * acknowledged write was handed to the OS (or the server) before the call returned, under every
 * durability mode. `process-crash-unsafe`: the engine was opened with the explicit
 * `bufferWrites` option and holds writes in user space until sync(); reports show it beside the
 * durability everywhere.
 */
export type CrashSafety = 'process-crash-safe' | 'process-crash-unsafe';

/** Identity and settings of an open engine, recorded with every result. */
export interface EngineInfo {
  /** Registry name, e.g. `hashlog`. */
  readonly name: string;
  /** Display label including non-default options, e.g. `lsm:compaction=tiered`. */
  readonly label: string;
  /** One-line design summary, e.g. `append-only log + in-memory hash index (Bitcask)`. */
  readonly design: string;
  readonly role: EngineRole;
  /** Engine (or binding + library) version. */
  readonly version: string;
  /** `sync` engines return values; `async` engines return promises (see {@link AsyncEngine}). */
  readonly kind: 'sync' | 'async';
  readonly capabilities: Capabilities;
  readonly limits: Limits;
  readonly durability: Durability;
  /** See {@link CrashSafety}. */
  readonly crashSafety: CrashSafety;
  /** Every setting in effect (defaults included), so a result says exactly what ran. */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

/** One operation of an atomic batch. */
export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/**
 * Counters for the RUM (read, update, memory) view. All are cumulative since open unless
 * marked as a level. Counters an engine cannot know are 0 and listed in `unknown`.
 */
export interface EngineStats {
  /** Key + value bytes accepted from put/write (deletes count their key). */
  userBytesWritten: number;
  /** Key + value bytes returned by get/scan. */
  userBytesRead: number;
  /** Bytes the engine wrote to files (its own count, via its Fs). */
  deviceBytesWritten: number;
  /** Bytes the engine read from files (its own count, via its Fs). */
  deviceBytesRead: number;
  /** fsync/fdatasync calls issued. */
  syncs: number;
  /** Level: key + value bytes of live entries. */
  liveBytes: number;
  /** Level: live keys. */
  liveKeys: number;
  /** Level: bytes of all the engine's files on disk. */
  diskBytes: number;
  /** Level: number of files. */
  files: number;
  /** Memtable flushes (LSM) or equivalent. */
  flushes: number;
  /** Compactions / merges completed. */
  compactions: number;
  compactionBytesRead: number;
  compactionBytesWritten: number;
  cacheHits: number;
  cacheMisses: number;
  /** Gets answered "absent" by a bloom filter without reading a block. */
  bloomNegatives: number;
  /** Level: bytes of memory held by indexes (keydir, memtable, filters, caches). */
  indexMemoryBytes: number;
  /** Engine-specific counters and levels (e.g. `level0.files`, `btree.height`). */
  extra: Record<string, number>;
  /** Names of the standard counters above that this engine cannot measure (reported as n/a). */
  unknown: string[];
}

/** A zeroed stats object; engines fill what they know. */
export function emptyStats(unknown: string[] = []): EngineStats {
  return {
    userBytesWritten: 0, userBytesRead: 0, deviceBytesWritten: 0, deviceBytesRead: 0, syncs: 0,
    liveBytes: 0, liveKeys: 0, diskBytes: 0, files: 0, flushes: 0, compactions: 0,
    compactionBytesRead: 0, compactionBytesWritten: 0, cacheHits: 0, cacheMisses: 0,
    bloomNegatives: 0, indexMemoryBytes: 0, extra: {}, unknown,
  };
}

/** A synchronous embedded engine. Every method may throw a KvError. */
export interface Engine {
  readonly info: EngineInfo & { readonly kind: 'sync' };
  /** The value, or undefined when absent. The returned buffer is the caller's. */
  get(key: Uint8Array): Uint8Array | undefined;
  /** Insert or overwrite. Durable per `info.durability`. */
  put(key: Uint8Array, value: Uint8Array): void;
  /** Remove; deleting a missing key is not an error. */
  delete(key: Uint8Array): void;
  /** Apply all ops atomically (when `capabilities.atomicBatch`), as one sequence number. */
  write(batch: readonly BatchOp[]): void;
  /**
   * Up to `limit` entries with key >= `start`, ascending by unsigned bytes. Throws
   * NOT_SUPPORTED without `capabilities.orderedScan`. The result reflects one consistent state.
   */
  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]>;
  /** On return every acknowledged write is durable. */
  sync(): void;
  /** Runs the engine's full maintenance now (merge, compaction); NOT_SUPPORTED where there is none. */
  compact(): void;
  /** Many gets; the same result as one get per key (fewer crossings where the engine can). */
  getMany(keys: readonly Uint8Array[]): Array<Uint8Array | undefined>;
  /** Many independent puts, each its own acknowledged write and sequence number (not atomic). */
  putMany(keys: readonly Uint8Array[], values: readonly Uint8Array[]): void;
  /** Sequence number of the last acknowledged mutating call (0 before any). */
  lastSequence(): number;
  /** Highest sequence number known durable (every write <= it survives a crash). */
  durableSequence(): number;
  stats(): EngineStats;
  /** Durable and released; reopening the directory sees every acknowledged write. Idempotent. */
  close(): void;
}

/** An asynchronous engine (network stores, bindings without synchronous writes). */
export interface AsyncEngine {
  readonly info: EngineInfo & { readonly kind: 'async' };
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  delete(key: Uint8Array): Promise<void>;
  write(batch: readonly BatchOp[]): Promise<void>;
  scan(start: Uint8Array, limit: number): Promise<Array<[Uint8Array, Uint8Array]>>;
  sync(): Promise<void>;
  compact(): Promise<void>;
  lastSequence(): number;
  durableSequence(): number;
  stats(): Promise<EngineStats>;
  close(): Promise<void>;
}

export type AnyEngine = Engine | AsyncEngine;

/** Options every engine's open() accepts. Engine-specific settings come in `options`. */
export interface OpenOptions {
  /** Data directory; created if missing. Ignored by non-persistent engines. */
  dir: string;
  durability?: Durability;
  /** Group commit window (durability `group`): sync at most this many ms after a write. Default 2. */
  groupCommitMs?: number;
  /** Group commit window: sync once this many user bytes are unsynced. Default 1 MiB. */
  groupCommitBytes?: number;
  /** The file-system seam. Default: a new {@link import('./fs.js').NodeFs}. */
  fs?: Fs;
  /** Engine-specific options, already validated against the descriptor's `options` spec. */
  options?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Join a store that another open of the same engine owns (clients 1..N-1 of a scale-out run,
   * harness/clients/): the open takes no ownership lock, so several processes write one store at
   * once. Only engines whose descriptor has {@link EngineDescriptor.sharedOpen} honour it; any
   * other engine refuses it with NOT_SUPPORTED (one process owns its files). Default false.
   */
  shared?: boolean;
}

/** The schema of one engine-specific option (used for validation, `--help` and reports). */
export type OptionSpec =
  | { readonly type: 'int'; readonly default: number; readonly min?: number; readonly max?: number; readonly doc: string }
  | { readonly type: 'number'; readonly default: number; readonly min?: number; readonly max?: number; readonly doc: string }
  | { readonly type: 'bool'; readonly default: boolean; readonly doc: string }
  | { readonly type: 'enum'; readonly default: string; readonly values: readonly string[]; readonly doc: string }
  | { readonly type: 'string'; readonly default: string; readonly doc: string };

/** How the registry knows an engine: static facts plus the factory of its core. */
export interface EngineDescriptor {
  readonly name: string;
  readonly design: string;
  readonly role: EngineRole;
  /** Engine version (a core may report its library's own at open). */
  readonly version: string;
  /**
   * A measuring probe, not a store (the null instrument): it breaks the storage contract on
   * purpose, so listings and the conformance suite leave it out; the registry still opens it.
   */
  readonly probe?: true;
  /**
   * Which of the engine's file I/O goes through `opts.fs` (the Fs seam, so FaultFs and CrashFs
   * reach it): `all` (kvlab's TypeScript engines), `sync` (only its fdatasync calls: reference
   * engines whose library does its own writes), `none` (native's Rust core, network stores).
   */
  readonly fsSeam: 'all' | 'sync' | 'none';
  readonly kind: 'sync' | 'async';
  readonly capabilities: Capabilities;
  readonly limits: Limits;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * Persistent engines: the names of every file the engine may create in its directory (each
   * name is tested against every pattern; `kvlab.lock` and `kvlab.engine` need not be listed).
   * A directory without an engine marker is adopted only when all its files match
   * (engines/identity.ts); absent: only an empty or marked directory opens.
   */
  readonly files?: readonly RegExp[];
  /**
   * Extra engine specs the conformance suite also runs (e.g. tiny memtables so that flushes and
   * compactions happen within a short random history). Optional.
   */
  readonly conformanceVariants?: readonly string[];
  /**
   * The store can be opened by several processes at once (`OpenOptions.shared`): a server whose
   * clients coordinate through it (Redis, memcached). Absent: one process owns the store.
   */
  readonly sharedOpen?: true;
  /**
   * An async binding's own floor: a bare loop of the library calls the core makes, outside the
   * shell and the harness, in a fresh `dir` it removes after (see {@link BindingFloor}). The
   * matrix measures it once per run beside the engine's figures. Optional.
   */
  readonly bindingFloor?: (dir: string, threads: number) => Promise<BindingFloor>;
  /**
   * Opens (creating or recovering) the store's core: a `SyncCore` for kind `sync`, an
   * `AsyncCore` (or a promise of one) for kind `async` (engines/shell.ts). The shell has made
   * the directory and holds its lock; `opts.options` is complete (defaults filled). Only the
   * registry calls it, and wraps the core in the shell.
   */
  openCore(opts: ResolvedOpenOptions): import('./shell.js').SyncCore | import('./shell.js').AsyncCore | Promise<import('./shell.js').AsyncCore>;
}

/** What the registry passes to {@link EngineDescriptor.open}: defaults filled, options validated. */
export interface ResolvedOpenOptions extends OpenOptions {
  durability: Durability;
  groupCommitMs: number;
  groupCommitBytes: number;
  fs: Fs;
  options: Readonly<Record<string, string | number | boolean>>;
  /** The label results show (`name` or `name:k=v,...`); engines copy it into `info.label`. */
  label: string;
}

/** What a binding's bare loop costs per call: nothing measured through kvlab can be faster. */
export interface BindingFloor {
  /** Writes in flight during the put loop. */
  threads: number;
  operations: number;
  putNsPerOp: number;
  getNsPerOp: number;
  /** How it was measured, in words. */
  method: string;
}

