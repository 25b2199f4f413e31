/**
 * Compaction: choosing what to merge (leveled or tiered) and merging it into new sstables.
 *
 * Leveled (LevelDB): level 0 holds one run per flushed memtable; once it has `l0Trigger` runs,
 * all of them merge with the overlapping tables of level 1. Level i ≥ 1 holds one run of at most
 * `base × sizeRatio^(i-1)` bytes (base = memtableSize × l0Trigger, RocksDB's guideline); when it
 * is over, one table (round-robin by key) merges with the overlapping tables of level i+1, or
 * just moves down when nothing overlaps. Each key is rewritten about sizeRatio times per level.
 *
 * Tiered (universal / size-tiered): a level accumulates runs; when level 0 has `l0Trigger` runs
 * or level i ≥ 1 has `sizeRatio` runs, all of them merge into one new run, the newest of level
 * i+1. Each key is rewritten once per level: lower write amplification, but a key may exist in
 * several runs at once (higher space amplification, more runs for a read to probe).
 *
 * A tombstone is dropped only when no table outside the compaction that is older than its
 * output (the levels below, and older runs of the output level) may hold the key; otherwise it
 * is kept so the deleted value can never resurrect. Older versions of a key are always dropped
 * (no snapshots).
 */
import * as path from 'node:path';
import type { Fs } from '../fs.js';
import { MergingIterator, RunIterator } from './iterator.js';
import { keyString } from './memtable.js';
import { SstableBuilder } from './sstable-builder.js';
import type { BuiltTable, BuilderOptions } from './sstable-builder.js';
import { overlapRange, Version } from './version.js';
import type { FileMeta, Run } from './version.js';

/** Number of levels of the leveled layout (LevelDB's 7). */
export const LEVELED_LEVELS = 7;

export interface CompactionOptions {
  style: 'leveled' | 'tiered';
  l0Trigger: number;
  sizeRatio: number;
  memtableSize: number;
  targetFileSize: number;
}

/** A chosen compaction: the input runs (newest first) and how to install its outputs. */
export interface CompactionPlan {
  readonly level: number;
  readonly outputLevel: number;
  /** Inputs, newest run first. */
  readonly inputs: readonly Run[];
  /** True: no merge needed, the single input table just moves to `outputLevel`. */
  readonly trivialMove: boolean;
  /** Runs of the output level older than the outputs that are not inputs (tombstone check). */
  readonly olderRunsAtOutput: readonly Run[];
  /** The version with inputs removed and `outputs` (one sorted run) placed. */
  install(outputs: FileMeta[]): Version;
  /** Largest key of this compaction's level-i input (leveled round-robin pointer). */
  readonly pointer?: Buffer;
}

/** Target bytes of leveled level i ≥ 1. */
export function levelTarget(o: CompactionOptions, level: number): number {
  return o.memtableSize * o.l0Trigger * Math.pow(o.sizeRatio, level - 1);
}

/** The most urgent compaction, or undefined when the tree is in shape. */
export function pickCompaction(v: Version, o: CompactionOptions, pointers: readonly Buffer[]): CompactionPlan | undefined {
  return o.style === 'tiered' ? pickTiered(v, o) : pickLeveled(v, o, pointers);
}

function pickTiered(v: Version, o: CompactionOptions): CompactionPlan | undefined {
  for (let i = 0; i < v.levels.length; i++) {
    const runs = v.levels[i]!;
    if (runs.length < (i === 0 ? o.l0Trigger : o.sizeRatio)) continue;
    return {
      level: i,
      outputLevel: i + 1,
      inputs: runs,
      trivialMove: false,
      olderRunsAtOutput: v.levels[i + 1] ?? [],
      install: (outputs) => {
        const next = v.withLevel(i, []);
        return outputs.length === 0 ? next : next.withLevel(i + 1, [outputs, ...(v.levels[i + 1] ?? [])]);
      },
    };
  }
  return undefined;
}

function pickLeveled(v: Version, o: CompactionOptions, pointers: readonly Buffer[]): CompactionPlan | undefined {
  let best = -1;
  let bestScore = 1;
  for (let i = 0; i < LEVELED_LEVELS - 1; i++) {
    const score = i === 0 ? (v.levels[0]?.length ?? 0) / o.l0Trigger : v.levelBytes(i) / levelTarget(o, i);
    if (score >= bestScore) {
      bestScore = score;
      best = i;
    }
  }
  if (best < 0) return undefined;
  const below: Run = v.levels[best + 1]?.[0] ?? [];
  if (best === 0) {
    const l0 = v.levels[0]!;
    let lo = l0[0]![0]!.smallestStr;
    let hi = l0[0]![l0[0]!.length - 1]!.largestStr;
    for (const run of l0) {
      if (run[0]!.smallestStr < lo) lo = run[0]!.smallestStr;
      if (run[run.length - 1]!.largestStr > hi) hi = run[run.length - 1]!.largestStr;
    }
    return mergeInto(v, 0, l0, below, lo, hi, undefined);
  }
  const run = v.levels[best]![0]!;
  const ptr = pointers[best] ? keyString(pointers[best]!) : '';
  let idx = run.findIndex((f) => f.largestStr > ptr);
  if (idx < 0) idx = 0;
  const f = run[idx]!;
  const { start, end } = overlapRange(below, f.smallestStr, f.largestStr);
  const rest = [...run.slice(0, idx), ...run.slice(idx + 1)];
  if (start === end) {
    return {
      level: best,
      outputLevel: best + 1,
      inputs: [[f]],
      trivialMove: true,
      olderRunsAtOutput: [],
      pointer: f.largest,
      install: () => v.withLevel(best, rest.length ? [rest] : []).withLevel(best + 1, [[...below.slice(0, start), f, ...below.slice(start)]]),
    };
  }
  return mergeInto(v, best, [[f]], below, f.smallestStr, f.largestStr, f.largest, rest);
}

/** Plan: merge `upper` runs of `level` with the tables of `below` overlapping [lo, hi]. */
function mergeInto(
  v: Version,
  level: number,
  upper: readonly Run[],
  below: Run,
  lo: string,
  hi: string,
  pointer: Buffer | undefined,
  restOfLevel: Run = [],
): CompactionPlan {
  const { start, end } = overlapRange(below, lo, hi);
  const overlapped = below.slice(start, end);
  return {
    level,
    outputLevel: level + 1,
    inputs: overlapped.length ? [...upper, overlapped] : upper,
    trivialMove: false,
    olderRunsAtOutput: [],
    pointer,
    install: (outputs) => {
      const newBelow = [...below.slice(0, start), ...outputs, ...below.slice(end)];
      return v.withLevel(level, restOfLevel.length ? [restOfLevel] : []).withLevel(level + 1, newBelow.length ? [newBelow] : []);
    },
  };
}

/** What a merge produced. */
export interface MergeOutput {
  tables: Array<{ number: number; file: string; built: BuiltTable }>;
  bytesRead: number;
  bytesWritten: number;
  tombstonesDropped: number;
}

/**
 * Merges the plan's inputs into new tables of at most `targetFileSize` bytes (each synced).
 * `newFileNumber` allocates file numbers. On error, partial outputs are removed.
 */
export function mergeRuns(
  fs: Fs,
  dir: string,
  plan: CompactionPlan,
  v: Version,
  targetFileSize: number,
  builderOpts: BuilderOptions,
  newFileNumber: () => number,
): MergeOutput {
  const children = plan.inputs.map((r) => new RunIterator(r, false));
  const it = new MergingIterator(children);
  const out: MergeOutput = { tables: [], bytesRead: 0, bytesWritten: 0, tombstonesDropped: 0 };
  let builder: SstableBuilder | undefined;
  let number = 0;
  try {
    for (it.seekToFirst(); it.valid; it.next()) {
      if (it.kind === 0 && !v.mayHoldBelow(plan.outputLevel, keyString(it.key), plan.olderRunsAtOutput)) {
        out.tombstonesDropped++;
        continue;
      }
      if (builder === undefined) {
        number = newFileNumber();
        builder = new SstableBuilder(fs, tableFileName(dir, number), builderOpts);
      }
      builder.add(it.key, it.kind, it.seq, it.vbuf, it.vStart, it.vEnd);
      if (builder.estimatedSize >= targetFileSize) {
        const built = builder.finish();
        out.tables.push({ number, file: builder.file, built });
        out.bytesWritten += built.size;
        builder = undefined;
      }
    }
    if (builder !== undefined) {
      const built = builder.finish();
      out.tables.push({ number, file: builder.file, built });
      out.bytesWritten += built.size;
      builder = undefined;
    }
  } catch (e) {
    builder?.abandon();
    for (const t of out.tables) fs.unlink(t.file);
    throw e;
  }
  for (const c of children) out.bytesRead += c.bytesRead;
  return out;
}

/** `dir/000123.sst` */
export function tableFileName(dir: string, number: number): string {
  return path.join(dir, `${String(number).padStart(6, '0')}.sst`);
}
