/**
 * hashlog figures (issue 2, section 5), each next to its physical limit measured in the same run:
 * - get ops/s (1 KiB values in the page cache, random keys) vs a bare pread loop of the same
 *   record sizes at the same offsets;
 * - put ops/s (durability none, 1 KiB values) vs a bare 1 KiB append (writeSync) loop;
 * - keydir bytes per key beyond the key bytes at 1,000,000 keys of 23 bytes, by the engine's own
 *   accounting (allocated typed arrays + arena) and by process.memoryUsage() deltas after gc;
 * - durability group, one writer: writes/s vs the raw append+fdatasync rate.
 * Each measurement is repeated 3 times; the median is reported. Writes bench/results/hashlog.json.
 * Run: npx tsc -p . ; node dist/bench/hashlog.js
 */
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../engines/engine.js';
import { openHashlog } from '../engines/hashlog/index.js';
import { median } from '../harness/stats.js';
import { environmentManifest } from '../harness/environment.js';

const VALUE = 1024;
const KEYS = 200_000; // 200 MiB of values: stays in the page cache
const GETS = 1_000_000;
const PUTS = 500_000;
const MEM_KEYS = 1_000_000;
const GROUP_SECONDS = 2;
const REPEATS = 3;

const MEMORY_CHILD = '--memory-child';

const key23 = (i: number) => Buffer.from(`user${String(i).padStart(19, '0')}`); // 23 bytes
const tmp = () => nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-bench-hashlog-'));
const rm = (d: string) => nodefs.rmSync(d, { recursive: true, force: true });
const rate = (n: number, t0: number) => n / ((performance.now() - t0) / 1000);

/** Random permutation-ish order of key indices (xorshift, seeded). */
function order(n: number, count: number, seed: number): Uint32Array {
  const o = new Uint32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    o[i] = (x >>> 0) % n;
  }
  return o;
}

function open(dir: string, durability: 'none' | 'group' | 'always', verifyReads = true): Engine {
  return openHashlog({ dir, durability }, verifyReads ? {} : { verifyReads: false });
}

const BLOCK = 50_000;

/**
 * get ops/s vs bare pread of the same record sizes at the same file offsets. The two loops run
 * in alternating blocks of BLOCK ops, so load changes on this shared machine hit both alike.
 */
function reads(run: number, verify: boolean): { get: number; pread: number } {
  const dir = tmp();
  try {
    const e = open(dir, 'none', verify);
    const value = Buffer.alloc(VALUE, 0x61);
    const keys = Array.from({ length: KEYS }, (_, i) => key23(i));
    for (const k of keys) e.put(k, value);
    e.sync();
    const seq = order(KEYS, GETS, 12345 + run);
    // Bare loop: the same files, the same record size, one pread per op into a reused buffer.
    const files = nodefs.readdirSync(dir).filter((f) => f.endsWith('.data')).sort().map((f) => path.join(dir, f));
    const fds = files.map((f) => nodefs.openSync(f, 'r'));
    const rec = 20 + 23 + VALUE;
    const perFile = Math.floor((64 * 1024 * 1024 - 36) / rec); // records per full 64 MiB segment
    const buf = Buffer.allocUnsafe(rec);
    for (let i = 0; i < 100_000; i++) e.get(keys[seq[i]!]!); // warm
    let tGet = 0;
    let tPread = 0;
    let sink = 0;
    for (let start = 0; start < GETS; start += BLOCK) {
      const end = Math.min(GETS, start + BLOCK);
      let t0 = performance.now();
      for (let i = start; i < end; i++) sink += e.get(keys[seq[i]!]!)!.length;
      tGet += performance.now() - t0;
      t0 = performance.now();
      for (let i = start; i < end; i++) {
        const k = seq[i]!;
        sink += nodefs.readSync(fds[Math.floor(k / perFile)]!, buf, 0, rec, 36 + (k % perFile) * rec);
      }
      tPread += performance.now() - t0;
    }
    if (sink !== GETS * (VALUE + rec)) throw new Error('bare loop read short: wrong offsets');
    for (const fd of fds) nodefs.closeSync(fd);
    e.close();
    return { get: GETS / (tGet / 1000), pread: GETS / (tPread / 1000) };
  } finally {
    rm(dir);
  }
}

/** put ops/s (none) vs a bare loop appending the same record size with writeSync, alternating blocks. */
function writes(): { put: number; append: number } {
  const dir = tmp();
  try {
    const keys = Array.from({ length: PUTS }, (_, i) => key23(i));
    const value = Buffer.alloc(VALUE, 0x62);
    const e = open(dir, 'none');
    const fd = nodefs.openSync(path.join(dir, 'bare'), 'w');
    const rec = Buffer.alloc(20 + 23 + VALUE, 0x63);
    let tPut = 0;
    let tAppend = 0;
    for (let start = 0; start < PUTS; start += BLOCK) {
      const end = Math.min(PUTS, start + BLOCK);
      let t0 = performance.now();
      for (let i = start; i < end; i++) e.put(keys[i]!, value);
      tPut += performance.now() - t0;
      t0 = performance.now();
      for (let i = start; i < end; i++) nodefs.writeSync(fd, rec, 0, rec.length, null);
      tAppend += performance.now() - t0;
    }
    e.close();
    nodefs.closeSync(fd);
    return { put: PUTS / (tPut / 1000), append: PUTS / (tAppend / 1000) };
  } finally {
    rm(dir);
  }
}

/**
 * Keydir bytes per key beyond the key bytes, 1,000,000 keys of 23 bytes (8-byte values).
 * Run in a fresh child process (node --expose-gc) so no garbage of other phases is counted:
 * `measured` = growth of heapUsed + arrayBuffers after full gcs, minus the key bytes, per key
 * (includes the engine's 64 KiB write buffer and small objects); `accounted` = the engine's own
 * stats().indexMemoryBytes (typed arrays + arena as allocated) minus the key bytes, per key.
 */
function memory(): { accounted: number; measured: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), MEMORY_CHILD], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { accounted: number; measured: number };
}

function memoryChild(): void {
  const gcFull = (globalThis as { gc?: () => void }).gc!;
  const settle = () => {
    for (let i = 0; i < 4; i++) gcFull();
  };
  const dir = tmp();
  try {
    const value = Buffer.alloc(8);
    settle();
    const before = process.memoryUsage();
    const e = open(dir, 'none');
    for (let i = 0; i < MEM_KEYS; i++) e.put(key23(i), value);
    settle();
    const after = process.memoryUsage();
    const s = e.stats();
    e.close();
    const keyBytes = 23 * MEM_KEYS;
    const grown = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
    process.stdout.write(JSON.stringify({ accounted: (s.indexMemoryBytes - keyBytes) / MEM_KEYS, measured: (grown - keyBytes) / MEM_KEYS }));
  } finally {
    rm(dir);
  }
}

/** group durability, one writer: writes/s vs bare append+fdatasync per write. */
function group(): { groupWrites: number; groupSyncs: number; fdatasync: number } {
  const dir = tmp();
  try {
    const value = Buffer.alloc(VALUE, 0x64);
    const e = open(dir, 'group');
    let n = 0;
    const t0 = performance.now();
    const end = t0 + GROUP_SECONDS * 1000;
    while (performance.now() < end) for (let j = 0; j < 64; j++) e.put(key23(n++), value);
    const groupWrites = rate(n, t0);
    const groupSyncs = e.stats().syncs;
    e.close();
    const fd = nodefs.openSync(path.join(dir, 'bare'), 'w');
    const rec = Buffer.alloc(20 + 23 + VALUE, 0x65);
    let m = 0;
    const t1 = performance.now();
    const end1 = t1 + GROUP_SECONDS * 1000;
    while (performance.now() < end1) {
      nodefs.writeSync(fd, rec, 0, rec.length, null);
      nodefs.fdatasyncSync(fd);
      m++;
    }
    const fdatasync = rate(m, t1);
    nodefs.closeSync(fd);
    return { groupWrites, groupSyncs, fdatasync };
  } finally {
    rm(dir);
  }
}

if (process.argv[2] === MEMORY_CHILD) memoryChild();
else main();

function main(): void {
  const loadBefore = os.loadavg();
const runs = { get: [] as number[], pread: [] as number[], getNoVerify: [] as number[], preadNoVerify: [] as number[],
  put: [] as number[], append: [] as number[], memAccounted: [] as number[], memMeasured: [] as number[],
  group: [] as number[], groupSyncs: [] as number[], fdatasync: [] as number[] };
for (let r = 0; r < REPEATS; r++) {
  const rd = reads(r, true);
  runs.get.push(rd.get);
  runs.pread.push(rd.pread);
  const rn = reads(r, false);
  runs.getNoVerify.push(rn.get);
  runs.preadNoVerify.push(rn.pread);
  const w = writes();
  runs.put.push(w.put);
  runs.append.push(w.append);
  const m = memory();
  runs.memAccounted.push(m.accounted);
  runs.memMeasured.push(m.measured);
  const g = group();
  runs.group.push(g.groupWrites);
  runs.groupSyncs.push(g.groupSyncs);
  runs.fdatasync.push(g.fdatasync);
  console.error(`run ${r + 1}/${REPEATS} done`);
}
const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
const result = {
  bench: 'hashlog',
  date: new Date().toISOString(),
  environment: environmentManifest(os.tmpdir(), 0),
  repeats: REPEATS,
  loadavg1m: { before: loadBefore[0], after: os.loadavg()[0] },
  note: 'medians of repeats; ratios are per-run ratios (engine vs bare loop measured back to back in the same run), then median',
  settings: { valueBytes: VALUE, keyBytes: 23, readKeys: KEYS, gets: GETS, puts: PUTS, memKeys: MEM_KEYS, groupSeconds: GROUP_SECONDS, groupCommitMs: 2 },
  get: { opsPerSec: median(runs.get), barePreadPerSec: median(runs.pread), ratio: ratio(runs.get, runs.pread), target: '>= 1,000,000 ops/s and ratio >= 0.6', verifyReads: true },
  getNoVerify: { opsPerSec: median(runs.getNoVerify), barePreadPerSec: median(runs.preadNoVerify), ratio: ratio(runs.getNoVerify, runs.preadNoVerify), verifyReads: false },
  put: { opsPerSec: median(runs.put), bareAppendPerSec: median(runs.append), ratio: ratio(runs.put, runs.append), durability: 'none', target: '>= 500,000 ops/s and ratio >= 0.6' },
  keydir: {
    keys: MEM_KEYS, keyBytes: 23,
    bytesPerKeyBeyondKeysAccounted: median(runs.memAccounted),
    bytesPerKeyBeyondKeysMeasured: median(runs.memMeasured),
    how: 'accounted = (stats.indexMemoryBytes - key bytes) / keys (typed arrays + arena as allocated); measured = (heapUsed + arrayBuffers growth after full gcs in a fresh child process - key bytes) / keys, includes the 64 KiB write buffer',
    target: '<= 80',
  },
  group: { writesPerSec: median(runs.group), fdatasyncsIssuedIn2s: median(runs.groupSyncs), rawFdatasyncPerSec: median(runs.fdatasync), ratio: ratio(runs.group, runs.fdatasync), writers: 1 },
  runs,
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`get (verifyReads)     ${fmt(result.get.opsPerSec)} ops/s   bare pread ${fmt(result.get.barePreadPerSec)}/s   ratio ${result.get.ratio.toFixed(2)}`);
console.log(`get (no verify)       ${fmt(result.getNoVerify.opsPerSec)} ops/s   bare pread ${fmt(result.getNoVerify.barePreadPerSec)}/s   ratio ${result.getNoVerify.ratio.toFixed(2)}`);
console.log(`put (none)            ${fmt(result.put.opsPerSec)} ops/s   bare append ${fmt(result.put.bareAppendPerSec)}/s   ratio ${result.put.ratio.toFixed(2)}`);
console.log(`keydir bytes/key beyond 23-byte keys: accounted ${result.keydir.bytesPerKeyBeyondKeysAccounted.toFixed(1)}, measured ${result.keydir.bytesPerKeyBeyondKeysMeasured.toFixed(1)}`);
console.log(`group, 1 writer       ${fmt(result.group.writesPerSec)} writes/s   raw fdatasync ${fmt(result.group.rawFdatasyncPerSec)}/s   ratio ${result.group.ratio.toFixed(1)}`);
const outFile = path.join(process.cwd(), 'bench', 'results', 'hashlog.json');
nodefs.mkdirSync(path.dirname(outFile), { recursive: true });
nodefs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${outFile}`);
}
