/**
 * Durability conformance: one meaning per mode, proved for every engine by what a process
 * can observe from outside.
 * - SIGKILL under each of none, group and always: a child runs puts, deletes and batches and is
 *   killed mid-run; after reopen every acknowledged write is there (a SIGKILL keeps the page
 *   cache, so under every mode an acknowledged write must already be in the OS). Under `group`
 *   the child's own durableSequence() must also cover every write acknowledged groupCommitMs
 *   before the start of a later call (the clock is checked on every call).
 * - Syncs counted by strace (fsync, fdatasync, msync, sync_file_range, in every thread), a
 *   counter no engine can bypass: under `always` each of N puts adds a sync; under `none`,
 *   sync() adds at least one. An engine whose sync path issues no sync call fails here.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Durability } from '../../engines/engine.js';
import { memDir } from '../support/tmp.js';
import { openTarget, outlivesClose, type ConformanceTarget } from './target.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, '..', 'support', 'conformance-child.mjs');
const DIST = path.join(here, '..', '..', 'dist', 'torture', 'engine-ref.js');
const GROUP_MS = 5;
/** A child that prints no acknowledgement for this long is stalled (see runAndKillOnce). */
const STALL_MS = 25_000;

/** The op schedule the child runs (conformance-child.mjs opOf: keep the two identical). */
type Op = { t: 'put'; key: string } | { t: 'del'; key: string } | { t: 'batch'; ops: Array<{ type: 'put' | 'del'; key: string }> };
export function opOf(i: number): Op {
  if (i % 10 === 3) return { t: 'del', key: `k${i - 3}` };
  if (i % 10 === 7) return { t: 'batch', ops: [{ type: 'put', key: `b${i}a` }, { type: 'put', key: `b${i}b` }, { type: 'del', key: `k${i - 1}` }] };
  return { t: 'put', key: `k${i}` };
}
const val = (i: number) => `v${i}-`.padEnd(100, String.fromCharCode(97 + (i % 26)));

/** The state after ops 0..last, and the keys op last+1 touches (it may or may not have landed). */
function expected(last: number): { state: Map<string, string | undefined>; maybe: Set<string> } {
  const state = new Map<string, string | undefined>();
  for (let i = 0; i <= last; i++) {
    const op = opOf(i);
    if (op.t === 'put') state.set(op.key, val(i));
    else if (op.t === 'del') state.set(op.key, undefined);
    else for (const o of op.ops) state.set(o.key, o.type === 'put' ? val(i) : undefined);
  }
  const next = opOf(last + 1);
  const maybe = new Set(next.t === 'batch' ? next.ops.map((o) => o.key) : [next.key]);
  return { state, maybe };
}

interface Ack {
  i: number;
  seq: number;
  durable: number;
  start: number;
  ack: number;
}

function childArgs(t: ConformanceTarget, dir: string, durability: Durability, extra: Record<string, unknown>): string {
  return JSON.stringify({ spec: t.name, module: t.module, dir, durability, groupCommitMs: GROUP_MS, ...extra });
}

/**
 * runAndKillOnce, retried once when the child stalls (stops acknowledging without dying).
 * KNOWN OPEN BUG: the native child under `group` has stalled this way in 2 of 4 CI runs and in
 * none of many local ones; the retry is loud (stderr) so the stall stays visible while it is
 * investigated. A lost write is never retried: that assertion stays strict.
 */
async function runAndKill(t: ConformanceTarget, dir: string, durability: Durability, acks: number): Promise<{ acks: Ack[]; dir: string }> {
  try {
    return { acks: await runAndKillOnce(t, dir, durability, acks), dir };
  } catch (e) {
    if (!(e as { stalled?: boolean }).stalled) throw e;
    process.stderr.write(`conformance: ${t.name} (${durability}) child STALLED; retrying once in a new directory: ${(e as Error).message}\n`);
    const again = memDir();
    return { acks: await runAndKillOnce(t, again, durability, acks), dir: again };
  }
}

/** Runs the ack child until `acks` acknowledgements have been read, SIGKILLs it, returns every ack line it printed. */
function runAndKillOnce(t: ConformanceTarget, dir: string, durability: Durability, acks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, childArgs(t, dir, durability, { mode: 'acks' })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let seen = 0;
    let killed = false;
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      seen = out.split('\n').length - 1;
      if (!killed && seen >= acks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    let stalled = false;
    const timer = setTimeout(() => {
      stalled = true;
      child.kill('SIGKILL');
    }, STALL_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' || !killed)
        return reject(Object.assign(new Error(`child ${stalled ? `stalled for ${STALL_MS / 1000} s and was killed` : `ended ${code} ${signal}`} after ${seen} acks: ${err}`), { stalled }));
      const lines = out.split('\n');
      lines.pop(); // a line cut by the kill is not an acknowledgement
      resolve(lines.map((l) => {
        const [, i, seq, durable, start, ack] = l.split(' ');
        return { i: Number(i), seq: Number(seq), durable: Number(durable), start: Number(start), ack: Number(ack) };
      }));
    });
  });
}

/** fsync-family calls counted by strace -f -c in a child running `extra`. */
function countSyncs(t: ConformanceTarget, durability: Durability, extra: Record<string, unknown>): number {
  const dir = memDir();
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-strace-')), 'summary');
  const r = spawnSync('strace', ['-f', '-c', '-o', out, '-e', 'trace=fsync,fdatasync,msync,sync_file_range', process.execPath, CHILD, childArgs(t, dir, durability, { mode: 'syncs', ...extra })], {
    encoding: 'utf8', timeout: 120_000,
  });
  if (r.error) throw new Error(`strace could not run (install it: apt-get install strace): ${r.error.message}`);
  if (r.status !== 0 || !r.stdout.includes('DONE')) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  let calls = 0;
  for (const line of fs.readFileSync(out, 'utf8').split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync|msync|sync_file_range)\s*$/.exec(line);
    if (m) calls += Number(m[1]);
  }
  return calls;
}

/**
 * Registers the durability tests for `t`: persistent engines, and network caches (a SIGKILL of
 * the client must lose nothing the server acknowledged, under `none`, the one mode a cache has).
 */
export function durabilitySuite(t: ConformanceTarget): void {
  const caps = t.descriptor.capabilities;
  if (!outlivesClose(t.descriptor)) return;
  describe(`conformance durability: ${t.name}`, () => {
    for (const durability of caps.durability) {
      it(`a SIGKILL loses no acknowledged put, delete or batch (durability ${durability})`, async () => {
        expect(fs.existsSync(DIST), 'dist/ missing: run `npm run build` (npm test does)').toBe(true);
        const { acks, dir } = await runAndKill(t, memDir(), durability, 300 + Math.floor(Math.random() * 200));
        expect(acks.length).toBeGreaterThanOrEqual(300);
        const last = acks[acks.length - 1]!;
        acks.forEach((a, n) => expect(a.i, 'acks in order').toBe(n));
        if (durability === 'always') for (const a of acks) expect(a.durable, `op ${a.i} durable on return`).toBe(a.seq);
        if (durability === 'group') {
          // every write acknowledged GROUP_MS before a later call started is covered by that call
          let from = 0;
          for (const later of acks) {
            while (from < acks.length && acks[from]!.ack <= later.start - GROUP_MS) from++;
            if (from > 0) expect(later.durable, `op ${later.i}: op ${acks[from - 1]!.i} acknowledged > ${GROUP_MS} ms before it started`).toBeGreaterThanOrEqual(acks[from - 1]!.seq);
          }
        }
        const { state, maybe } = expected(last.i);
        const e = await openTarget(t, dir);
        try {
          const wrong: string[] = [];
          for (const [k, v] of state) {
            if (maybe.has(k)) continue;
            const got = await e.get(Buffer.from(k));
            const g = got === undefined ? undefined : Buffer.from(got).toString();
            if (g !== v) wrong.push(`${k}: want ${v === undefined ? 'absent' : v.slice(0, 8)}, got ${g === undefined ? 'absent' : g.slice(0, 8)}`);
          }
          expect(wrong.slice(0, 10), `${wrong.length} acknowledged writes lost of ${state.size} keys (last ack op ${last.i})`).toEqual([]);
        } finally {
          await e.close();
        }
      });
    }

    if (t.descriptor.role !== 'network') {
      it('issues a real sync call for every durable write: strace counts fsync/fdatasync/msync', () => {
        const N = 20;
        const noneBase = countSyncs(t, 'none', { count: N, sync: false });
        const noneSynced = countSyncs(t, 'none', { count: N, sync: true });
        expect(noneSynced, `sync() under none issued no sync call (${noneBase} without sync(), ${noneSynced} with)`).toBeGreaterThan(noneBase);
        if (caps.durability.includes('always')) {
          const always = countSyncs(t, 'always', { count: N, sync: false });
          expect(always - noneBase, `${N} puts under always issued ${always} sync calls (${noneBase} without durability)`).toBeGreaterThanOrEqual(N);
        }
      });
    }
  });
}
