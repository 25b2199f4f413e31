/**
 * Two tables of the RUM section: the memory each run had and how often it went to storage
 * (memory cgroup limit and peak, page cache, major faults and bytes read from the device per
 * operation: the page-cache misses), and an LSM engine's per-level figures, like RocksDB's
 * `rocksdb.stats` (files, bytes, score, compaction bytes read and written, write amplification,
 * stalls), from any engine whose statistics carry `L<i>.<name>` keys.
 */
import type { PhaseResult } from '../harness/results.js';
import type { CellContent } from './html-table.js';
import { formatBytes, formatNumber, type ReportModel } from './model.js';
import type { TableData } from './tables.js';

const phaseOf = (c: { run: PhaseResult | null; load: PhaseResult | null }): PhaseResult | null => c.run ?? c.load;

/** Memory and storage reads per cell (run phase, else load; trial 0). */
export function memoryTable(model: ReportModel): TableData {
  const rows: CellContent[][] = [];
  for (const c of model.cells) {
    const ph = phaseOf(c);
    if (!ph) continue;
    const t = ph.trials[0]!;
    const cg = t.memory.cgroup;
    const ops = Math.max(1, t.operations);
    rows.push([
      c.workload, c.series, ph.phase,
      c.memoryLimited ? `${formatBytes(c.memoryBytes)} (cgroup)` : `none (RAM ${formatBytes(c.memoryBytes)})`,
      `${formatBytes(c.datasetBytes)} = ${formatNumber(c.ratioToMemory)}×`,
      cg ? formatBytes(cg.peakBytes) : null,
      cg ? `${formatBytes(cg.cacheBytes)} cache + ${formatBytes(cg.anonBytes)} anon` : `${formatBytes(t.memory.rssAfter)} RSS`,
      t.faults ? formatNumber(t.faults.major / ops) : null,
      t.io.delta ? formatBytes(t.io.delta.read_bytes / ops) : null,
    ]);
  }
  return {
    caption: 'Memory and storage reads (trial 0): a read served from the page cache reads 0 bytes from the device; major faults are mapped pages read from storage',
    head: ['workload', 'engine [durability]', 'phase', 'memory limit', 'data : memory', 'cgroup peak', 'after the phase', 'major faults / op', 'device bytes read / op'],
    rows, numericFrom: 3,
  };
}

const LEVEL_KEY = /^L(\d+)\.(.+)$/;
/** Per-level columns, in this order when present (engines/lsm/README.md defines them). */
const LEVEL_COLUMNS: Array<[string, string, (v: number) => string]> = [
  ['files', 'files', formatNumber], ['bytes', 'size', formatBytes], ['score', 'score', formatNumber],
  ['readBytes', 'compaction read', formatBytes], ['writtenBytes', 'written into', formatBytes],
  ['writeAmp', 'W-Amp', formatNumber], ['compactions', 'compactions', formatNumber],
];

/** Per-level table for each cell whose engine reports levels (run phase, else load; trial 0, after the phase). */
export function levelsTable(model: ReportModel): TableData {
  const rows: CellContent[][] = [];
  for (const c of model.cells) {
    const ph = phaseOf(c);
    if (!ph) continue;
    const x = ph.trials[0]!.engineStats.after.extra;
    const levels = new Map<number, Record<string, number>>();
    for (const [k, v] of Object.entries(x)) {
      const m = LEVEL_KEY.exec(k);
      if (!m) continue;
      const l = Number(m[1]);
      levels.set(l, { ...(levels.get(l) ?? {}), [m[2]!]: v });
    }
    if (levels.size === 0) continue;
    const stall = (k: string) => (x[k] === undefined ? null : x[k]!);
    const stalls = [['slowdown', 'stall.slowdown'], ['stop', 'stall.stop'], ['memtable', 'stall.memtable']]
      .map(([n, k]) => (stall(`${k}.count`) === null ? null : `${n} ${formatNumber(stall(`${k}.count`)!)} (${formatNumber(stall(`${k}.ms`) ?? 0)} ms)`))
      .filter((s): s is string => s !== null);
    const stallText = stalls.length ? stalls.join(', ') : x.stalls !== undefined ? `${formatNumber(x.stalls)} (${formatNumber(x.stallMs ?? 0)} ms)` : 'n/a';
    for (const l of [...levels.keys()].sort((a, b) => a - b)) {
      const v = levels.get(l)!;
      if ((v.files ?? 0) === 0 && (v.writtenBytes ?? 0) === 0 && (v.readBytes ?? 0) === 0) continue;
      rows.push([c.workload, c.series, ph.phase, `L${l}`, ...LEVEL_COLUMNS.map(([k, , f]) => (v[k] === undefined ? null : f(v[k]!))), l === 0 ? stallText : null]);
    }
  }
  return {
    caption: 'LSM levels after the phase (trial 0), as RocksDB’s rocksdb.stats: W-Amp = bytes written into the level / bytes read from the level above; write stalls by cause (count, time)',
    head: ['workload', 'engine [durability]', 'phase', 'level', ...LEVEL_COLUMNS.map(([, h]) => h), 'write stalls'],
    rows, numericFrom: 4,
  };
}
