/**
 * Typed errors shared by every engine, the harness and the CLI.
 *
 * Every failure an engine reports to a caller is a {@link KvError} whose `code` is one of
 * {@link ErrorCode}. Codes are stable: callers and tests match on `code`, never on message
 * text. Errors about a file carry `file` and, where known, the byte `offset`.
 */

/** Stable error codes. Adding a code is fine; renaming or removing one is a breaking change. */
export type ErrorCode =
  /** On-disk data failed a checksum, magic, length or structural check. Nothing wrong is returned. */
  | 'CORRUPTION'
  /** An argument has the wrong type or an invalid value (e.g. a key that is not a Uint8Array). */
  | 'INVALID_ARGUMENT'
  /** A key or value is larger than the engine's stated limit (`info.limits`). */
  | 'TOO_LARGE'
  /** The engine lacks the capability (e.g. ordered scan on a hash engine). */
  | 'NOT_SUPPORTED'
  /** The engine (or iterator) was used after close(). */
  | 'CLOSED'
  /** An operating-system I/O call failed; `cause` holds the system error. */
  | 'IO'
  /** The data directory is held by another open engine instance. */
  | 'LOCKED'
  /**
   * The directory holds another engine's store: its `kvlab.engine` marker names a different
   * engine, or it has no marker and holds files that are not this engine's (engines/identity.ts).
   * The message names both engines (or the foreign files); nothing in the directory was changed.
   */
  | 'WRONG_ENGINE'
  /** No engine with that name is registered, or an engine option is unknown. */
  | 'UNKNOWN_ENGINE'
  /** A required file or directory does not exist (e.g. a workload file). */
  | 'NOT_FOUND'
  /**
   * An earlier write, sync or group commit failed (I/O, corruption): the engine refuses every
   * call until it is closed and reopened; `cause` holds the first error. Nothing after the
   * failure was acknowledged or claimed durable.
   */
  | 'FAILED'
  /** A bug inside an engine was caught (e.g. a Rust panic stopped at the FFI boundary). */
  | 'INTERNAL'
  /**
   * An operation did not complete within its stated bound (the harness's `--op-timeout`): the
   * message names the engine, the operation and what it was waiting for.
   */
  | 'TIMEOUT'
  /** The process driving the engine ran out of memory under `--memory-limit` (the kernel's OOM killer). */
  | 'OUT_OF_MEMORY';

/** The one error type kvlab throws on purpose. `instanceof KvError` and `code` identify it. */
export class KvError extends Error {
  readonly code: ErrorCode;
  /** The file the error is about, when there is one. */
  readonly file?: string;
  /** The byte offset within `file`, when known. */
  readonly offset?: number;

  constructor(code: ErrorCode, message: string, opts: { file?: string; offset?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KvError';
    this.code = code;
    if (opts.file !== undefined) this.file = opts.file;
    if (opts.offset !== undefined) this.offset = opts.offset;
  }
}

/** True when `e` is a KvError, optionally with the given code. */
export function isKvError(e: unknown, code?: ErrorCode): e is KvError {
  return e instanceof KvError && (code === undefined || e.code === code);
}

/** Shorthand constructors, so call sites read as what went wrong. */
export const corruption = (message: string, file?: string, offset?: number): KvError =>
  new KvError('CORRUPTION', message, { file, offset });
export const invalidArgument = (message: string): KvError => new KvError('INVALID_ARGUMENT', message);
export const notSupported = (message: string): KvError => new KvError('NOT_SUPPORTED', message);
export const closedError = (what = 'engine'): KvError => new KvError('CLOSED', `${what} is closed`);

/** Wraps a system error (anything with an errno `code`) as an IO KvError; KvErrors pass through. */
export function ioError(e: unknown, op: string, file?: string): KvError {
  if (e instanceof KvError) return e;
  const sys = (e as { code?: string; message?: string }) ?? {};
  return new KvError('IO', `${op}${file ? ` ${file}` : ''}: ${sys.code ?? ''} ${sys.message ?? String(e)}`.trim(), {
    file,
    cause: e,
  });
}
