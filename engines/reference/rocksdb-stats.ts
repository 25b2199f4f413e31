/**
 * Parsing of RocksDB's `rocksdb.stats` property into kvlab's stats: the per-level compaction
 * table becomes the `L{i}.*` extra keys (the same keys lsm produces, rendered side by side by
 * reports/levels.ts), and the Priority table's High/Low rows give flushes and compactions. The
 * raw text never reaches a result. Also RocksDB's version, read from the header the binding was
 * built from (the binding exposes no version call).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { EngineStats } from '../engine.js';

const UNIT: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const GB = 1024 ** 3;

/** `16K` / `2M` / `123` counts as printed in RocksDB's KeyIn column. */
function count(s: string): number {
  const m = /^([\d.]+)([KMG]?)$/.exec(s);
  return m ? Number(m[1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2]!] ?? 1) : 0;
}

/**
 * Adds the compaction table of `statsText` (the `rocksdb.stats` property) to `s`: per level
 * `L{i}.files`, `.bytes`, `.score`, `.readBytes`, `.writtenBytes` (RocksDB prints GB with one
 * decimal, so these are coarse below 0.1 GB), `.writeAmp`, `.compactions`; `flushes` from the
 * High-priority row's Comp(cnt), `compactions` from the Low-priority row's, compaction bytes
 * from the Sum row (read = Read(GB), written = Write(GB) minus the flushes' Flush(GB)).
 */
export function parseRocksStats(statsText: string, s: EngineStats): void {
  let flushGB = 0;
  for (const line of statsText.split('\n')) {
    const f = /^Flush\(GB\): cumulative ([\d.]+)/.exec(line);
    if (f) flushGB = Number(f[1]);
    const m = /^\s*(L\d+|Sum|High|Low)\s+(\d+)\/\d+\s+([\d.]+)\s+(B|KB|MB|GB|TB)\s+(.*)$/.exec(line);
    if (!m) continue;
    // Score Read Rn Rnp1 Write Wnew Moved W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU Comp(cnt) ...
    const c = m[5]!.trim().split(/\s+/);
    if (c.length < 13) continue;
    const [score, read, , , write, , , wamp] = c.slice(0, 8).map(Number) as number[];
    const cnt = count(c[12]!);
    if (m[1] === 'High') s.flushes = cnt;
    else if (m[1] === 'Low') s.compactions = cnt;
    else if (m[1] === 'Sum') {
      s.compactionBytesRead = Math.round(read! * GB);
      s.compactionBytesWritten = Math.max(0, Math.round((write! - flushGB) * GB));
    } else {
      const i = m[1]!.slice(1);
      s.extra[`L${i}.files`] = Number(m[2]);
      s.extra[`L${i}.bytes`] = Math.round(Number(m[3]) * UNIT[m[4]!]!);
      s.extra[`L${i}.score`] = score!;
      s.extra[`L${i}.readBytes`] = Math.round(read! * GB);
      s.extra[`L${i}.writtenBytes`] = Math.round(write! * GB);
      s.extra[`L${i}.writeAmp`] = wamp!;
      s.extra[`L${i}.compactions`] = cnt;
    }
  }
}

let cachedVersion: string | undefined;

/**
 * RocksDB's version (`x.y.z`) from `deps/rocksdb/rocksdb/include/rocksdb/version.h` shipped in
 * the @nxtedition/rocksdb package (the source its prebuilt binary is built from), or `unknown`.
 */
export function rocksdbLibraryVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = 'unknown';
  try {
    const req = createRequire(import.meta.url);
    const h = fs.readFileSync(path.join(path.dirname(req.resolve('@nxtedition/rocksdb')), 'deps/rocksdb/rocksdb/include/rocksdb/version.h'), 'utf8');
    const parts = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`#define ROCKSDB_${k} (\\d+)`).exec(h)?.[1]);
    if (parts.every((p) => p !== undefined)) cachedVersion = parts.join('.');
  } catch {
    /* header not shipped: version stays unknown (and says so) */
  }
  return cachedVersion;
}
