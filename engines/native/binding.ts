/**
 * Loading the Rust core (`native/kvlab-native.linux-x64-gnu.node`, built by `npm run
 * build:native`) and converting its errors to KvError.
 *
 * The addon is loaded lazily, on the first open: importing this module (and so the registry)
 * never fails when the binary is missing; opening the engine then throws NOT_SUPPORTED saying
 * how to build it. `KVLAB_NATIVE_BINARY` may name the `.node` file explicitly.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { KvError, notSupported, type ErrorCode } from '../errors.js';

/** An opaque store handle (a JS External owning the Rust store; freed by its finalizer). */
export type Handle = { readonly __nativeStore: unique symbol };

/** The raw functions the addon exports (native/src/exports.rs documents each). */
export interface NativeBinding {
  open(
    dir: string, segmentBytes: number, writeBufferBytes: number, mergeRatio: number, mergeMinBytes: number,
    autoMerge: 0 | 1, verifyReads: 0 | 1, buffered: 0 | 1,
  ): Handle;
  setScratch(h: Handle, scratch: Uint8Array): void;
  /** -1 absent; n: the value is in scratch[0, n); a Buffer when larger than the scratch. */
  get(h: Handle, key: Uint8Array): number | Buffer;
  put(h: Handle, key: Uint8Array, value: Uint8Array, seq: number): void;
  del(h: Handle, key: Uint8Array, seq: number): void;
  write(h: Handle, packedOps: Uint8Array, seq: number): void;
  putMany(h: Handle, packedOps: Uint8Array, firstSeq: number): number;
  getMany(h: Handle, packedKeys: Uint8Array, fromByte: number): number;
  sync(h: Handle): void;
  merge(h: Handle): void;
  maxSeq(h: Handle): number;
  stats(h: Handle, out: Uint8Array): number;
  close(h: Handle): void;
  __panicForTest(h?: Handle): never;
  /** Exclusive non-blocking flock(2) on `path` (created if missing): an id > 0, or 0 when held elsewhere. */
  lockFile(path: string): number;
  /** Releases a lock taken by lockFile. */
  unlockFile(id: number): void;
  /** fdatasync `path`, then drop its pages from the page cache (posix_fadvise DONTNEED); IO error on failure. */
  dropFileCache(path: string): void;
}

/** Field order of the stats vector (native/src/stats_export.rs STATS_FIELDS). */
export const STATS_FIELDS = [
  'userBytesWritten', 'userBytesRead', 'deviceBytesWritten', 'deviceBytesRead', 'syncs', 'liveBytes', 'liveKeys',
  'diskBytes', 'files', 'flushes', 'compactions', 'compactionBytesRead', 'compactionBytesWritten', 'indexMemoryBytes',
  'segments', 'deadBytes', 'hintsLoadedAtOpen', 'segmentsScannedAtOpen', 'tornBytesTruncatedAtOpen',
] as const;

/** The binary's file name for this platform (napi build --platform naming). */
export const BINARY_NAME = `kvlab-native.${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}.node`;

const BUILD_HINT = 'build it with `npm run build:native` (cargo + @napi-rs/cli: `cd native && npx napi build --platform --release --no-js`)';

/** Where the binary may be: beside native/Cargo.toml, from the source tree or from dist/. */
export function binaryCandidates(): string[] {
  const env = process.env.KVLAB_NATIVE_BINARY;
  if (env) return [env];
  return ['../../native/', '../../../native/'].map((rel) => fileURLToPath(new URL(rel + BINARY_NAME, import.meta.url)));
}

let loaded: NativeBinding | undefined;

/** The addon; throws NOT_SUPPORTED (with how to build it) when the binary is missing or unloadable. */
export function loadBinding(): NativeBinding {
  if (loaded) return loaded;
  const tried = binaryCandidates();
  const file = tried.find((f) => fs.existsSync(f));
  if (file === undefined) throw notSupported(`native core binary not found (looked for ${tried.join(', ')}); ${BUILD_HINT}`);
  try {
    loaded = createRequire(import.meta.url)(file) as NativeBinding;
  } catch (e) {
    throw new KvError('NOT_SUPPORTED', `native core binary ${file} failed to load: ${(e as Error).message}; ${BUILD_HINT}`, { file, cause: e });
  }
  return loaded;
}

const CODES: Record<string, ErrorCode> = {
  KV_CORRUPTION: 'CORRUPTION',
  KV_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  KV_TOO_LARGE: 'TOO_LARGE',
  KV_NOT_SUPPORTED: 'NOT_SUPPORTED',
  KV_CLOSED: 'CLOSED',
  KV_IO: 'IO',
  KV_NOT_FOUND: 'NOT_FOUND',
  // A caught Rust panic or another fault inside the core (a bug, not the data or the OS).
  KV_INTERNAL: 'INTERNAL',
};

/** Converts an error thrown by the addon to a KvError (stable code, file, offset); others pass through. */
export function fromNative(e: unknown): unknown {
  if (e instanceof KvError) return e;
  const err = e as { code?: unknown; message?: string; file?: string; offset?: number };
  const code = typeof err?.code === 'string' ? CODES[err.code] : undefined;
  if (code === undefined) return e;
  return new KvError(code, err.message ?? String(e), { file: err.file, offset: err.offset, cause: e });
}
