/**
 * The engine identity of a store directory: a small marker file, `kvlab.engine`, that every
 * persistent engine's directory holds, naming the engine that created it (and the engine's
 * format version then). The one open path (engines/shell.ts `openShell`) checks it before the
 * engine's core sees the directory, so no engine ever reads, replays or deletes another's files:
 *
 * - marker naming this engine: open (the engine then checks its own format);
 * - marker naming another engine: `WRONG_ENGINE`, naming both; nothing is touched;
 * - no marker, directory empty (apart from `kvlab.lock` and a leftover `kvlab.engine.tmp`): a new
 *   store; the marker is written (atomically, through the Fs seam) before the core creates
 *   anything, and removed again if the core then fails to open leaving nothing else;
 * - no marker, only files matching this engine's {@link EngineDescriptor.files}: a store made
 *   before markers existed (or whose first open stopped before the marker was durable); it is
 *   adopted: the core opens it, and only then is the marker written;
 * - no marker and any other file: `WRONG_ENGINE`, naming the files; nothing is touched.
 *
 * hashlog and native share one file format and one set of file patterns: a marker-less store
 * of those files is adopted by whichever opens it first, and its marker then names that
 * engine, so the other is refused. Moving a store between them on purpose is one explicit
 * step: delete `kvlab.engine` (the store is then adopted by the next opener).
 *
 * Marker format (text, ASCII, every line ends with `\n`; on-disk: never change without a
 * version bump):
 * ```
 * kvlab-engine 1
 * engine <name>
 * format <descriptor version, one line>
 * crc32 <8 hex digits: zlib crc32 of the three lines above, newlines included>
 * ```
 * A marker that fails to parse or its checksum is `CORRUPTION` (file, offset 0): never guessed,
 * never rewritten, so damage to it costs no data.
 */
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { LOCK_FILE } from './common.js';
import type { EngineDescriptor } from './engine.js';
import { corruption, KvError } from './errors.js';
import type { Fs } from './fs.js';
import { readFileIfExists, writeFileAtomic } from './fs.js';

/** The marker's file name in every persistent engine's directory. */
export const ENGINE_MARKER = 'kvlab.engine';
/** The marker being written (writeFileAtomic's temp name); deleted on open when left over. */
export const ENGINE_MARKER_TMP = `${ENGINE_MARKER}.tmp`;
/** on-disk: marker format version. Never change without a version bump. */
export const MARKER_VERSION = 1;
/** on-disk: the marker's first line. Never change without a version bump. */
const MAGIC = `kvlab-engine ${MARKER_VERSION}`;

/** What a marker records. */
export interface EngineIdentity {
  /** The engine's registered name (`lsm`, `classic-level`, ...). */
  readonly engine: string;
  /** The engine's descriptor version when the marker was written (informational). */
  readonly format: string;
}

/** Files every directory may hold whatever its engine: the kernel lock, the marker and its temp. */
export function isSharedFile(name: string): boolean {
  return name === LOCK_FILE || name === ENGINE_MARKER || name === ENGINE_MARKER_TMP;
}

/** Encodes a marker (see the module doc). */
export function encodeMarker(id: EngineIdentity): Buffer {
  const format = id.format.replace(/[^\x20-\x7e]/g, '?');
  const body = `${MAGIC}\nengine ${id.engine}\nformat ${format}\n`;
  return Buffer.from(`${body}crc32 ${(crc32(body) >>> 0).toString(16).padStart(8, '0')}\n`, 'latin1');
}

/** Decodes a marker; CORRUPTION (file, offset 0) unless it is exactly a valid one. */
export function decodeMarker(buf: Uint8Array, file: string): EngineIdentity {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('latin1');
  const m = /^(kvlab-engine (\d+)\nengine ([a-z][a-z0-9_-]*)\nformat ([\x20-\x7e]*)\n)crc32 ([0-9a-f]{8})\n$/.exec(text);
  if (!m) throw corruption(`engine marker ${ENGINE_MARKER} is damaged (not a marker)`, file, 0);
  if ((crc32(m[1]!) >>> 0) !== parseInt(m[5]!, 16)) throw corruption(`engine marker ${ENGINE_MARKER} is damaged (checksum mismatch)`, file, 0);
  if (Number(m[2]) !== MARKER_VERSION) throw corruption(`engine marker ${ENGINE_MARKER} has unknown version ${m[2]}`, file, 0);
  return { engine: m[3]!, format: m[4]! };
}

/** The marker in `dir`, or undefined when there is none. CORRUPTION when it is damaged. */
export function readMarker(fs: Fs, dir: string): EngineIdentity | undefined {
  const file = path.join(dir, ENGINE_MARKER);
  const buf = readFileIfExists(fs, file);
  if (buf === undefined) return undefined;
  return decodeMarker(buf, file);
}

/** Writes `dir`'s marker atomically and durably (temp file, fsync, rename, fsync dir). */
export function writeMarker(fs: Fs, dir: string, id: EngineIdentity): void {
  writeFileAtomic(fs, path.join(dir, ENGINE_MARKER), encodeMarker(id));
}

/** True when `name` is one of `d`'s own files (its {@link EngineDescriptor.files}). */
export function isOwnFile(d: EngineDescriptor, name: string): boolean {
  return (d.files ?? []).some((re) => re.test(name));
}

/** How {@link claimDirectory} found the directory. */
export type ClaimState = 'marked' | 'new' | 'adopt';

/** A directory claimed for an open: {@link commit} after the core opened, {@link abandon} if it failed. */
export interface DirectoryClaim {
  readonly state: ClaimState;
  /** After the core opened: writes the marker of an adopted store. */
  commit(): void;
  /** After the core failed to open: removes the marker of a new store that still holds nothing else. */
  abandon(): void;
}

/**
 * Checks `dir` against descriptor `d` before its core opens (see the module doc) and, for a new
 * store, writes the marker. Throws WRONG_ENGINE (marker of another engine, or foreign files
 * without a marker) and CORRUPTION (damaged marker); then nothing in `dir` has changed.
 */
export function claimDirectory(fs: Fs, dir: string, d: EngineDescriptor): DirectoryClaim {
  const id: EngineIdentity = { engine: d.name, format: d.version };
  const marker = readMarker(fs, dir);
  const names = fs.list(dir);
  if (marker !== undefined) {
    if (marker.engine !== d.name)
      throw new KvError('WRONG_ENGINE', `${dir} holds a store of engine '${marker.engine}' (${ENGINE_MARKER}); refusing to open it with engine '${d.name}'`, {
        file: path.join(dir, ENGINE_MARKER),
      });
    dropTmp(fs, dir, names);
    return { state: 'marked', commit: () => undefined, abandon: () => undefined };
  }
  const foreign = names.filter((n) => !isSharedFile(n) && !isOwnFile(d, n));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 8).join(', ') + (foreign.length > 8 ? `, ... (${foreign.length} in all)` : '');
    throw new KvError(
      'WRONG_ENGINE',
      `${dir} has no ${ENGINE_MARKER} and holds files that are not engine '${d.name}''s: ${shown}; refusing to open it (another engine's store?)`,
      { file: dir },
    );
  }
  dropTmp(fs, dir, names);
  const own = names.filter((n) => !isSharedFile(n));
  if (own.length > 0) return { state: 'adopt', commit: () => writeMarker(fs, dir, id), abandon: () => undefined };
  writeMarker(fs, dir, id);
  return {
    state: 'new',
    commit: () => undefined,
    abandon: () => {
      try {
        if (fs.list(dir).every(isSharedFile)) fs.unlink(path.join(dir, ENGINE_MARKER));
      } catch {
        /* best effort: the open already failed with its own error */
      }
    },
  };
}

function dropTmp(fs: Fs, dir: string, names: readonly string[]): void {
  if (names.includes(ENGINE_MARKER_TMP)) fs.unlink(path.join(dir, ENGINE_MARKER_TMP));
}
