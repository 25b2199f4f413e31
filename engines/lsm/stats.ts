/**
 * Per-level compaction statistics (RocksDB's `rocksdb.stats` table) and write-stall counters,
 * filled into `EngineStats.extra` under the names README.md documents (`L{i}.files`, ...,
 * `stall.stop.ms`).
 */
import type { CompactionOptions } from './compaction.js';
import { levelScore } from './compaction.js';
import type { Version } from './version.js';

/** The three reasons a write waits (README.md, "Write stalls"). */
export type StallCause = 'slowdown' | 'stop' | 'memtable';

/** Cumulative per-level and stall counters of one open engine. */
export class LsmStats {
  /** Compaction input bytes read from level i. */
  private readonly readBytes: number[] = [];
  /** Bytes written into level i (flushes into 0, compactions into their output level). */
  private readonly writtenBytes: number[] = [];
  /** Bytes read from level i−1 by the compactions whose output is level i (W-Amp's denominator). */
  private readonly readFromAbove: number[] = [];
  /** Jobs that wrote into level i: flushes (0), merging compactions (i ≥ 1). */
  private readonly jobs: number[] = [];
  private readonly stall: Record<StallCause, { count: number; ms: number }> = {
    slowdown: { count: 0, ms: 0 }, stop: { count: 0, ms: 0 }, memtable: { count: 0, ms: 0 },
  };

  /** A flush wrote `bytes` into level 0. */
  flushed(bytes: number): void {
    add(this.writtenBytes, 0, bytes);
    add(this.jobs, 0, 1);
  }

  /** A merging compaction read `bytesRead[j]` from level `inputLevels[j]` and wrote `written` into `outputLevel`. */
  compacted(inputLevels: readonly number[], bytesRead: readonly number[], outputLevel: number, written: number): void {
    inputLevels.forEach((lvl, j) => {
      add(this.readBytes, lvl, bytesRead[j] ?? 0);
      if (lvl !== outputLevel) add(this.readFromAbove, outputLevel, bytesRead[j] ?? 0);
    });
    add(this.writtenBytes, outputLevel, written);
    add(this.jobs, outputLevel, 1);
  }

  /** A write waited `ms` for `cause`. */
  stalled(cause: StallCause, ms: number): void {
    this.stall[cause].count++;
    this.stall[cause].ms += ms;
  }

  /** Total stalls and their milliseconds, over every cause. */
  totals(): { stalls: number; stallMs: number } {
    let stalls = 0;
    let stallMs = 0;
    for (const s of Object.values(this.stall)) {
      stalls += s.count;
      stallMs += s.ms;
    }
    return { stalls, stallMs };
  }

  /** Writes every per-level and stall key into `x` for version `v`. */
  fill(x: Record<string, number>, v: Version, o: CompactionOptions): void {
    for (let i = 0; i < v.levels.length; i++) {
      const written = this.writtenBytes[i] ?? 0;
      const above = this.readFromAbove[i] ?? 0;
      x[`L${i}.files`] = v.levelFiles(i);
      x[`L${i}.bytes`] = v.levelBytes(i);
      x[`L${i}.score`] = levelScore(v, o, i);
      x[`L${i}.readBytes`] = this.readBytes[i] ?? 0;
      x[`L${i}.writtenBytes`] = written;
      // RocksDB's W-Amp: bytes written into the level / bytes read from the level above for it;
      // a flush's input is its own output (RocksDB prints 1.0 for L0)
      x[`L${i}.writeAmp`] = i === 0 ? (written > 0 ? 1 : 0) : above > 0 ? written / above : 0;
      x[`L${i}.compactions`] = this.jobs[i] ?? 0;
    }
    const t = this.totals();
    x.stalls = t.stalls;
    x.stallMs = t.stallMs;
    for (const [cause, s] of Object.entries(this.stall)) {
      x[`stall.${cause}.count`] = s.count;
      x[`stall.${cause}.ms`] = s.ms;
    }
  }
}

function add(a: number[], i: number, n: number): void {
  a[i] = (a[i] ?? 0) + n;
}
