/**
 * The LSM-tree core (LevelDB design) under the engine shell (engines/shell.ts owns argument
 * checks, sequence numbers, durability modes, user byte counters and the directory lock).
 * Writes go to the WAL (one `write` call per acknowledged write, so a SIGKILL loses nothing
 * acknowledged), then the memtable; a full memtable
 * is frozen and flushed to a level-0 sstable, and compactions keep the levels in shape. Reads
 * look in the memtable(s), then the tables newest first (see version.ts). Flushes and
 * compactions run synchronously inside the write that fills the memtable; the time they take is
 * counted as a write stall.
 *
 * Crash safety: every table is fdatasynced before the manifest that names it is atomically
 * replaced, and a WAL is deleted only once a manifest no longer needs it. On open, files the
 * manifest does not name (outputs of an interrupted flush or compaction) are deleted, the WALs
 * still needed are replayed and flushed, and a fresh WAL is started.
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
import type { CompactionOptions, CompactionPlan } from './compaction.js';
import { LEVELED_LEVELS, mergeRuns, pickCompaction, tableFileName } from './compaction.js';
import { MemIterator, MergingIterator, RunIterator } from './iterator.js';
import type { InternalIterator } from './iterator.js';
import type { ManifestFile, ManifestState } from './manifest.js';
import { MANIFEST_NAME, readManifest, writeManifest } from './manifest.js';
import { keyString, Memtable } from './memtable.js';
import { Lookup, Table } from './sstable-reader.js';
import type { ReadCounters } from './sstable-reader.js';
import { SstableBuilder } from './sstable-builder.js';
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
  stalls: number;
  stallMs: number;
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
  private readonly rc: ReadCounters = { bloomNegatives: 0, bloomFalsePositives: 0, getBlockReads: 0, blockFileReads: 0 };
  private readonly wc: WriteCounters = {
    flushes: 0, flushBytesWritten: 0, compactions: 0, trivialMoves: 0,
    compactionBytesRead: 0, compactionBytesWritten: 0, tombstonesDropped: 0, stalls: 0, stallMs: 0,
  };
  private mem = new Memtable();
  /** The frozen memtable being flushed (only during a flush). */
  private imm: Memtable | undefined;
  private wal!: WalWriter;
  /** The live tables. */
  private current: Version;
  private nextFile = 1;
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
    try {
      const m = readManifest(this.fs, this.dir);
      if (m !== undefined && m.compaction !== s.style)
        throw invalidArgument(`${this.dir} was built with compaction=${m.compaction}; open it with that style`);
      this.current = m ? this.loadVersion(m) : Version.empty(s.style === 'leveled' ? LEVELED_LEVELS : 1);
      if (m) {
        this.nextFile = m.nextFileNumber;
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
   * Deletes orphans, replays the needed WAL, flushes it, starts a fresh WAL. Returns the last
   * sequence. Only logs the MANIFEST accounts for are deleted: those numbered below its
   * `logNumber` (retired), the replayed one, and empty ones above it (a rotation cut short
   * before its manifest). A log above it that holds data, tables or a non-empty log without a
   * MANIFEST, and a current log shorter than its recorded synced length are CORRUPTION.
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
      if (n >= this.nextFile) this.nextFile = n + 1;
      if (m === undefined) {
        // a new store, or one whose first open stopped before its first manifest (an empty WAL)
        if (fm[2] === 'sst' || this.fs.fileSize(file) > 0) throw corruption(`${MANIFEST_NAME} is missing but ${name} holds data`, file, 0);
        emptyLogs.push(n);
      } else if (fm[2] === 'sst') {
        if (!live.has(n)) garbage.push(file);
      } else if (n < this.logNumber) garbage.push(file);
      else if (n === this.logNumber || recorded < 0) logs.push(n);
      else if (this.fs.fileSize(file) === 0) emptyLogs.push(n);
      else throw corruption(`WAL ${name} is newer than the MANIFEST's log ${this.logNumber} and holds data`, file, 0);
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
    if (this.mem.count > 0) this.flushMemtable(lastSeq, false);
    else this.saveManifest();
    for (const n of [...logs, ...emptyLogs]) this.fs.unlink(logFileName(this.dir, n));
    return lastSeq;
  }

  private startWal(): WalWriter | undefined {
    const old = this.wal as WalWriter | undefined;
    const n = this.nextFile++;
    const file = logFileName(this.dir, n);
    this.wal = new WalWriter(this.fs, file, this.fs.open(file, 'truncate'));
    this.logNumber = n;
    this.walSynced = 0;
    return old;
  }

  private saveManifest(): void {
    const levels: ManifestFile[][][] = this.current.levels.map((runs) =>
      runs.map((run) => run.map((f) => ({ number: f.number, size: f.size, entries: f.entries, smallest: f.smallest, largest: f.largest }))),
    );
    writeManifest(this.fs, this.dir, {
      nextFileNumber: this.nextFile, lastSequence: this.tableSeq, logNumber: this.logNumber, logSynced: this.walSynced,
      compaction: this.s.style, levels, compactPointers: this.compactPointers,
    });
    this.walRecorded = this.walSynced;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const ks = keyString(key);
    const e = this.mem.get(ks) ?? this.imm?.get(ks);
    let v: Buffer | undefined;
    if (e !== undefined) v = e.value && Buffer.from(e.value);
    else if (this.current.get(key, ks, bloomHash(key), this.hit) === Lookup.Found) v = this.hit.table!.value;
    return v;
  }

  put(key: Uint8Array, value: Uint8Array, seq: number): void {
    try {
      this.wal.append(encodeSingle(seq, key, value));
      this.lastSeq = seq;
      killPoint(KP_WAL_APPENDED);
      this.mem.add(keyString(key), Buffer.from(key), Buffer.from(value), seq);
      if (this.mem.approximateBytes >= this.s.memtableSize) this.makeRoom();
    } catch (e) {
      throw this.broke(e);
    }
  }

  del(key: Uint8Array, seq: number): void {
    try {
      this.wal.append(encodeSingle(seq, key, undefined));
      this.lastSeq = seq;
      killPoint(KP_WAL_APPENDED);
      this.mem.add(keyString(key), Buffer.from(key), undefined, seq);
      if (this.mem.approximateBytes >= this.s.memtableSize) this.makeRoom();
    } catch (e) {
      throw this.broke(e);
    }
  }

  write(batch: readonly BatchOp[], seq: number): void {
    try {
      this.wal.append(encodeBatch(seq, batch));
      this.lastSeq = seq;
      killPoint(KP_WAL_APPENDED);
      for (const op of batch) {
        const value = op.type === 'put' ? Buffer.from(op.value) : undefined;
        this.mem.add(keyString(op.key), Buffer.from(op.key), value, seq);
      }
      if (this.mem.approximateBytes >= this.s.memtableSize) this.makeRoom();
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
   * fdatasync of the current WAL: every write applied so far is then durable (the writes of
   * retired WALs are in tables that were synced before a manifest named them). Once the synced
   * length has grown by {@link WAL_RECORD_BYTES} since the MANIFEST last recorded it, the
   * MANIFEST is rewritten to record it (after the fdatasync, so it never claims unsynced bytes).
   */
  sync(): void {
    try {
      this.wal.sync();
      this.walSynced = this.wal.offset;
      if (this.walSynced - this.walRecorded >= WAL_RECORD_BYTES) this.saveManifest();
    } catch (e) {
      throw this.broke(e);
    }
  }

  /**
   * compact(): flushes the memtable (if it holds anything) to level 0, then runs every
   * compaction the tree's shape calls for, now rather than at the next full memtable. Not a
   * merge of everything into one level: it is the maintenance a flush would trigger.
   */
  compact(): void {
    try {
      if (this.mem.count > 0) this.flushMemtable(this.lastSeq, true);
      this.compactAll();
    } catch (e) {
      throw this.broke(e);
    }
  }

  /** Flushes the full memtable and runs compactions until the tree is in shape (a write stall). */
  private makeRoom(): void {
    const t0 = performance.now();
    this.flushMemtable(this.lastSeq, true);
    this.compactAll();
    this.wc.stalls++;
    this.wc.stallMs += performance.now() - t0;
  }

  /**
   * Freezes the memtable, writes it as a level-0 table, records it in the manifest, and retires
   * the WAL that held it. `rotate`: start a new WAL first (not during recovery, which already did).
   */
  private flushMemtable(lastSeq: number, rotate: boolean): void {
    const oldWal = rotate ? this.startWal() : undefined;
    const imm = this.mem;
    imm.immutable = true;
    this.imm = imm;
    this.mem = new Memtable();
    const number = this.nextFile++;
    const builder = new SstableBuilder(this.fs, tableFileName(this.dir, number), this.s);
    try {
      for (let e = imm.first(); e !== null; e = e.next[0] ?? null) {
        if (e.value === undefined) builder.add(e.key, 0, e.seq, EMPTY_VALUE);
        else builder.add(e.key, 1, e.seq, e.value);
      }
      const built = builder.finish();
      killPoint(KP_FLUSH_BEFORE_MANIFEST);
      const meta = this.openTable({ number, ...built });
      this.current = this.current.withLevel(0, [[meta], ...this.current.levels[0]!]);
      this.tableSeq = Math.max(this.tableSeq, lastSeq);
      this.saveManifest();
      this.wc.flushes++;
      this.wc.flushBytesWritten += built.size;
    } catch (e) {
      builder.abandon();
      throw e;
    }
    this.imm = undefined;
    if (oldWal) {
      oldWal.close();
      this.fs.unlink(oldWal.file);
    }
  }

  private compactAll(): void {
    for (;;) {
      const plan = pickCompaction(this.current, this.s, this.compactPointers);
      if (plan === undefined) return;
      this.runCompaction(plan);
    }
  }

  private runCompaction(plan: CompactionPlan): void {
    if (plan.pointer) this.compactPointers[plan.level] = plan.pointer;
    if (plan.trivialMove) {
      this.current = plan.install([...plan.inputs[0]!]);
      this.saveManifest();
      this.wc.trivialMoves++;
      return;
    }
    const out = mergeRuns(this.fs, this.dir, plan, this.current, this.s.targetFileSize, this.s, () => this.nextFile++);
    killPoint(KP_COMPACTION_BEFORE_MANIFEST);
    const metas = out.tables.map((t) => this.openTable({ number: t.number, ...t.built }));
    this.current = plan.install(metas);
    this.saveManifest();
    killPoint(KP_COMPACTION_BEFORE_DELETE);
    for (const run of plan.inputs)
      for (const f of run) {
        f.table.close();
        this.fs.unlink(tableFileName(this.dir, f.number));
      }
    this.wc.compactions++;
    this.wc.compactionBytesRead += out.bytesRead;
    this.wc.compactionBytesWritten += out.bytesWritten;
    this.wc.tombstonesDropped += out.tombstonesDropped;
  }

  /** Fills the engine counters into `s` (the shell has filled user and device counters). */
  fillStats(s: EngineStats): void {
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
    this.current.levels.forEach((runs, i) => {
      x[`L${i}.files`] = this.current.levelFiles(i);
      x[`L${i}.bytes`] = this.current.levelBytes(i);
      x[`L${i}.runs`] = runs.length;
      for (const run of runs) for (const f of run) tableMem += f.table.memoryBytes;
      tableBytes += x[`L${i}.bytes`]!;
      files += x[`L${i}.files`]!;
    });
    s.files = files + 2; // tables + WAL + MANIFEST
    s.diskBytes = tableBytes + this.wal.offset;
    s.indexMemoryBytes = this.mem.approximateBytes + tableMem + this.cache.bytes;
    const user = Math.max(1, s.userBytesWritten);
    Object.assign(x, {
      levels: this.current.levels.length,
      tableBytes,
      walBytes: this.wal.offset,
      memtableBytes: this.mem.approximateBytes,
      flushBytesWritten: this.wc.flushBytesWritten,
      trivialMoves: this.wc.trivialMoves,
      tombstonesDropped: this.wc.tombstonesDropped,
      writeAmplification: s.deviceBytesWritten / user,
      compactionWriteAmplification: (this.wc.flushBytesWritten + this.wc.compactionBytesWritten) / user,
      bloomFalsePositives: this.rc.bloomFalsePositives,
      getBlockReads: this.rc.getBlockReads,
      blockFileReads: this.rc.blockFileReads,
      cacheBytes: this.cache.bytes,
      stalls: this.wc.stalls,
      stallMs: this.wc.stallMs,
    });
  }

  /**
   * Closes the WAL and the tables; no sync (the shell synced first when healthy). A healthy core
   * whose WAL was synced beyond the MANIFEST's record first records the synced length, so that
   * a cleanly closed store's whole log is below it (a truncated or damaged log is then CORRUPTION).
   */
  close(): void {
    try {
      if (!this.broken && this.walSynced > this.walRecorded) this.saveManifest();
    } finally {
      this.releaseAll();
    }
  }

  private releaseAll(): void {
    const w = this.wal as WalWriter | undefined;
    try {
      w?.close();
    } catch (e) {
      if (!(e instanceof KvError)) throw e;
    }
    for (const f of this.current?.files() ?? []) f.table.close();
  }
}

const EMPTY_VALUE = Buffer.alloc(0);

/** What the lsm engine can do. */
export const LSM_CAPABILITIES = {
  orderedScan: true,
  atomicBatch: true,
  persistent: true,
  durability: ['none', 'group', 'always'],
} as const;
