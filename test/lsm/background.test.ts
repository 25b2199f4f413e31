/**
 * Background flushes and compactions (engines/lsm/background.ts, job.ts): reads while jobs run,
 * SIGKILL while a job runs, a job failing in the worker, the write-stall rules and their
 * counters, and the worker's I/O in the device counters. These open stores on the real NodeFs,
 * so jobs run in worker threads (the worker script is dist/engines/lsm/worker.js).
 */
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { NodeFs } from '../../engines/fs.js';
import { readManifest } from '../../engines/lsm/manifest.js';
import { openLsm } from '../../engines/lsm/index.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { DIST_REGISTRY, dumpRows, expectedAfter } from './ack-kill.js';
import { k } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, '..', '..', 'dist', 'engines', 'lsm', 'worker.js');
/** Small tables, so many jobs overlap a short history. */
const SMALL = { memtableSize: 16 * 1024, targetFileSize: 16 * 1024, blockSize: 1024, l0Trigger: 2, sizeRatio: 3 };
const key = (i: number) => k(`key${String(i).padStart(6, '0')}`);
const val = (i: number, n = 100) => Buffer.alloc(n, i & 255);

function sumStalls(x: Record<string, number>): number {
  return x['stall.slowdown.count']! + x['stall.stop.count']! + x['stall.memtable.count']!;
}

describe('lsm background jobs', () => {
  it('has the compiled worker and engine (npm test builds them first)', () => {
    expect(nodefs.existsSync(WORKER)).toBe(true);
    expect(nodefs.existsSync(DIST_REGISTRY)).toBe(true);
  });

  it('runs jobs in a worker on NodeFs and inline with background=false', () => {
    const a = openLsm({ dir: tmpDir() }, SMALL);
    const b = openLsm({ dir: tmpDir() }, { ...SMALL, background: 'false' });
    expect(a.stats().extra.background).toBe(1);
    expect(b.stats().extra.background).toBe(0);
    a.close();
    b.close();
  });

  it('reads during running compactions and flushes see every key written so far', () => {
    const e = openLsm({ dir: tmpDir() }, SMALL);
    let checksWhileCompacting = 0;
    let checksWhileFlushing = 0;
    const N = 6000;
    for (let i = 0; i < N; i++) {
      e.put(key(i), val(i));
      if (i % 7 === 6) e.delete(key(i - 3));
      if (i % 250 !== 249) continue;
      const x = e.stats().extra;
      if (x.compactionRunning !== 1 && x.flushRunning !== 1) continue;
      if (x.compactionRunning === 1) checksWhileCompacting++;
      if (x.flushRunning === 1) checksWhileFlushing++;
      // each get may install a finished job in the middle of this check
      for (let j = 0; j <= i; j++) {
        const got = e.get(key(j));
        if (j % 7 === 3 && j + 3 <= i) expect(got, `key ${j} (deleted) at ${i}`).toBeUndefined();
        else expect(got && Buffer.from(got).equals(val(j)), `key ${j} at ${i}`).toBe(true);
      }
      expect(e.scan(key(0), 1e9).length).toBe(i + 1 - Math.floor((i + 1) / 7));
    }
    expect(checksWhileCompacting, 'no check ran while a compaction job was running').toBeGreaterThan(0);
    expect(checksWhileFlushing + checksWhileCompacting).toBeGreaterThan(1);
    e.compact();
    expect(e.stats().compactions).toBeGreaterThan(0);
    e.close();
  });

  it('a SIGKILL while a flush runs and a compaction was installed during it loses nothing acknowledged', () => {
    const spec = 'lsm:memtableSize=4096,targetFileSize=4096,blockSize=512,l0Trigger=2,sizeRatio=2';
    let hits = 0;
    // the interleaving is timing-dependent (worker threads vs the writing thread): up to 12
    // attempts, stopping at the first that caught it; every attempt checks that nothing was lost
    for (let attempt = 0; attempt < 12 && hits === 0; attempt++) {
      const dir = tmpDir();
      const env = { ...process.env };
      delete env.KVLAB_KILL_POINT;
      const r = spawnSync(process.execPath, [path.join(here, 'bg-kill-child.mjs'), spec, dir, '30000'], { env, encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.signal).toBe('SIGKILL');
      const m = /ACKED (\d+) (\d+) (\d+) (HIT|MISS)/.exec(r.stdout)!;
      expect(m, r.stdout).not.toBeNull();
      const n = Number(m[1]);
      if (m[4] === 'HIT') hits++;
      const e = openSyncEngine(spec, { dir });
      try {
        expect(dumpRows(e.scan(Buffer.from([0]), 1e9))).toEqual(dumpRows(expectedAfter(n).entries()));
        expect(e.lastSequence()).toBe(Number(m[2]));
      } finally {
        e.close();
      }
    }
    expect(hits, 'the child never caught a flush running with a compaction installed during it').toBeGreaterThan(0);
  });

  it('a job failing in the worker fails the engine: the write that sees it throws, later calls throw FAILED, acknowledged writes survive', () => {
    const dir = tmpDir();
    let e: Engine = openLsm({ dir }, SMALL);
    e.put(key(0), val(0));
    // every table number the next jobs can take is a directory: the worker's open() fails (EISDIR)
    const used = nodefs.readdirSync(dir).map((n) => Number(/^(\d+)\./.exec(n)?.[1] ?? 0));
    const from = Math.max(...used) + 1;
    for (let n = from; n < from + 400; n++) nodefs.mkdirSync(path.join(dir, `${String(n).padStart(6, '0')}.sst`));
    // write until the memtable is frozen (its flush job starts: a new WAL appears), let the
    // worker fail, then the very next write must notice (the completion flag is checked on
    // every call, not only when the memtable is full again)
    const logs = () => nodefs.readdirSync(dir).filter((n) => n.endsWith('.log')).length;
    const logsBefore = logs();
    let acked = 1;
    while (logs() === logsBefore) {
      e.put(key(acked), val(acked));
      acked++;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    let err: unknown;
    try {
      e.put(key(acked), val(acked));
      acked++;
    } catch (x) {
      err = x;
    }
    expect(err, 'no write noticed the failed background job').toBeDefined();
    expect((err as { code?: string }).code).toBe('IO');
    expect(String((err as Error).message)).toMatch(/background job/);
    expect(() => e.put(key(9999), val(1))).toThrow(expect.objectContaining({ code: 'FAILED' }));
    expect(() => e.get(key(0))).toThrow(expect.objectContaining({ code: 'FAILED' }));
    e.close();
    for (let n = from; n < from + 400; n++) nodefs.rmdirSync(path.join(dir, `${String(n).padStart(6, '0')}.sst`));
    e = openLsm({ dir }, SMALL);
    for (let i = 0; i < acked; i++) expect(e.get(key(i)), `key ${i}`).toEqual(val(i));
    e.close();
  });

  it('the stop trigger blocks writes until level 0 shrinks; the stall counters count every cause', () => {
    const o = { ...SMALL, memtableSize: 4096, l0Trigger: 2, l0SlowdownTrigger: 2, l0StopTrigger: 3 };
    const e = openLsm({ dir: tmpDir() }, o);
    let maxL0 = 0;
    for (let i = 0; i < 8000; i++) {
      e.put(key(i % 3000), val(i));
      if (i % 16 === 0) maxL0 = Math.max(maxL0, e.stats().extra['L0.files']!);
    }
    const x = e.stats().extra;
    // a write needing a new memtable waits while level 0 has l0StopTrigger runs; the flush it
    // then starts adds one: level 0 never holds more than l0StopTrigger runs
    expect(maxL0).toBeLessThanOrEqual(o.l0StopTrigger);
    expect(x['stall.stop.count'], 'no write ever waited at the stop trigger').toBeGreaterThan(0);
    expect(x['stall.stop.ms']).toBeGreaterThan(0);
    expect(x['stall.slowdown.count']).toBeGreaterThan(0);
    // each slowdown sleeps ~1 ms (Atomics.wait can wake a hair early)
    expect(x['stall.slowdown.ms']).toBeGreaterThan(x['stall.slowdown.count']! * 0.5);
    expect(x.stalls).toBe(sumStalls(x));
    expect(x.stallMs).toBeCloseTo(x['stall.slowdown.ms']! + x['stall.stop.ms']! + x['stall.memtable.ms']!, 6);
    e.close();
  });

  it('a full memtable waits for the previous flush (memtable stall), counted', () => {
    // big values, tiny memtable: flushes cannot keep up with a loop of puts
    const e = openLsm({ dir: tmpDir() }, { memtableSize: 1024, targetFileSize: 1 << 20, l0Trigger: 100, l0SlowdownTrigger: 1000, l0StopTrigger: 1000 });
    for (let i = 0; i < 600; i++) e.put(key(i), val(i, 900));
    const x = e.stats().extra;
    expect(x['stall.memtable.count']).toBeGreaterThan(0);
    expect(x['stall.slowdown.count']).toBe(0);
    expect(x['stall.stop.count']).toBe(0);
    expect(x.stalls).toBe(sumStalls(x));
    e.close();
  });

  it('per-level stats: files, bytes, score, bytes read and written, write amplification, compactions; worker I/O is in the device counters', () => {
    const e = openLsm({ dir: tmpDir() }, SMALL);
    for (let i = 0; i < 8000; i++) e.put(key((i * 7919) % 4000), val(i));
    e.compact();
    const s = e.stats();
    const x = s.extra;
    let written = 0;
    let read = 0;
    for (let i = 0; i < x.levels!; i++) {
      for (const f of ['files', 'bytes', 'score', 'readBytes', 'writtenBytes', 'writeAmp', 'compactions']) expect(x[`L${i}.${f}`], `L${i}.${f}`).toBeTypeOf('number');
      written += x[`L${i}.writtenBytes`]!;
      read += x[`L${i}.readBytes`]!;
      if (i > 0 && x[`L${i}.compactions`]! > 0) expect(x[`L${i}.writeAmp`]).toBeGreaterThan(0);
    }
    expect(x['L0.writtenBytes']).toBe(x.flushBytesWritten);
    expect(x['L0.compactions']).toBe(s.flushes);
    expect(written).toBe(x.flushBytesWritten! + s.compactionBytesWritten);
    expect(read).toBe(s.compactionBytesRead);
    expect(x['L0.score']).toBeLessThan(1);
    // the tables were written by the worker through its own NodeFs: still counted as device bytes
    expect(s.deviceBytesWritten).toBeGreaterThanOrEqual(written + x.walBytes!);
    expect(s.deviceBytesRead).toBeGreaterThanOrEqual(s.compactionBytesRead);
    e.close();
  });

  it('close() waits for running jobs and stops the workers; the store reopens with everything', () => {
    // a job in flight at close is likely, not certain: three tries
    for (let attempt = 0; attempt < 3; attempt++) {
      const dir = tmpDir();
      let e = openLsm({ dir }, SMALL);
      let n = 0;
      // close with a compaction job in flight (no call in between: it would install a finished job)
      while (n < 20_000 || (e.stats().extra.compactionRunning !== 1 && n < 100_000)) e.put(key(n), val(n++));
      e.close();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      // no job writes after close: the directory holds exactly the tables the MANIFEST names
      const named = readManifest(new NodeFs(), dir)!.levels.flat(2).map((f) => `${String(f.number).padStart(6, '0')}.sst`).sort();
      expect(nodefs.readdirSync(dir).filter((f) => f.endsWith('.sst')).sort()).toEqual(named);
      e = openLsm({ dir }, SMALL);
      for (let i = 0; i < n; i += 7) expect(e.get(key(i))).toEqual(val(i));
      e.close();
    }
  });
});
