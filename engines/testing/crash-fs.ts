/**
 * CrashFs: an {@link Fs} over a real directory that can simulate a power loss.
 *
 * Every call goes to the real file system (through a NodeFs), while CrashFs tracks what a
 * power loss would keep:
 * - per file: the length at its last fdatasync/fsync and the old bytes of every unsynced
 *   overwrite or truncation inside that length (an undo log);
 * - per directory: the entries as of its last syncDir (creates, renames and unlinks become
 *   durable only then; a file's own fsync does not make its name durable).
 * {@link CrashFs.crash} then writes the post-power-loss state: every durable entry with its
 * file's durable content. `strict` mode cuts each file to its synced length and reverts every
 * unsynced overwrite; `random` mode (seeded) keeps a random prefix of each unsynced tail,
 * a random subset of unsynced overwrites, and sometimes random garbage in place of the rest
 * of the unsynced tail (never beyond the length the file had: a synced file never grows).
 *
 * Simplifications (documented limits): directories created by mkdirp are durable at once;
 * writes through a descriptor of a file already unlinked/replaced are ignored after that point;
 * only files under `root` are tracked (others pass through). After crash() every call throws IO
 * (the device is gone); the abandoned engine is not closed, so reopen the crash state in another
 * process, or in another directory (`into`), because the abandoned instance keeps its DirLock.
 *
 * Fsyncs are not issued to the real disk unless `realSync` (the simulation does not need them).
 */
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { KvError } from '../errors.js';
import { NodeFs, type Fd, type Fs, type FsCounters, type OpenMode } from '../fs.js';

/** How {@link CrashFs.crash} builds the post-power-loss state. */
export interface CrashOptions {
  /** `strict`: only synced bytes survive. `random`: also a seeded random share of unsynced ones. Default strict. */
  mode?: 'strict' | 'random';
  /** Seed of the random choices (random mode). */
  seed?: number;
  /** Random mode: sometimes fill part of a file's unsynced tail with garbage instead of its data. Default true. */
  garbage?: boolean;
  /** Write the state into this (new or empty) directory instead of replacing `root` in place. */
  into?: string;
}

/** What a crash dropped, for tests and reports. */
export interface CrashSummary {
  files: number;
  /** Bytes written but not synced that the crash discarded (tails cut). */
  bytesCut: number;
  /** Unsynced overwrites/truncations undone. */
  overwritesReverted: number;
  /** Directory entries created/renamed since the last syncDir that vanished. */
  entriesDropped: number;
  /** Files whose unsynced tail became (partly) garbage. */
  garbageFiles: number;
}

interface Undo {
  readonly pos: number;
  readonly old: Buffer;
}

interface Inode {
  /** Current path, or undefined once unlinked or replaced. */
  file: string | undefined;
  syncedLen: number;
  undo: Undo[];
  /** Content captured when the inode lost its last name (it may still be durably named). */
  detached?: Buffer;
}

interface DirState {
  cur: Map<string, Inode>;
  dur: Map<string, Inode>;
}

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The power-loss-simulating Fs (see module doc). One instance per engine instance. */
export class CrashFs implements Fs {
  readonly counters: FsCounters;
  readonly root: string;
  private readonly inner = new NodeFs();
  private readonly dirs = new Map<string, DirState>();
  private readonly fds = new Map<Fd, Inode>();
  private readonly realSync: boolean;
  private crashed = false;

  /** Tracks `root` (created if missing); files already there count as durable. */
  constructor(root: string, opts: { realSync?: boolean } = {}) {
    this.root = path.resolve(root);
    this.realSync = opts.realSync ?? false;
    this.counters = this.inner.counters;
    nodefs.mkdirSync(this.root, { recursive: true });
    this.adopt(this.root);
  }

  private adopt(dir: string): DirState {
    const d: DirState = { cur: new Map(), dur: new Map() };
    this.dirs.set(dir, d);
    for (const ent of nodefs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) this.adopt(p);
      else if (ent.isFile()) {
        const ino: Inode = { file: p, syncedLen: nodefs.statSync(p).size, undo: [] };
        d.cur.set(ent.name, ino);
        d.dur.set(ent.name, ino);
      }
    }
    return d;
  }

  private live(): void {
    if (this.crashed) throw new KvError('IO', 'simulated power loss: the file system is gone');
  }

  /** The tracked directory of `file` (undefined outside root) and its entry name. */
  private where(file: string): { d: DirState | undefined; name: string; abs: string } {
    const abs = path.resolve(file);
    const dir = path.dirname(abs);
    let d = this.dirs.get(dir);
    if (d === undefined && (dir === this.root || dir.startsWith(this.root + path.sep)) && nodefs.existsSync(dir)) d = this.adopt(dir);
    return { d, name: path.basename(abs), abs };
  }

  private readRange(fd: Fd, pos: number, end: number): Buffer {
    const b = Buffer.alloc(Math.max(0, end - pos));
    let got = 0;
    while (got < b.length) {
      const n = nodefs.readSync(fd, b, got, b.length - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return b.subarray(0, got);
  }

  open(file: string, mode: OpenMode): Fd {
    this.live();
    const { d, name, abs } = this.where(file);
    let ino = d?.cur.get(name);
    if (d && ino && mode === 'truncate' && ino.syncedLen > 0) {
      const rfd = nodefs.openSync(abs, 'r');
      try {
        ino.undo.push({ pos: 0, old: this.readRange(rfd, 0, ino.syncedLen) });
      } finally {
        nodefs.closeSync(rfd);
      }
    }
    const fd = this.inner.open(file, mode);
    if (d) {
      if (!ino) {
        ino = { file: abs, syncedLen: 0, undo: [] };
        d.cur.set(name, ino);
      }
      this.fds.set(fd, ino);
    }
    return fd;
  }

  read(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    this.live();
    return this.inner.read(fd, buf, offset, length, position);
  }

  write(fd: Fd, buf: Uint8Array, offset: number, length: number, position: number): number {
    this.live();
    const ino = this.fds.get(fd);
    if (ino && ino.file !== undefined && position < ino.syncedLen)
      ino.undo.push({ pos: position, old: this.readRange(fd, position, Math.min(position + length, ino.syncedLen)) });
    return this.inner.write(fd, buf, offset, length, position);
  }

  private synced(fd: Fd): void {
    const ino = this.fds.get(fd);
    if (ino && ino.file !== undefined) {
      ino.syncedLen = this.inner.size(fd);
      ino.undo = [];
    }
  }

  fdatasync(fd: Fd): void {
    this.live();
    if (this.realSync) this.inner.fdatasync(fd);
    else this.counters.syncs++;
    this.synced(fd);
  }

  fsync(fd: Fd): void {
    this.live();
    if (this.realSync) this.inner.fsync(fd);
    else this.counters.syncs++;
    this.synced(fd);
  }

  truncate(fd: Fd, length: number): void {
    this.live();
    const ino = this.fds.get(fd);
    if (ino && ino.file !== undefined && length < ino.syncedLen) ino.undo.push({ pos: length, old: this.readRange(fd, length, ino.syncedLen) });
    this.inner.truncate(fd, length);
  }

  size(fd: Fd): number {
    this.live();
    return this.inner.size(fd);
  }

  close(fd: Fd): void {
    this.live();
    this.fds.delete(fd);
    this.inner.close(fd);
  }

  /** Captures an inode's current bytes when it loses its name, if a durable entry still names it. */
  private detach(ino: Inode): void {
    let durable = false;
    for (const d of this.dirs.values()) for (const v of d.dur.values()) if (v === ino) durable = true;
    if (durable && ino.file !== undefined) ino.detached = nodefs.readFileSync(ino.file);
    ino.file = undefined;
  }

  rename(from: string, to: string): void {
    this.live();
    const a = this.where(from);
    const b = this.where(to);
    const ino = a.d?.cur.get(a.name);
    const replaced = b.d?.cur.get(b.name);
    if (replaced && replaced !== ino) this.detach(replaced);
    this.inner.rename(from, to);
    if (ino) {
      a.d!.cur.delete(a.name);
      ino.file = b.abs;
      b.d?.cur.set(b.name, ino);
    } else if (replaced) b.d?.cur.delete(b.name);
  }

  unlink(file: string): void {
    this.live();
    const { d, name } = this.where(file);
    const ino = d?.cur.get(name);
    if (ino) this.detach(ino);
    this.inner.unlink(file);
    d?.cur.delete(name);
  }

  exists(file: string): boolean {
    this.live();
    return this.inner.exists(file);
  }

  list(dir: string): string[] {
    this.live();
    return this.inner.list(dir);
  }

  mkdirp(dir: string): void {
    this.live();
    this.inner.mkdirp(dir);
    const abs = path.resolve(dir);
    if ((abs === this.root || abs.startsWith(this.root + path.sep)) && !this.dirs.has(abs)) this.adopt(abs);
  }

  syncDir(dir: string): void {
    this.live();
    if (this.realSync) this.inner.syncDir(dir);
    else this.counters.syncs++;
    const d = this.dirs.get(path.resolve(dir));
    if (d) d.dur = new Map(d.cur);
  }

  fileSize(file: string): number {
    this.live();
    return this.inner.fileSize(file);
  }

  readFile(file: string): Uint8Array {
    this.live();
    return this.inner.readFile(file);
  }

  /** The bytes of `ino` a power loss keeps (see module doc). */
  private durableContent(ino: Inode, rnd: () => number, random: boolean, garbage: boolean, sum: CrashSummary): Buffer {
    const current = ino.file !== undefined ? nodefs.readFileSync(ino.file) : (ino.detached ?? Buffer.alloc(0));
    const size = Math.max(current.length, ino.syncedLen);
    const content = Buffer.alloc(size);
    current.copy(content);
    for (let i = ino.undo.length - 1; i >= 0; i--) {
      if (random && rnd() < 0.5) continue;
      const u = ino.undo[i]!;
      u.old.copy(content, u.pos);
      sum.overwritesReverted++;
    }
    // The kept length is between the synced length and the current one; in random mode the
    // unsynced part is a prefix of what was written, then (sometimes) garbage up to that length.
    let keep = ino.syncedLen;
    let len = ino.syncedLen;
    if (random && current.length > ino.syncedLen) {
      len += Math.floor(rnd() * (current.length - ino.syncedLen + 1));
      keep += Math.floor(rnd() * (len - ino.syncedLen + 1));
      if (!garbage || rnd() >= 0.3) keep = len;
    }
    sum.bytesCut += Math.max(0, current.length - keep);
    const out = content.subarray(0, len);
    if (len > keep) {
      for (let i = keep; i < len; i++) out[i] = Math.floor(rnd() * 256);
      sum.garbageFiles++;
    }
    return out;
  }

  /**
   * Simulates a power loss now: writes the post-crash state (in place, or into `opts.into`)
   * and makes this Fs unusable. Returns what was dropped.
   */
  crash(opts: CrashOptions = {}): CrashSummary {
    this.live();
    const random = opts.mode === 'random';
    const rnd = mulberry(opts.seed ?? 1);
    const sum: CrashSummary = { files: 0, bytesCut: 0, overwritesReverted: 0, entriesDropped: 0, garbageFiles: 0 };
    const state: Array<{ rel: string; data: Buffer }> = [];
    const dirsRel: string[] = [];
    for (const [dir, d] of this.dirs) {
      dirsRel.push(path.relative(this.root, dir));
      for (const [name, ino] of d.cur) if (d.dur.get(name) !== ino) sum.entriesDropped++;
      for (const [name, ino] of d.dur) {
        state.push({ rel: path.relative(this.root, path.join(dir, name)), data: this.durableContent(ino, rnd, random, opts.garbage ?? true, sum) });
      }
    }
    for (const fd of this.fds.keys()) {
      try {
        nodefs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.fds.clear();
    this.crashed = true;
    const target = opts.into === undefined ? this.root : path.resolve(opts.into);
    if (opts.into === undefined) {
      for (const ent of nodefs.readdirSync(target)) nodefs.rmSync(path.join(target, ent), { recursive: true, force: true });
    } else nodefs.mkdirSync(target, { recursive: true });
    for (const rel of dirsRel) nodefs.mkdirSync(path.join(target, rel), { recursive: true });
    for (const f of state) {
      nodefs.writeFileSync(path.join(target, f.rel), f.data);
      sum.files++;
    }
    return sum;
  }
}
