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
import { findFile, overlapRange, Version } from './version.js';
import type { FileMeta, KeyRange, Run } from './version.js';

/** Number of levels of the leveled layout (LevelDB's 7). */
export const LEVELED_LEVELS = 7;

/** The knobs compaction planning reads (see index.ts). */
export interface CompactionOptions {
  style: 'leveled' | 'tiered';
  l0Trigger: number;
  sizeRatio: number;
  memtableSize: number;
  targetFileSize: number;
}

/**
 * A chosen compaction: the input runs (newest first) and where its outputs go. Installed with
 * {@link applyCompaction} as an edit of whatever version is current then (flushes may have
 * added level-0 runs meanwhile; nothing else changes while a compaction runs).
 */
export interface CompactionPlan {
  readonly level: number;
  readonly outputLevel: number;
  /** Inputs, newest run first. */
  readonly inputs: readonly Run[];
  /** The level each input run comes from (`level` or `outputLevel`). */
  readonly inputLevels: readonly number[];
  /** True: no merge needed, the single input table just moves to `outputLevel`. */
  readonly trivialMove: boolean;
  /** Runs of the output level older than the outputs that are not inputs (tombstone check). */
  readonly olderRunsAtOutput: readonly Run[];
  /** Largest key of this compaction's level-i input (leveled round-robin pointer). */
  readonly pointer?: Buffer;
}

/**
 * The version `v` with the plan's inputs removed and `outputs` (one sorted run) placed at the
 * output level: leveled, merged into that level's single run by key; tiered, as its newest run.
 * An edit, not a replacement: runs `v` gained after the plan was made (level-0 flushes) stay.
 */
export function applyCompaction(v: Version, plan: CompactionPlan, outputs: readonly FileMeta[], style: CompactionOptions['style']): Version {
  const gone = new Set<number>();
  for (const run of plan.inputs) for (const f of run) gone.add(f.number);
  const without = (runs: ReadonlyArray<Run>) => runs.map((r) => r.filter((f) => !gone.has(f.number))).filter((r) => r.length > 0);
  const next = v.withLevel(plan.level, without(v.levels[plan.level] ?? []));
  const at = without(next.levels[plan.outputLevel] ?? []);
  if (outputs.length === 0) return next.withLevel(plan.outputLevel, at);
  if (style === 'tiered') return next.withLevel(plan.outputLevel, [outputs, ...at]);
  const run = [...(at[0] ?? []), ...outputs].sort((a, b) => (a.smallestStr < b.smallestStr ? -1 : a.smallestStr > b.smallestStr ? 1 : 0));
  return next.withLevel(plan.outputLevel, [run, ...at.slice(1)]);
}

/**
 * Key ranges of every run older than the plan's outputs that is not an input: older runs of
 * the output level and every run of the levels below it (a job's tombstone check).
 */
export function olderRanges(v: Version, plan: CompactionPlan): Array<Array<[string, string]>> {
  const runs: Run[] = [...plan.olderRunsAtOutput];
  for (let i = plan.outputLevel + 1; i < v.levels.length; i++) runs.push(...v.levels[i]!);
  return runs.map((r) => r.map((f): [string, string] => [f.smallestStr, f.largestStr]));
}

/** Target bytes of leveled level i ≥ 1. */
export function levelTarget(o: CompactionOptions, level: number): number {
  return o.memtableSize * o.l0Trigger * Math.pow(o.sizeRatio, level - 1);
}

/**
 * LevelDB's compaction score of level `i`: level 0 (and every tiered level), runs / the run
 * count that triggers its merge; leveled level i ≥ 1, bytes / {@link levelTarget}. The last
 * leveled level is never compacted (0). A score ≥ 1 asks for a compaction.
 */
export function levelScore(v: Version, o: CompactionOptions, i: number): number {
  const runs = v.levels[i]?.length ?? 0;
  if (o.style === 'tiered') return runs / (i === 0 ? o.l0Trigger : o.sizeRatio);
  if (i >= LEVELED_LEVELS - 1) return 0;
  return i === 0 ? runs / o.l0Trigger : v.levelBytes(i) / levelTarget(o, i);
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
      inputLevels: runs.map(() => i),
      trivialMove: false,
      olderRunsAtOutput: v.levels[i + 1] ?? [],
    };
  }
  return undefined;
}

function pickLeveled(v: Version, o: CompactionOptions, pointers: readonly Buffer[]): CompactionPlan | undefined {
  let best = -1;
  let bestScore = 1;
  for (let i = 0; i < LEVELED_LEVELS - 1; i++) {
    const score = levelScore(v, o, i);
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
    return mergeInto(0, l0, below, lo, hi, undefined);
  }
  const run = v.levels[best]![0]!;
  const ptr = pointers[best] ? keyString(pointers[best]!) : '';
  let idx = run.findIndex((f) => f.largestStr > ptr);
  if (idx < 0) idx = 0;
  const f = run[idx]!;
  const { start, end } = overlapRange(below, f.smallestStr, f.largestStr);
  if (start === end) {
    return { level: best, outputLevel: best + 1, inputs: [[f]], inputLevels: [best], trivialMove: true, olderRunsAtOutput: [], pointer: f.largest };
  }
  return mergeInto(best, [[f]], below, f.smallestStr, f.largestStr, f.largest);
}

/** Plan: merge `upper` runs of `level` with the tables of `below` overlapping [lo, hi]. */
function mergeInto(level: number, upper: readonly Run[], below: Run, lo: string, hi: string, pointer: Buffer | undefined): CompactionPlan {
  const { start, end } = overlapRange(below, lo, hi);
  const overlapped = below.slice(start, end);
  const inputs = overlapped.length ? [...upper, overlapped] : upper;
  return {
    level,
    outputLevel: level + 1,
    inputs,
    inputLevels: inputs.map((r) => (r === overlapped ? level + 1 : level)),
    trivialMove: false,
    olderRunsAtOutput: [],
    pointer,
  };
}

/** What a merge produced. */
export interface MergeOutput {
  tables: Array<{ number: number; file: string; built: BuiltTable }>;
  /** Table bytes read from each input run. */
  bytesRead: number[];
  bytesWritten: number;
  tombstonesDropped: number;
}

/**
 * Merges `inputs` (runs, newest first) into new tables of at most `targetFileSize` bytes (each
 * synced). A tombstone is dropped when no run of `older` may hold its key. `newFileNumber`
 * allocates file numbers. On error, partial outputs are removed.
 */
export function mergeRuns(
  fs: Fs,
  dir: string,
  inputs: readonly Run[],
  older: ReadonlyArray<readonly KeyRange[]>,
  targetFileSize: number,
  builderOpts: BuilderOptions,
  newFileNumber: () => number,
): MergeOutput {
  const children = inputs.map((r) => new RunIterator(r, false));
  const it = new MergingIterator(children);
  const out: MergeOutput = { tables: [], bytesRead: [], bytesWritten: 0, tombstonesDropped: 0 };
  const mayHold = (keyStr: string) => older.some((run) => findFile(run, keyStr) !== undefined);
  let builder: SstableBuilder | undefined;
  let number = 0;
  try {
    for (it.seekToFirst(); it.valid; it.next()) {
      if (it.kind === 0 && !mayHold(keyString(it.key))) {
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
  out.bytesRead = children.map((c) => c.bytesRead);
  return out;
}

/** `dir/000123.sst` */
export function tableFileName(dir: string, number: number): string {
  return path.join(dir, `${String(number).padStart(6, '0')}.sst`);
}
