/**
 * The file-system seam (LevelDB's `Env`): every kvlab engine does all its file I/O through an
 * {@link Fs}. That is what lets tests substitute a crash-simulating or fault-injecting Fs, and
 * what gives every engine an exact count of the bytes it reads and writes (`counters`).
 *
 * All calls are synchronous (the engines are). Errors are thrown as `IO` KvErrors naming the
 * file. File handles are plain numbers (descriptors) so the hot path adds one call, no object.
 */
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { ioError, KvError } from './errors.js';

/** A file handle from {@link Fs.open}. */
export type Fd = number;

/**
 * How to open a file:
 * - `r`: read only, must exist.
 * - `rw`: read/write, must exist.
 * - `create`: read/write, created if missing, never truncated.
 * - `truncate`: read/write, created or truncated to 0.
 * - `exclusive`: read/write, created; fails with IO (EEXIST) if it exists.
 */
export type OpenMode = 'r' | 'rw' | 'create' | 'truncate' | 'exclusive';

/** I/O counters, cumulative since the Fs was made. Engines report them as device bytes. */
export interface FsCounters {
  bytesRead: number;
  bytesWritten: number;
  reads: number;
  writes: number;
  syncs: number;
}

export interface Fs {
  readonly counters: FsCounters;
  open(file: string, mode: OpenMode): Fd;
  /** Reads up to `length` bytes at `position` into `buf[offset..]`; returns bytes read (0 at EOF). */
  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes all of `buf[offset..offset+length]` at `position`; returns `length`. */
  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number;
  /** Flushes file data (and the metadata needed to read it) to stable storage. */
  fdatasync(fd: Fd): void;
  /** Flushes data and all metadata. */
  fsync(fd: Fd): void;
  truncate(fd: Fd, length: number): void;
  /** Current size of the open file. */
  size(fd: Fd): number;
  close(fd: Fd): void;
  /** Atomically replaces `to` with `from`. Durable only after {@link syncDir} of the directory. */
  rename(from: string, to: string): void;
  unlink(file: string): void;
  exists(file: string): boolean;
  /** Names (not paths) of the entries of `dir`, sorted. */
  list(dir: string): string[];
  /** Creates `dir` and its parents if missing. */
  mkdirp(dir: string): void;
  /** fsyncs a directory, making creates, renames and unlinks in it durable. */
  syncDir(dir: string): void;
  /** Size of a file by name. */
  fileSize(file: string): number;
  /** Whole file contents (small files: manifests, hints, meta). */
  readFile(file: string): Uint8Array;
}

const MODE_FLAGS: Record<OpenMode, string | number> = {
  r: 'r',
  rw: 'r+',
  create: nodefs.constants.O_RDWR | nodefs.constants.O_CREAT,
  truncate: 'w+',
  exclusive: 'wx+',
};

/** The real file system, via Node's synchronous calls. One instance per engine gives per-engine counters. */
export class NodeFs implements Fs {
  readonly counters: FsCounters = { bytesRead: 0, bytesWritten: 0, reads: 0, writes: 0, syncs: 0 };
  private readonly names = new Map<Fd, string>();

  open(file: string, mode: OpenMode): Fd {
    try {
      const fd = nodefs.openSync(file, MODE_FLAGS[mode], 0o644);
      this.names.set(fd, file);
      return fd;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') throw new KvError('NOT_FOUND', `open ${file}: no such file`, { file, cause: e });
      throw ioError(e, 'open', file);
    }
  }

  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    try {
      const n = nodefs.readSync(fd, buf, offset, length, position);
      this.counters.bytesRead += n;
      this.counters.reads++;
      return n;
    } catch (e) {
      throw ioError(e, 'read', this.names.get(fd));
    }
  }

  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    try {
      let done = 0;
      while (done < length) done += nodefs.writeSync(fd, buf, offset + done, length - done, position + done);
      this.counters.bytesWritten += length;
      this.counters.writes++;
      return length;
    } catch (e) {
      throw ioError(e, 'write', this.names.get(fd));
    }
  }

  fdatasync(fd: Fd): void {
    try {
      nodefs.fdatasyncSync(fd);
      this.counters.syncs++;
    } catch (e) {
      throw ioError(e, 'fdatasync', this.names.get(fd));
    }
  }

  fsync(fd: Fd): void {
    try {
      nodefs.fsyncSync(fd);
      this.counters.syncs++;
    } catch (e) {
      throw ioError(e, 'fsync', this.names.get(fd));
    }
  }

  truncate(fd: Fd, length: number): void {
    try {
      nodefs.ftruncateSync(fd, length);
    } catch (e) {
      throw ioError(e, 'truncate', this.names.get(fd));
    }
  }

  size(fd: Fd): number {
    try {
      return nodefs.fstatSync(fd).size;
    } catch (e) {
      throw ioError(e, 'fstat', this.names.get(fd));
    }
  }

  close(fd: Fd): void {
    try {
      nodefs.closeSync(fd);
    } catch (e) {
      throw ioError(e, 'close', this.names.get(fd));
    } finally {
      this.names.delete(fd);
    }
  }

  rename(from: string, to: string): void {
    try {
      nodefs.renameSync(from, to);
    } catch (e) {
      throw ioError(e, 'rename', from);
    }
  }

  unlink(file: string): void {
    try {
      nodefs.unlinkSync(file);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return;
      throw ioError(e, 'unlink', file);
    }
  }

  exists(file: string): boolean {
    return nodefs.existsSync(file);
  }

  list(dir: string): string[] {
    try {
      return nodefs.readdirSync(dir).sort();
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') throw new KvError('NOT_FOUND', `list ${dir}: no such directory`, { file: dir, cause: e });
      throw ioError(e, 'readdir', dir);
    }
  }

  mkdirp(dir: string): void {
    try {
      nodefs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw ioError(e, 'mkdir', dir);
    }
  }

  syncDir(dir: string): void {
    let fd: number | undefined;
    try {
      fd = nodefs.openSync(dir, 'r');
      nodefs.fsyncSync(fd);
      this.counters.syncs++;
    } catch (e) {
      throw ioError(e, 'fsync dir', dir);
    } finally {
      if (fd !== undefined) nodefs.closeSync(fd);
    }
  }

  fileSize(file: string): number {
    try {
      return nodefs.statSync(file).size;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') throw new KvError('NOT_FOUND', `stat ${file}: no such file`, { file, cause: e });
      throw ioError(e, 'stat', file);
    }
  }

  readFile(file: string): Uint8Array {
    try {
      const b = nodefs.readFileSync(file);
      this.counters.bytesRead += b.length;
      this.counters.reads++;
      return b;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') throw new KvError('NOT_FOUND', `read ${file}: no such file`, { file, cause: e });
      throw ioError(e, 'readFile', file);
    }
  }
}

/** The bytes of `file`, or undefined when it does not exist (any other failure throws, typed by the Fs). */
export function readFileIfExists(fs: Fs, file: string): Uint8Array | undefined {
  try {
    return fs.readFile(file);
  } catch (e) {
    if (e instanceof KvError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * Writes `data` to `file` atomically and durably: write `file.tmp`, fsync, rename over `file`,
 * fsync the directory. Used for manifests, hint files and other small metadata.
 */
export function writeFileAtomic(fs: Fs, file: string, data: Uint8Array): void {
  const tmp = `${file}.tmp`;
  const fd = fs.open(tmp, 'truncate');
  try {
    fs.write(fd, data, 0, data.length, 0);
    fs.fsync(fd);
  } finally {
    fs.close(fd);
  }
  fs.rename(tmp, file);
  fs.syncDir(path.dirname(file));
}
