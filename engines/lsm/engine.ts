/**
 * The LSM-tree core (LevelDB design) under the engine shell (engines/shell.ts owns argument
 * checks, sequence numbers, durability modes, user byte counters and the directory lock).
 * Writes go to the WAL (one `write` call per acknowledged write, so a SIGKILL loses nothing
 * acknowledged), then the memtable. Reads look in the memtable, the frozen memtable being
 * flushed (`imm`), then the tables newest first (see version.ts).
 *
 * Flushes and compactions run in the background (README.md, "Background work"): a full
 * memtable is frozen behind a fresh WAL and handed to a flush job; compactions are jobs too,
 * one at a time. A job (job.ts) writes and syncs its output tables in a worker thread when the
 * Fs is the real NodeFs, or inline through the engine's Fs otherwise (background.ts). The main
 * thread alone installs a finished job: it notices completion on its next call without
 * yielding, edits the current version, writes the MANIFEST, passes the kill points, deletes
 * inputs and schedules the next job. Writes stall by LevelDB's rules (l0SlowdownTrigger,
 * l0StopTrigger, a memtable full while the previous one is still flushing). A background error
 * is sticky: every later write, sync and compact throws it (so the shell fails the engine).
 *
 * Crash safety: every table is fdatasynced before the manifest that names it is atomically
 * replaced, and a WAL is deleted only once a manifest no longer needs it: while a memtable is
 * being flushed the MANIFEST keeps naming its WAL, and recovery replays that log and every later
 * one. On open, files the manifest does not name (outputs of an interrupted flush or
 * compaction) are deleted, the WALs still needed are replayed and flushed, and a fresh WAL is
 * started.
 */
import * as path from 'node:path';
import type { BatchOp, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { corruption, invalidArgument, KvError } from '../errors.js';
import type { Fs } from '../fs.js';
import type { SyncCore } from '../shell.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import { decodeBatch, encodeBatch, encodeSingle } from './batch.js';
import { BlockCache } from './block-cache.js';
import { bloomHash } from './bloom.js';
import { Background, sleepMs } from './background.js';
import type { JobOutcome } from './background.js';
import type { CompactionOptions, CompactionPlan } from './compaction.js';
import { applyCompaction, LEVELED_LEVELS, olderRanges, pickCompaction } from './compaction.js';
import { NodeFs } from '../fs.js';
import { serializeMemtable } from './job.js';
import type { TableFacts } from './job.js';
import { LsmStats } from './stats.js';
import type { StallCause } from './stats.js';
import { tableFileName } from './compaction.js';
import { MemIterator, MergingIterator, RunIterator } from './iterator.js';
import type { InternalIterator } from './iterator.js';
import type { ManifestFile, ManifestState } from './manifest.js';
import { MANIFEST_NAME, readManifest, writeManifest } from './manifest.js';
import { keyString, Memtable } from './memtable.js';
import { Lookup, Table } from './sstable-reader.js';
import type { ReadCounters } from './sstable-reader.js';
import { Version } from './version.js';
import type { FileMeta, Run } from './version.js';
import { readWal, WalWriter } from './wal.js';

const KP_WAL_APPENDED = declareKillPoint('lsm.wal.after-append');
const KP_FLUSH_BEFORE_MANIFEST = declareKillPoint('lsm.flush.before-manifest');
const KP_COMPACTION_BEFORE_MANIFEST = declareKillPoint('lsm.compaction.before-manifest');
const KP_COMPACTION_BEFORE_DELETE = declareKillPoint('lsm.compaction.before-delete');

/** The lsm engine's version (its on-disk format is described in FORMAT.md; 2: the MANIFEST records the WAL's synced length). */
export const LSM_VERSION = '2';

/**
 * A sync() records the current WAL's synced length in the MANIFEST once it has grown by this
 * many bytes since the last record (a manifest write costs two fsyncs, so not at every sync).
 * close() and every WAL rotation record it always. Not on disk.
 */
export const WAL_RECORD_BYTES = 1 << 20;

/** Size limits of the lsm engine. */
export const LSM_LIMITS: Limits = { maxKeyBytes: 16 * 1024, maxValueBytes: 16 * 1024 * 1024 };

/** The engine's tuning knobs (see index.ts for their documentation and defaults). */
export interface LsmSettings extends CompactionOptions {
  bloomBits: number;
  blockSize: number;
  cacheSize: number;
  /** Run jobs in worker threads when the Fs is NodeFs (false: always inline). */
  background: boolean;
  /** Level-0 runs at which each write is delayed 1 ms once. */
  l0SlowdownTrigger: number;
  /** Level-0 runs at which a write that needs a new memtable waits for level 0 to shrink. */
  l0StopTrigger: number;
}

const logFileName = (dir: string, n: number) => path.join(dir, `${String(n).padStart(6, '0')}.log`);
const FILE_RE = /^(\d+)\.(log|sst)$/;

/** Counters beyond the read path's. */
interface WriteCounters {
  flushes: number;
  flushBytesWritten: number;
  compactions: number;
  trivialMoves: number;
  compactionBytesRead: number;
  compactionBytesWritten: number;
  tombstonesDropped: number;
}

/**
 * An lsm store open on one directory (the shell holds its lock). Every mutating call has
 * handed its WAL record to the OS when it returns; {@link LsmCore.sync} fdatasyncs the current
 * WAL (older WALs were retired only after their memtable became a durable table).
 */
export class LsmCore implements SyncCore {
  readonly recoveredSequence: number;
  readonly unknownStats = ['liveBytes', 'liveKeys'];
  private readonly fs: Fs;
  private readonly dir: string;
  private readonly cache: BlockCache;
  private readonly rc: ReadCounters = { tableProbes: 0, bloomNegatives: 0, bloomFalsePositives: 0, getBlockReads: 0, blockFileReads: 0 };
  /**
   * Gets (every call, whatever asked: a YCSB update reads its record too), the gets a table
   * answered (a value or a deletion marker, not the memtable), and the gets that found nothing
   * with the tables they probed and the data blocks they read.
   */
  private readonly getCounts = { gets: 0, tableFinds: 0, zeroResultGets: 0, zeroResultTableProbes: 0, zeroResultBlockReads: 0 };
  private readonly wc: WriteCounters = {
    flushes: 0, flushBytesWritten: 0, compactions: 0, trivialMoves: 0,
    compactionBytesRead: 0, compactionBytesWritten: 0, tombstonesDropped: 0,
  };
  private readonly levelStats = new LsmStats();
  private mem = new Memtable();
  /** The frozen memtable being flushed (only while its flush job runs). */
  private imm: Memtable | undefined;
  /** The WAL that holds `imm` (retired once its table is installed), its number and synced length. */
  private immWal: WalWriter | undefined;
  private immLog = 0;
  private immLogSynced = 0;
  /** Sequence of the newest write in `imm`. */
  private immSeq = 0;
  /** The compaction whose job is running. */
  private compacting: CompactionPlan | undefined;
  /** The first background failure (LevelDB's bg_error_): sticky. */
  private bgError: unknown;
  /** close() is waiting for background work: no new compactions. */
  private closing = false;
  /** Compactions start at the first write, not during open (recovery leaves the levels as they are). */
  private started = false;
  /**
   * The number the next WAL will have: allocated before each MANIFEST write, so every WAL that
   * ever holds data is numbered below the `nextFileNumber` of some MANIFEST written before it
   * was created (recovery treats a log at or above it that holds data as CORRUPTION).
   */
  private reservedLog: number | undefined;
  private readonly bg: Background;
  private wal!: WalWriter;
  /** The live tables. */
  private current: Version;
  private logNumber = 0;
  /** Bytes of the current WAL fdatasynced so far, and the length the durable MANIFEST records. */
  private walSynced = 0;
  private walRecorded = 0;
  /** A mutating call or a sync threw: close() then writes nothing (the shell failed the engine). */
  private broken = false;
  /** Highest sequence number stored in tables. */
  private tableSeq = 0;
  private compactPointers: Buffer[] = [];
  private readonly hit: { table: Table | undefined } = { table: undefined };
  /** Sequence number of the newest write applied (stored in its WAL record and memtable entry). */
  private lastSeq: number;

  constructor(opts: ResolvedOpenOptions, private readonly s: LsmSettings) {
    this.fs = opts.fs;
    this.dir = opts.dir;
    this.cache = new BlockCache(s.cacheSize);
    // exactly NodeFs (not a subclass, which may inject faults): workers use their own NodeFs
    const real = Object.getPrototypeOf(this.fs) === NodeFs.prototype;
    this.bg = new Background(this.fs, !(s.background && real), 1);
    try {
      const m = readManifest(this.fs, this.dir);
      if (m !== undefined && m.compaction !== s.style)
        throw invalidArgument(`${this.dir} was built with compaction=${m.compaction}; open it with that style`);
      this.current = m ? this.loadVersion(m) : Version.empty(s.style === 'leveled' ? LEVELED_LEVELS : 1);
      if (m) {
        this.bg.nextFileNumber = m.nextFileNumber;
        this.logNumber = m.logNumber;
        this.tableSeq = m.lastSequence;
        this.compactPointers = m.compactPointers;
      }
      this.recoveredSequence = this.lastSeq = this.recover(m);
    } catch (e) {
      this.releaseAll();
      throw e;
    }
  }

  private openTable(f: ManifestFile): FileMeta {
    const table = Table.open(this.fs, tableFileName(this.dir, f.number), f.number, this.cache, this.rc);
    return {
      number: f.number, size: f.size, entries: f.entries, smallest: f.smallest, largest: f.largest,
      smallestStr: keyString(f.smallest), largestStr: keyString(f.largest), table,
    };
  }

  private loadVersion(m: ManifestState): Version {
    const levels: Run[][] = m.levels.map((runs) => runs.map((run) => run.map((f) => this.openTable(f))));
    if (this.s.style === 'leveled') while (levels.length < LEVELED_LEVELS) levels.push([]);
    return new Version(levels);
  }

  /**
   * Deletes orphans, replays the needed WALs, flushes them, starts a fresh WAL. Returns the
   * last sequence. The needed WALs are the MANIFEST's `logNumber` and every later one numbered
   * below its `nextFileNumber` (a background flush leaves the MANIFEST naming the frozen
   * memtable's log while writes go to the next, reserved before that MANIFEST was written),
   * replayed in order. Only logs the MANIFEST accounts for are deleted: those, the ones below
   * `logNumber` (retired), and empty ones above (never used). A log at or above
   * `nextFileNumber` that holds data, tables or a non-empty log without a MANIFEST, and a
   * `logNumber` log shorter than its recorded synced length are CORRUPTION.
   */
  private recover(m: ManifestState | undefined): number {
    const live = new Set<number>();
    for (const f of this.current.files()) live.add(f.number);
    const logs: number[] = [];
    const emptyLogs: number[] = [];
    const recorded = m === undefined ? 0 : m.logSynced;
    // deleted only once every check and the replay passed: a CORRUPTION open changes nothing
    const garbage: string[] = [];
    for (const name of this.fs.list(this.dir)) {
      const fm = FILE_RE.exec(name);
      if (name === `${MANIFEST_NAME}.tmp`) garbage.push(path.join(this.dir, name));
      if (!fm) continue;
      const n = Number(fm[1]);
      const file = path.join(this.dir, name);
      if (n >= this.bg.nextFileNumber) this.bg.nextFileNumber = n + 1;
      if (m === undefined) {
        // a new store, or one whose first open stopped before its first manifest (an empty WAL)
        if (fm[2] === 'sst' || this.fs.fileSize(file) > 0) throw corruption(`${MANIFEST_NAME} is missing but ${name} holds data`, file, 0);
        emptyLogs.push(n);
      } else if (fm[2] === 'sst') {
        if (!live.has(n)) garbage.push(file);
      } else if (n < this.logNumber) garbage.push(file);
      else if (n === this.logNumber || recorded < 0 || n < m.nextFileNumber) logs.push(n);
      else if (this.fs.fileSize(file) === 0) emptyLogs.push(n);
      else throw corruption(`WAL ${name} is newer than the MANIFEST's next file number ${m.nextFileNumber} and holds data`, file, 0);
    }
    if (m !== undefined && recorded > 0 && !logs.includes(this.logNumber)) {
      const file = logFileName(this.dir, this.logNumber);
      throw corruption(`WAL ${path.basename(file)} is missing; the MANIFEST records ${recorded} synced bytes`, file, 0);
    }
    logs.sort((a, b) => a - b);
    let lastSeq = this.tableSeq;
    for (const n of logs) {
      const file = logFileName(this.dir, n);
      const durable = n === this.logNumber && recorded > 0 ? recorded : 0;
      for (const rec of readWal(this.fs, file, durable).records) {
        const { seq } = decodeBatch(rec, file, (sq, k, v) => this.mem.add(keyString(k), Buffer.from(k), v && Buffer.from(v), sq));
        if (seq > lastSeq) lastSeq = seq;
      }
    }
    for (const file of garbage) this.fs.unlink(file);
    // A fresh WAL, then (if anything was replayed) a flush; the manifest then retires old WALs.
    this.startWal();
    if (this.mem.count > 0) {
      this.freeze(false, lastSeq);
      this.waitUntil(() => this.imm !== undefined);
      if (this.bgError !== undefined) throw this.bgError;
    } else this.saveManifest();
    for (const n of [...logs, ...emptyLogs]) this.fs.unlink(logFileName(this.dir, n));
    return lastSeq;
  }

  /** Starts WAL number `n` (default: a new number) as the current one; returns the previous. */
  private startWal(n = this.bg.newFileNumber()): WalWriter | undefined {
    const old = this.wal as WalWriter | undefined;
    const file = logFileName(this.dir, n);
    this.wal = new WalWriter(this.fs, file, this.fs.open(file, 'truncate'));
    this.logNumber = n;
    this.walSynced = 0;
    return old;
  }

  /**
   * Writes the MANIFEST for the current version. Its log is the oldest still needed: the
   * frozen memtable's WAL while that memtable is being flushed, else the current one.
   */
  private saveManifest(): void {
    const levels: ManifestFile[][][] = this.current.levels.map((runs) =>
      runs.map((run) => run.map((f) => ({ number: f.number, size: f.size, entries: f.entries, smallest: f.smallest, largest: f.largest }))),
    );
    const old = this.immWal !== undefined;
    this.reservedLog ??= this.bg.newFileNumber();
    writeManifest(this.fs, this.dir, {
      nextFileNumber: this.bg.nextFileNumber, lastSequence: this.tableSeq,
      logNumber: old ? this.immLog : this.logNumber, logSynced: old ? this.immLogSynced : this.walSynced,
      compaction: this.s.style, levels, compactPointers: this.compactPointers,
    });
    if (!old) this.walRecorded = this.walSynced;
  }


  get(key: Uint8Array): Uint8Array | undefined {
    if (this.bg.maybeDone()) this.pollBg();
    const ks = keyString(key);
    const e = this.mem.get(ks) ?? this.imm?.get(ks);
    let v: Buffer | undefined;
    const g = this.getCounts;
    const blockReadsBefore = this.rc.getBlockReads;
    const probesBefore = this.rc.tableProbes;
    g.gets++;
    if (e !== undefined) v = e.value && Buffer.from(e.value);
    else {
      const r = this.current.get(key, ks, bloomHash(key), this.hit);
      if (r !== Lookup.Absent) g.tableFinds++;
      if (r === Lookup.Found) v = this.hit.table!.value;
    }
    if (v === undefined) {
      // Monkey's zero-result lookup cost: the blocks a get that finds nothing reads (Σ fp over the runs it probes)
      g.zeroResultGets++;
      g.zeroResultBlockReads += this.rc.getBlockReads - blockReadsBefore;
      g.zeroResultTableProbes += this.rc.tableProbes - probesBefore;
    }
    return v;
  }

  put(key: Uint8Array, value: Uint8Array, seq: number): void {
    try {
      this.makeRoomForWrite();
      this.wal.append(encodeSingle(seq, key, value));
      this.lastSeq = seq;
      killPoint(KP_WAL_APPENDED);
      this.mem.add(keyString(key), Buffer.from(key), Buffer.from(value), seq);
    } catch (e) {
      throw this.broke(e);
    }
  }

  del(key: Uint8Array, seq: number): void {
    try {
      this.makeRoomForWrite();
      this.wal.append(encodeSingle(seq, key, undefined));
      this.lastSeq = seq;
      killPoint(KP_WAL_APPENDED);
      this.mem.add(keyString(key), Buffer.from(key), undefined, seq);
    } catch (e) {
      throw this.broke(e);
    }
  }

  write(batch: readonly BatchOp[], seq: number): void {
    try {
      this.makeRoomForWrite();
      this.wal.append(encodeBatch(seq, batch));
      this.lastSeq = seq;
      killPoint(KP_WAL_APPENDED);
      for (const op of batch) {
        const value = op.type === 'put' ? Buffer.from(op.value) : undefined;
        this.mem.add(keyString(op.key), Buffer.from(op.key), value, seq);
      }
    } catch (e) {
      throw this.broke(e);
    }
  }

  /** Marks the core broken (the shell fails the engine on this throw); returns `e`. */
  private broke(e: unknown): unknown {
    this.broken = true;
    return e;
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    if (this.bg.maybeDone()) this.pollBg();
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const it = this.newIterator(limit);
    for (it.seek(Buffer.from(start)); it.valid && out.length < limit; it.next()) {
      if (it.kind === 0) continue;
      const k = it.sharedKeys ? Buffer.from(it.key) : it.key;
      const v = Buffer.allocUnsafe(it.vEnd - it.vStart);
      it.vbuf.copy(v, 0, it.vStart, it.vEnd);
      out.push([k, v]);
    }
    return out;
  }

  /**
   * A merging iterator over the current memtables and version (tombstones included). Each run's
   * readahead starts at its expected share of `limit` entries (by its share of all entries).
   */
  private newIterator(limit: number): InternalIterator {
    const children: InternalIterator[] = [new MemIterator(this.mem)];
    if (this.imm) children.push(new MemIterator(this.imm));
    let total = 0;
    for (const f of this.current.files()) total += f.entries;
    for (const level of this.current.levels)
      for (const run of level) {
        let entries = 0;
        let bytes = 0;
        for (const f of run) {
          entries += f.entries;
          bytes += f.size;
        }
        const expected = entries === 0 ? 0 : (Math.min(limit, (limit * entries * 1.5) / total + 1) * bytes) / entries;
        children.push(new RunIterator(run, true, expected));
      }
    return new MergingIterator(children);
  }

  /**
   * fdatasync of the WALs: the frozen memtable's (if it has unsynced bytes: its table is not
   * installed yet) and the current one. Every write applied so far is then durable (the writes
   * of retired WALs are in tables that were synced before a manifest named them). Once the
   * synced length has grown by {@link WAL_RECORD_BYTES} since the MANIFEST last recorded it,
   * the MANIFEST is rewritten to record it (after the fdatasync, so it never claims unsynced
   * bytes; not while a flush runs, when the MANIFEST names the frozen memtable's log).
   */
  sync(): void {
    try {
      if (this.bg.maybeDone()) this.pollBg();
      if (this.bgError !== undefined) throw this.bgError;
      if (this.immWal !== undefined && this.immWal.offset > this.immLogSynced) {
        this.immWal.sync();
        this.immLogSynced = this.immWal.offset;
      }
      this.wal.sync();
      this.walSynced = this.wal.offset;
      if (this.immWal === undefined && this.walSynced - this.walRecorded >= WAL_RECORD_BYTES) this.saveManifest();
    } catch (e) {
      throw this.broke(e);
    }
  }

  /**
   * compact(): flushes the memtable (if it holds anything) to level 0, then runs every
   * compaction the tree's shape calls for and waits for all background work to finish. Not a
   * merge of everything into one level: it is the maintenance a flush would trigger.
   */
  compact(): void {
    try {
      this.started = true;
      this.schedule();
      if (this.bg.maybeDone()) this.pollBg();
      if (this.mem.count > 0) {
        this.waitUntil(() => this.imm !== undefined);
        if (this.bgError === undefined) this.freeze(true, this.lastSeq);
      }
      this.waitUntil(() => this.bg.flush.busy || this.bg.compaction.busy);
      if (this.bgError !== undefined) throw this.bgError;
    } catch (e) {
      throw this.broke(e);
    }
  }

  /**
   * LevelDB's MakeRoomForWrite, before each write: installs finished jobs, throws a background
   * error, delays the write 1 ms once when level 0 has `l0SlowdownTrigger` runs, and, when the
   * memtable is full, waits for the previous one's flush and (at `l0StopTrigger` runs) for
   * level 0 to shrink, then freezes it and starts its flush. The level-0 rules apply only while
   * a compaction runs (only a compaction shrinks level 0; LevelDB always has one scheduled then).
   */
  private makeRoomForWrite(): void {
    if (!this.started) {
      this.started = true;
      this.schedule();
    }
    if (this.bg.maybeDone()) this.pollBg();
    if (this.bgError !== undefined) throw this.bgError;
    let delayed = false;
    for (;;) {
      const l0 = this.current.levels[0]!.length;
      if (!delayed && l0 >= this.s.l0SlowdownTrigger && this.compacting !== undefined) {
        const t0 = performance.now();
        sleepMs(1);
        this.levelStats.stalled('slowdown', performance.now() - t0);
        delayed = true;
        this.pollBg();
      } else if (this.mem.approximateBytes < this.s.memtableSize) return;
      else if (this.imm !== undefined) this.stall('memtable', () => this.imm !== undefined);
      else if (l0 >= this.s.l0StopTrigger && this.compacting !== undefined)
        this.stall('stop', () => this.current.levels[0]!.length >= this.s.l0StopTrigger && this.compacting !== undefined);
      else return this.freeze(true, this.lastSeq);
      if (this.bgError !== undefined) throw this.bgError;
    }
  }

  /** Waits while `cond` holds (see {@link waitUntil}), counted as a stall of `cause`. */
  private stall(cause: StallCause, cond: () => boolean): void {
    const t0 = performance.now();
    this.waitUntil(cond);
    this.levelStats.stalled(cause, performance.now() - t0);
  }

  /**
   * Blocks (without yielding) while `cond` holds and background work is in flight, installing
   * each finished job; returns early on a background error (the caller throws it).
   */
  private waitUntil(cond: () => boolean): void {
    for (;;) {
      this.pollBg();
      if (this.bgError !== undefined || !cond() || !(this.bg.flush.busy || this.bg.compaction.busy)) return;
      this.bg.wait(100);
    }
  }

  /**
   * Freezes the memtable as `imm` (newest sequence `seq`) and starts its flush job.
   * `rotate`: behind a new WAL (not during recovery, which already started one and whose
   * replayed logs it deletes itself once the flush is installed).
   */
  private freeze(rotate: boolean, seq: number): void {
    this.immLog = this.logNumber;
    this.immLogSynced = this.walSynced;
    if (rotate) {
      this.immWal = this.startWal(this.reservedLog ?? this.bg.newFileNumber());
      this.reservedLog = undefined;
    } else this.immWal = undefined;
    const imm = this.mem;
    imm.immutable = true;
    this.imm = imm;
    this.immSeq = seq;
    this.mem = new Memtable();
    this.bg.flush.submit({
      kind: 'flush', dir: this.dir, number: this.bg.newFileNumber(), data: serializeMemtable(imm),
      builder: { blockSize: this.s.blockSize, bloomBits: this.s.bloomBits },
    });
    this.schedule();
    this.pollBg();
  }

  /** Installs every finished job (inline lanes: runs what that schedules, too). Never throws but by a kill point. */
  private pollBg(): void {
    while (this.bg.maybeDone()) {
      this.bg.ack();
      const f = this.bg.flush.take();
      if (f !== undefined) this.finishFlush(f);
      const c = this.bg.compaction.take();
      if (c !== undefined) this.finishCompaction(c);
      if (f === undefined && c === undefined) return;
    }
  }

  /** Records the first background error (later ones follow from it). */
  private setBgError(e: unknown): void {
    this.bgError ??= e;
  }

  private installTable(t: TableFacts): FileMeta {
    return this.openTable({ number: t.number, size: t.size, entries: t.entries, smallest: Buffer.from(t.smallest, 'latin1'), largest: Buffer.from(t.largest, 'latin1') });
  }

  /** A flush finished: its table becomes level 0's newest run, the MANIFEST names it, its WAL is retired. */
  private finishFlush(o: JobOutcome): void {
    if (this.bgError !== undefined) return; // after a failure nothing more is installed
    if ('error' in o) return this.setBgError(o.error);
    if (o.ok.kind !== 'flush') return this.setBgError(new Error('lsm: flush lane returned a compaction'));
    try {
      killPoint(KP_FLUSH_BEFORE_MANIFEST);
      const meta = this.installTable(o.ok.table);
      this.current = this.current.withLevel(0, [[meta], ...this.current.levels[0]!]);
      this.tableSeq = Math.max(this.tableSeq, this.immSeq);
      const retired = this.immWal;
      this.immWal = undefined;
      this.saveManifest();
      this.imm = undefined;
      this.wc.flushes++;
      this.wc.flushBytesWritten += meta.size;
      this.levelStats.flushed(meta.size);
      if (retired) {
        retired.close();
        this.fs.unlink(retired.file);
      }
    } catch (e) {
      return this.setBgError(e);
    }
    this.schedule();
  }

  /** A compaction finished: an edit of the current version, the MANIFEST, then its inputs go. */
  private finishCompaction(o: JobOutcome): void {
    const plan = this.compacting!;
    this.compacting = undefined;
    if (this.bgError !== undefined) return;
    if ('error' in o) return this.setBgError(o.error);
    if (o.ok.kind !== 'compaction') return this.setBgError(new Error('lsm: compaction lane returned a flush'));
    const r = o.ok;
    try {
      killPoint(KP_COMPACTION_BEFORE_MANIFEST);
      const metas = r.tables.map((t) => this.installTable(t));
      this.current = applyCompaction(this.current, plan, metas, this.s.style);
      this.saveManifest();
      killPoint(KP_COMPACTION_BEFORE_DELETE);
      for (const run of plan.inputs)
        for (const f of run) {
          f.table.close();
          this.fs.unlink(tableFileName(this.dir, f.number));
        }
      const read = r.bytesRead.reduce((a, b) => a + b, 0);
      this.wc.compactions++;
      this.wc.compactionBytesRead += read;
      this.wc.compactionBytesWritten += r.bytesWritten;
      this.wc.tombstonesDropped += r.tombstonesDropped;
      this.levelStats.compacted(plan.inputLevels, r.bytesRead, plan.outputLevel, r.bytesWritten);
    } catch (e) {
      return this.setBgError(e);
    }
    this.schedule();
  }

  /**
   * Starts the most urgent compaction unless one runs (trivial moves are done here and now: a
   * MANIFEST edit). Nothing after a background error or once close() began.
   */
  private schedule(): void {
    while (this.started && this.bgError === undefined && !this.closing && this.compacting === undefined) {
      const plan = pickCompaction(this.current, this.s, this.compactPointers);
      if (plan === undefined) return;
      if (plan.pointer) this.compactPointers[plan.level] = plan.pointer;
      if (plan.trivialMove) {
        try {
          this.current = applyCompaction(this.current, plan, plan.inputs[0]!, this.s.style);
          this.saveManifest();
          this.wc.trivialMoves++;
        } catch (e) {
          this.setBgError(e);
        }
        continue;
      }
      this.compacting = plan;
      const facts = (f: FileMeta): TableFacts => ({ number: f.number, size: f.size, entries: f.entries, smallest: f.smallestStr, largest: f.largestStr });
      this.bg.compaction.submit({
        kind: 'compaction', dir: this.dir, inputs: plan.inputs.map((run) => run.map(facts)), older: olderRanges(this.current, plan),
        targetFileSize: this.s.targetFileSize, builder: { blockSize: this.s.blockSize, bloomBits: this.s.bloomBits },
      });
    }
  }

  /**
   * Fills the engine counters into `s` (the shell has filled user and device counters from the
   * engine's Fs; the bytes and syncs workers did through their own NodeFs are added here).
   */
  fillStats(s: EngineStats): void {
    if (this.bg.maybeDone()) this.pollBg();
    const io = this.bg.workerIo();
    s.deviceBytesWritten += io.bytesWritten;
    s.deviceBytesRead += io.bytesRead;
    s.syncs += io.syncs;
    s.flushes = this.wc.flushes;
    s.compactions = this.wc.compactions;
    s.compactionBytesRead = this.wc.compactionBytesRead;
    s.compactionBytesWritten = this.wc.compactionBytesWritten;
    s.cacheHits = this.cache.hits;
    s.cacheMisses = this.cache.misses;
    s.bloomNegatives = this.rc.bloomNegatives;
    let tableBytes = 0;
    let files = 0;
    let tableMem = 0;
    const x = s.extra;
    this.levelStats.fill(x, this.current, this.s);
    this.current.levels.forEach((runs, i) => {
      x[`L${i}.runs`] = runs.length;
      for (const run of runs) for (const f of run) tableMem += f.table.memoryBytes;
      tableBytes += x[`L${i}.bytes`]!;
      files += x[`L${i}.files`]!;
    });
    const walBytes = this.wal.offset + (this.immWal?.offset ?? 0);
    s.files = files + 2 + (this.immWal ? 1 : 0); // tables + WAL(s) + MANIFEST
    s.diskBytes = tableBytes + walBytes;
    s.indexMemoryBytes = this.mem.approximateBytes + (this.imm?.approximateBytes ?? 0) + tableMem + this.cache.bytes;
    const user = Math.max(1, s.userBytesWritten);
    Object.assign(x, {
      levels: this.current.levels.length,
      tableBytes,
      walBytes,
      memtableBytes: this.mem.approximateBytes,
      immutableMemtableBytes: this.imm?.approximateBytes ?? 0,
      flushBytesWritten: this.wc.flushBytesWritten,
      trivialMoves: this.wc.trivialMoves,
      tombstonesDropped: this.wc.tombstonesDropped,
      writeAmplification: s.deviceBytesWritten / user,
      compactionWriteAmplification: (this.wc.flushBytesWritten + this.wc.compactionBytesWritten) / user,
      bloomFalsePositives: this.rc.bloomFalsePositives,
      getBlockReads: this.rc.getBlockReads,
      ...this.getCounts,
      tableProbes: this.rc.tableProbes,
      blockFileReads: this.rc.blockFileReads,
      cacheBytes: this.cache.bytes,
      background: this.bg.inline ? 0 : 1,
      flushRunning: this.bg.flush.busy ? 1 : 0,
      compactionRunning: this.bg.compaction.busy ? 1 : 0,
    });
  }

  /**
   * Waits for background work (a job never writes after close returns), then closes the WALs
   * and the tables and stops the workers; no sync (the shell synced first when healthy). A
   * healthy core installs what finished and, when its WAL was synced beyond the MANIFEST's
   * record, records the synced length, so that a cleanly closed store's whole log is below it
   * (a truncated or damaged log is then CORRUPTION).
   */
  close(): void {
    try {
      this.closing = true;
      if (this.broken) this.bgError ??= new Error('lsm: closed after a failure');
      this.waitUntil(() => true);
      // a failed core must not install anything: just let its jobs end (their outputs are orphans)
      while (this.bg.flush.busy || this.bg.compaction.busy) {
        this.bg.ack();
        this.bg.flush.take();
        this.bg.compaction.take();
        if (this.bg.flush.busy || this.bg.compaction.busy) this.bg.wait(100);
      }
      if (!this.broken && this.bgError === undefined && this.immWal === undefined && this.walSynced > this.walRecorded) this.saveManifest();
    } finally {
      this.releaseAll();
    }
  }

  private releaseAll(): void {
    this.bg.close();
    for (const w of [this.wal as WalWriter | undefined, this.immWal]) {
      try {
        w?.close();
      } catch (e) {
        if (!(e instanceof KvError)) throw e;
      }
    }
    for (const f of this.current?.files() ?? []) f.table.close();
  }
}

/** What the lsm engine can do. */
export const LSM_CAPABILITIES = {
  orderedScan: true,
  atomicBatch: true,
  persistent: true,
  durability: ['none', 'group', 'always'],
} as const;
