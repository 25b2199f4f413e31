/**
 * Background jobs: the CPU- and I/O-heavy half of a flush (an immutable memtable → one level-0
 * sstable) and of a compaction (merging input runs into new tables), as one function of plain,
 * structured-cloneable data ({@link runJob}). The same function runs in a worker thread
 * (worker.ts, with its own NodeFs) or inline on the main thread (any other Fs: the torture
 * suite's CrashFs and FaultFs, or `background=false`); the main thread alone installs results,
 * writes the MANIFEST and deletes inputs (engine.ts), so a job only ever creates files the
 * MANIFEST does not name yet (orphans recovery deletes).
 *
 * Keys travel as latin1 strings (string order = byte order, clone-safe); a flush's memtable
 * travels as one buffer ({@link serializeMemtable}).
 */
import type { Fs } from '../fs.js';
import { BlockCache } from './block-cache.js';
import { mergeRuns, tableFileName } from './compaction.js';
import type { Memtable } from './memtable.js';
import { SstableBuilder } from './sstable-builder.js';
import type { BuilderOptions } from './sstable-builder.js';
import { Table } from './sstable-reader.js';
import type { FileMeta, KeyRange, Run } from './version.js';

/** A table as a job sees it: number, manifest facts, latin1 key bounds. */
export interface TableFacts {
  number: number;
  size: number;
  entries: number;
  smallest: string;
  largest: string;
}

/** Flush: write the serialized memtable as table `number` in `dir`. */
export interface FlushJob {
  kind: 'flush';
  dir: string;
  number: number;
  /** {@link serializeMemtable} of the immutable memtable. */
  data: Uint8Array;
  builder: BuilderOptions;
}

/** Compaction: merge `inputs` (runs, newest first) into tables of at most `targetFileSize`. */
export interface CompactionJob {
  kind: 'compaction';
  dir: string;
  inputs: TableFacts[][];
  /**
   * Key ranges of every run older than the outputs that is not an input (the levels below the
   * output level, older runs of the output level): a tombstone is dropped only when none may
   * hold its key.
   */
  older: Array<Array<[string, string]>>;
  targetFileSize: number;
  builder: BuilderOptions;
}

/** Any background job. */
export type Job = FlushJob | CompactionJob;

/** What a flush wrote. */
export interface FlushResult {
  kind: 'flush';
  table: TableFacts;
}

/** What a compaction wrote and read. */
export interface CompactionResult {
  kind: 'compaction';
  tables: TableFacts[];
  /** Table bytes read per input run (same order as the job's inputs). */
  bytesRead: number[];
  bytesWritten: number;
  tombstonesDropped: number;
}

/** Any job's result. */
export type JobResult = FlushResult | CompactionResult;

const latin1 = (b: Buffer) => b.toString('latin1');

/**
 * Runs `job` through `fs`: writes and fdatasyncs its output tables and returns their facts.
 * `newFileNumber` allocates compaction output numbers. On error, partial outputs are removed
 * and the error is thrown; nothing else in the directory is touched.
 */
export function runJob(fs: Fs, job: Job, newFileNumber: () => number): JobResult {
  return job.kind === 'flush' ? runFlush(fs, job) : runCompaction(fs, job, newFileNumber);
}

function runFlush(fs: Fs, job: FlushJob): FlushResult {
  const builder = new SstableBuilder(fs, tableFileName(job.dir, job.number), job.builder);
  try {
    forEachSerialized(job.data, (key, kind, seq, buf, vStart, vEnd) => builder.add(key, kind, seq, buf, vStart, vEnd));
    const b = builder.finish();
    return { kind: 'flush', table: { number: job.number, size: b.size, entries: b.entries, smallest: latin1(b.smallest), largest: latin1(b.largest) } };
  } catch (e) {
    builder.abandon();
    throw e;
  }
}

function runCompaction(fs: Fs, job: CompactionJob, newFileNumber: () => number): CompactionResult {
  // the job's own readers, no cache (compaction reads bypass it), no shared counters
  const cache = new BlockCache(0);
  const rc = { tableProbes: 0, bloomNegatives: 0, bloomFalsePositives: 0, getBlockReads: 0, blockFileReads: 0 };
  const opened: Table[] = [];
  try {
    const inputs: Run[] = job.inputs.map((run) =>
      run.map((f): FileMeta => {
        const table = Table.open(fs, tableFileName(job.dir, f.number), f.number, cache, rc);
        opened.push(table);
        return {
          number: f.number, size: f.size, entries: f.entries, table,
          smallest: Buffer.from(f.smallest, 'latin1'), largest: Buffer.from(f.largest, 'latin1'),
          smallestStr: f.smallest, largestStr: f.largest,
        };
      }),
    );
    const older: KeyRange[][] = job.older.map((run) => run.map(([smallestStr, largestStr]) => ({ smallestStr, largestStr })));
    const out = mergeRuns(fs, job.dir, inputs, older, job.targetFileSize, job.builder, newFileNumber);
    return {
      kind: 'compaction',
      tables: out.tables.map((t) => ({ number: t.number, size: t.built.size, entries: t.built.entries, smallest: latin1(t.built.smallest), largest: latin1(t.built.largest) })),
      bytesRead: out.bytesRead, bytesWritten: out.bytesWritten, tombstonesDropped: out.tombstonesDropped,
    };
  } finally {
    for (const t of opened) t.close();
  }
}

/**
 * The memtable's entries in key order as one buffer: per entry `keyLen u32, key, kind u8
 * (0 = deletion), seq f64, valueLen u32, value`. What a flush job carries.
 */
export function serializeMemtable(m: Memtable): Uint8Array {
  let bytes = 0;
  for (let e = m.first(); e !== null; e = e.next[0] ?? null) bytes += 17 + e.key.length + (e.value?.length ?? 0);
  const out = Buffer.allocUnsafeSlow(bytes); // never pooled: a worker lane transfers its ArrayBuffer
  let p = 0;
  for (let e = m.first(); e !== null; e = e.next[0] ?? null) {
    p = out.writeUInt32LE(e.key.length, p);
    p += e.key.copy(out, p);
    p = out.writeUInt8(e.value === undefined ? 0 : 1, p);
    p = out.writeDoubleLE(e.seq, p);
    p = out.writeUInt32LE(e.value?.length ?? 0, p);
    if (e.value !== undefined) p += e.value.copy(out, p);
  }
  return out;
}

/** Calls `f` for every entry of a {@link serializeMemtable} buffer, in order (key and value are views). */
function forEachSerialized(
  data: Uint8Array,
  f: (key: Buffer, kind: number, seq: number, buf: Buffer, vStart: number, vEnd: number) => void,
): void {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  while (p < b.length) {
    const kl = b.readUInt32LE(p);
    const key = b.subarray(p + 4, p + 4 + kl);
    p += 4 + kl;
    const kind = b[p]!;
    const seq = b.readDoubleLE(p + 1);
    const vl = b.readUInt32LE(p + 9);
    p += 13;
    f(key, kind, seq, b, p, p + vl);
    p += vl;
  }
}
