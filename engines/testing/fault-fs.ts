/**
 * FaultFs: an {@link Fs} wrapper that makes chosen calls fail like a sick disk (EIO, ENOSPC),
 * for tests of how engines handle I/O errors: every failure must reach the caller as a typed
 * KvError, and nothing acknowledged before it may be lost.
 *
 * A rule fails the `nth` call (1-based, counted per rule) of operation `op` (`any` counts every
 * call) and, when `sticky`, every later matching call too (a disk that stays broken). The
 * failure is an `IO` KvError whose `cause` carries the errno `code`, as NodeFs would throw. A
 * failed write writes nothing; a failed fdatasync/fsync leaves the data unsynced.
 */
import { ioError } from '../errors.js';
import type { Fd, Fs, FsCounters, OpenMode } from '../fs.js';

/** The Fs operations a rule can target. */
export type FaultOp = 'open' | 'read' | 'write' | 'fdatasync' | 'fsync' | 'truncate' | 'rename' | 'unlink' | 'syncDir' | 'any';

/** One planned failure (see module doc). */
export interface FaultRule {
  readonly op: FaultOp;
  readonly nth: number;
  readonly code?: 'EIO' | 'ENOSPC';
  readonly sticky?: boolean;
}

/** The fault-injecting Fs (see module doc). `failures` counts the failures it injected. */
export class FaultFs implements Fs {
  readonly counters: FsCounters;
  failures = 0;
  private readonly seen: number[];

  constructor(private readonly inner: Fs, private readonly rules: readonly FaultRule[]) {
    this.counters = inner.counters;
    this.seen = rules.map(() => 0);
  }

  private check(op: FaultOp, file?: string): void {
    this.rules.forEach((r, i) => {
      if (r.op !== op && r.op !== 'any') return;
      const n = ++this.seen[i]!;
      if (n === r.nth || (r.sticky && n > r.nth)) {
        this.failures++;
        const code = r.code ?? 'EIO';
        const sys = Object.assign(new Error(`${code}: injected ${op} failure`), { code });
        throw ioError(sys, op, file);
      }
    });
  }

  open(file: string, mode: OpenMode): Fd {
    this.check('open', file);
    return this.inner.open(file, mode);
  }
  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    this.check('read');
    return this.inner.read(fd, buf, offset, length, position);
  }
  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    this.check('write');
    return this.inner.write(fd, buf, offset, length, position);
  }
  fdatasync(fd: Fd): void {
    this.check('fdatasync');
    this.inner.fdatasync(fd);
  }
  fsync(fd: Fd): void {
    this.check('fsync');
    this.inner.fsync(fd);
  }
  truncate(fd: Fd, length: number): void {
    this.check('truncate');
    this.inner.truncate(fd, length);
  }
  size(fd: Fd): number {
    return this.inner.size(fd);
  }
  close(fd: Fd): void {
    this.inner.close(fd);
  }
  rename(from: string, to: string): void {
    this.check('rename', from);
    this.inner.rename(from, to);
  }
  unlink(file: string): void {
    this.check('unlink', file);
    this.inner.unlink(file);
  }
  exists(file: string): boolean {
    return this.inner.exists(file);
  }
  list(dir: string): string[] {
    return this.inner.list(dir);
  }
  mkdirp(dir: string): void {
    this.inner.mkdirp(dir);
  }
  syncDir(dir: string): void {
    this.check('syncDir', dir);
    this.inner.syncDir(dir);
  }
  fileSize(file: string): number {
    return this.inner.fileSize(file);
  }
  readFile(file: string): Uint8Array {
    this.check('read', file);
    return this.inner.readFile(file);
  }
}
