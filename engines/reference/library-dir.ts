/**
 * A library's own store directory, seen through the engine's Fs (LevelDB's and RocksDB's
 * layouts share these): fdatasync of every write-ahead log, and the directory's size.
 */
import * as path from 'node:path';
import type { EngineStats } from '../engine.js';
import { KvError } from '../errors.js';
import type { Fs } from '../fs.js';

/** fdatasyncs every `NNNNNN.log` in `dir` (a log flushed and deleted meanwhile is skipped); IO on failure. */
export function syncLogFiles(fs: Fs, dir: string): void {
  for (const name of fs.list(dir)) {
    if (!/^\d+\.log$/.test(name)) continue;
    let fd: number;
    try {
      fd = fs.open(path.join(dir, name), 'rw');
    } catch (e) {
      if (e instanceof KvError && e.code === 'NOT_FOUND') continue; // flushed to a synced table and deleted meanwhile
      throw e;
    }
    try {
      fs.fdatasync(fd);
    } finally {
      fs.close(fd);
    }
  }
}

/** Adds the directory's file count and bytes to `s` (files a compaction removes meanwhile are skipped). */
export function addDirSize(fs: Fs, dir: string, s: EngineStats): void {
  for (const name of fs.list(dir)) {
    try {
      s.diskBytes += fs.fileSize(path.join(dir, name));
      s.files++;
    } catch {
      /* removed by a compaction meanwhile */
    }
  }
}
