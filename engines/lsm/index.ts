/**
 * Registry entry for `lsm`, the LSM-tree engine (LevelDB design). Every research knob is an
 * engine option (`lsm:compaction=tiered,bloomBits=0`, or `-p` in the CLI); settings appear in
 * `info.settings` so a result says exactly what ran.
 */
import type { Engine, EngineDescriptor, OpenOptions, OptionSpec, ResolvedOpenOptions } from '../engine.js';
import { openDescriptor } from '../open.js';
import { LSM_CAPABILITIES, LSM_LIMITS, LSM_VERSION, LsmCore } from './engine.js';

const KiB = 1024;
const MiB = 1024 * 1024;

/** The lsm engine's options (names, types, defaults, ranges, docs). */
export const LSM_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  memtableSize: { type: 'int', default: 4 * MiB, min: 1 * KiB, max: 1024 * MiB, doc: 'memtable bytes before it is frozen and flushed to level 0' },
  sizeRatio: { type: 'int', default: 10, min: 2, max: 1000, doc: 'leveled: size ratio between adjacent levels; tiered: runs per level that trigger a merge' },
  l0Trigger: { type: 'int', default: 4, min: 1, max: 1000, doc: 'level-0 runs (flushed memtables) that trigger a level-0 compaction' },
  bloomBits: { type: 'int', default: 10, min: 0, max: 30, doc: 'bloom filter bits per key (0 disables the filters)' },
  blockSize: { type: 'int', default: 4 * KiB, min: 256, max: 16 * MiB, doc: 'target sstable data block size in bytes (before the trailer)' },
  compaction: { type: 'enum', default: 'leveled', values: ['leveled', 'tiered'], doc: 'compaction style: leveled (LevelDB) or tiered (universal / size-tiered)' },
  cacheSize: { type: 'int', default: 8 * MiB, min: 0, max: 64 * 1024 * MiB, doc: 'block cache bytes (0 disables)' },
  targetFileSize: { type: 'int', default: 2 * MiB, min: 1 * KiB, max: 1024 * MiB, doc: 'compaction output sstables are cut at this size' },
  background: { type: 'bool', default: true, doc: 'run flushes and compactions in worker threads (real file system only; false: inline, inside the write that needs them)' },
  l0SlowdownTrigger: { type: 'int', default: 8, min: 1, max: 1000, doc: 'level-0 runs at which each write is delayed 1 ms once (while a compaction runs)' },
  l0StopTrigger: { type: 'int', default: 12, min: 1, max: 1000, doc: 'level-0 runs at which a write needing a new memtable waits for level 0 to shrink (while a compaction runs)' },
};

function openCore(opts: ResolvedOpenOptions): LsmCore {
  const o = opts.options;
  return new LsmCore(opts, {
    memtableSize: Number(o.memtableSize),
    sizeRatio: Number(o.sizeRatio),
    l0Trigger: Number(o.l0Trigger),
    bloomBits: Number(o.bloomBits),
    blockSize: Number(o.blockSize),
    style: o.compaction === 'tiered' ? 'tiered' : 'leveled',
    cacheSize: Number(o.cacheSize),
    targetFileSize: Number(o.targetFileSize),
    background: o.background === true,
    l0SlowdownTrigger: Number(o.l0SlowdownTrigger),
    l0StopTrigger: Number(o.l0StopTrigger),
  });
}

/** The `lsm` engine descriptor. */
export const lsmDescriptor: EngineDescriptor = {
  name: 'lsm',
  design: 'LSM tree (LevelDB design): WAL, skiplist memtable, sstables with bloom filters, leveled or tiered compaction',
  role: 'engine',
  fsSeam: 'all',
  version: LSM_VERSION,
  kind: 'sync',
  capabilities: LSM_CAPABILITIES,
  limits: LSM_LIMITS,
  options: LSM_OPTIONS,
  /** WALs, sstables, the manifest and its temp file (FORMAT.md). */
  files: [/^\d{6,}\.(log|sst)$/, /^MANIFEST(\.tmp)?$/],
  conformanceVariants: [
    'lsm:memtableSize=2048,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=2',
    'lsm:memtableSize=2048,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=2,compaction=tiered,bloomBits=0',
    // inline jobs: the same job code on the main thread, as under CrashFs/FaultFs
    'lsm:memtableSize=2048,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=2,background=false',
    // background jobs under pressure: the stall rules at small level-0 counts
    'lsm:memtableSize=1024,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=2,l0SlowdownTrigger=3,l0StopTrigger=4',
  ],
  openCore,
};

/**
 * Opens lsm through the one open path (engines/open.ts) with typed options (tests, tools): the
 * same validation, defaults and shell as the spec `lsm:k=v,...`.
 */
export function openLsm(base: Omit<OpenOptions, 'options'>, options: Readonly<Record<string, string | number>> = {}): Engine {
  const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`);
  return openDescriptor(lsmDescriptor, opts.length ? `lsm:${opts.join(',')}` : 'lsm', base) as Engine;
}

export { LsmCore } from './engine.js';
