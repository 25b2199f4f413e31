/**
 * A version: the set of live sstables, arranged in levels of sorted runs. A run is a list of
 * tables with disjoint key ranges, sorted by key; within a level, runs are ordered newest first,
 * and every level holds data older than the level above it. So a lookup that walks
 * memtable → level 0 run 0 → level 0 run 1 → ... → level 1 ... and stops at the first table that
 * holds the key sees the newest version.
 *
 * Leveled compaction keeps one run per level ≥ 1 (each level-0 table is its own run); tiered
 * compaction keeps up to `sizeRatio` runs per level. Versions are immutable: a flush or a
 * compaction builds a new one ({@link Version.replace}).
 */
import type { Lookup, Table } from './sstable-reader.js';

/** A key range: latin1 forms of a table's smallest and largest keys (string order = byte order). */
export interface KeyRange {
  readonly smallestStr: string;
  readonly largestStr: string;
}

/** One live sstable. */
export interface FileMeta extends KeyRange {
  readonly number: number;
  readonly size: number;
  readonly entries: number;
  readonly smallest: Buffer;
  readonly largest: Buffer;
  /** The open reader. */
  readonly table: Table;
}

/** A sorted run: tables with disjoint key ranges, ascending. */
export type Run = readonly FileMeta[];

export class Version {
  constructor(readonly levels: ReadonlyArray<ReadonlyArray<Run>>) {}

  static empty(numLevels: number): Version {
    return new Version(Array.from({ length: numLevels }, () => []));
  }

  /**
   * Looks `key` up in every table that may hold it, newest first. Returns the first table's
   * answer (Found: value in `table.value`), and which table answered via `hit`.
   */
  get(key: Uint8Array, keyStr: string, hash: number, hit: { table: Table | undefined }): Lookup {
    for (const level of this.levels) {
      for (const run of level) {
        const f = findFile(run, keyStr);
        if (f === undefined) continue;
        const r = f.table.get(key, keyStr, hash);
        if (r !== 0) {
          hit.table = f.table;
          return r;
        }
      }
    }
    return 0;
  }

  /** Total bytes of the tables of level `i`. */
  levelBytes(i: number): number {
    let n = 0;
    for (const run of this.levels[i] ?? []) for (const f of run) n += f.size;
    return n;
  }

  levelFiles(i: number): number {
    let n = 0;
    for (const run of this.levels[i] ?? []) n += run.length;
    return n;
  }

  /** Every live file. */
  *files(): Iterable<FileMeta> {
    for (const level of this.levels) for (const run of level) yield* run;
  }

  /** A new version with `level`'s runs replaced by `runs`. */
  withLevel(level: number, runs: ReadonlyArray<Run>): Version {
    const levels = this.levels.slice();
    while (levels.length <= level) levels.push([]);
    levels[level] = runs;
    return new Version(levels);
  }

}

/** The table of `run` whose range contains keyStr, if any (binary search). */
export function findFile<T extends KeyRange>(run: readonly T[], keyStr: string): T | undefined {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (run[mid]!.largestStr < keyStr) lo = mid + 1;
    else hi = mid;
  }
  const f = run[lo];
  return f !== undefined && f.smallestStr <= keyStr ? f : undefined;
}

/** Files of `run` overlapping [lo, hi] (latin1 strings), as a contiguous index range. */
export function overlapRange(run: Run, lo: string, hi: string): { start: number; end: number } {
  let start = 0;
  while (start < run.length && run[start]!.largestStr < lo) start++;
  let end = start;
  while (end < run.length && run[end]!.smallestStr <= hi) end++;
  return { start, end };
}
