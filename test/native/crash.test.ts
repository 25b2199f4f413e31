/**
 * Recovery after SIGKILL and from damaged files: acknowledged writes survive a kill under
 * `always` (and up to durableSequence() under `group`); a kill inside a merge (at each of its
 * kill points) or in the middle of an atomic batch loses nothing synced and applies no half
 * batch; a torn tail is truncated; corruption is a typed CORRUPTION with file and offset.
 * The children run the compiled code in dist/ (npm test builds first).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { isKvError } from '../../engines/errors.js';
import { SEGMENT_HEADER_BYTES } from '../../engines/hashlog/format.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'child.mjs');
const DIST = path.join(here, '..', '..', 'dist', 'engines', 'registry.js');
const val = (tag: string, i: number) => `${tag}${i}-`.padEnd(100 + (i % 50), String.fromCharCode(97 + (i % 26)));
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString());

/** Runs the child; kills it after `acks` ACK lines (if given). Resolves with its output lines and exit signal. */
function run(args: string[], env: Record<string, string> = {}, acks = 0) {
  return new Promise<{ lines: string[]; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const lines: string[] = [];
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        if (acks > 0 && l.startsWith('ACK') && lines.length >= acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => resolve({ lines, signal, stderr }));
  });
}

/** The logical state the `history` child leaves (merges and killed batches must not change it). */
function historyModel(): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < 600; i++) m.set(`k${i % 300}`, val(i < 300 ? 'a' : 'b', i));
  for (let i = 0; i < 300; i += 5) m.delete(`k${i}`);
  return m;
}

function expectModel(e: Engine, m: Map<string, string>, keys: number): void {
  for (let i = 0; i < keys; i++) expect(str(e.get(Buffer.from(`k${i}`))), `k${i}`).toBe(m.get(`k${i}`));
}

const openNative = (dir: string, extra = '') => openSyncEngine(`native${extra}`, { dir, durability: 'none' });

describe('native crash recovery', () => {
  it('has a compiled dist/ for the child processes', () => {
    expect(fs.existsSync(DIST), 'dist/ missing: run `npm run build`').toBe(true);
  });

  for (const durability of ['always', 'group'] as const) {
    it(`keeps every write up to durableSequence() after SIGKILL (durability ${durability})`, async () => {
      const dir = tmpDir();
      const r = await run(['writer', dir, durability], {}, 400);
      expect(r.signal, r.stderr).toBe('SIGKILL');
      const acks = r.lines.filter((l) => l.startsWith('ACK')).map((l) => l.split(' ').map(Number));
      const [, lastI, durable, last] = acks[acks.length - 1]!;
      if (durability === 'always') expect(durable).toBe(last);
      const e = openNative(dir);
      // put k<i> has sequence i + 1.
      for (let i = 0; i < durable!; i++) expect(str(e.get(Buffer.from(`k${i}`))), `k${i}`).toBe(val('v', i));
      // Anything beyond is either absent or intact, never wrong.
      for (let i = durable!; i <= lastI! + 1; i++) {
        const got = str(e.get(Buffer.from(`k${i}`)));
        if (got !== undefined) expect(got).toBe(val('v', i));
      }
      expect(e.lastSequence()).toBeGreaterThanOrEqual(durable!);
      e.close();
    });
  }

  for (const point of ['native.merge.before-swap', 'native.merge.after-rename', 'native.merge.after-hint']) {
    it(`a kill inside a merge (${point}) loses nothing`, async () => {
      const dir = tmpDir();
      const r = await run(['history', dir, 'merge'], { KVLAB_KILL_POINT: point });
      expect(r.signal, r.stderr).toBe('SIGKILL');
      expect(r.lines).toEqual(['READY']);
      const e = openNative(dir, ':segmentBytes=8192');
      expectModel(e, historyModel(), 300);
      e.close();
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.merge') || n.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('a kill in the middle of an atomic batch applies none of it', async () => {
    const dir = tmpDir();
    const r = await run(['history', dir, 'batch'], { KVLAB_KILL_POINT: 'native.batch.mid' });
    expect(r.signal, r.stderr).toBe('SIGKILL');
    const e = openNative(dir, ':segmentBytes=8192');
    expectModel(e, historyModel(), 300);
    expect(e.stats().extra.tornBytesTruncatedAtOpen).toBeGreaterThan(0);
    e.close();
  });

  it('truncates a torn tail (half a record beyond the recorded durable length) and keeps everything before it', () => {
    const closed = tmpDir();
    const dir = tmpDir();
    let e = openNative(closed);
    for (let i = 0; i < 49; i++) e.put(Buffer.from(`k${i}`), Buffer.from(val('v', i)));
    e.sync();
    e.put(Buffer.from('k49'), Buffer.from(val('v', 49)));
    for (const f of fs.readdirSync(closed)) fs.copyFileSync(path.join(closed, f), path.join(dir, f)); // what a SIGKILL leaves
    e.close();
    const seg = path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.data')).sort().pop()!);
    const full = fs.readFileSync(seg);
    fs.truncateSync(seg, full.length - 7); // the last record loses its end
    e = openNative(dir);
    for (let i = 0; i < 49; i++) expect(str(e.get(Buffer.from(`k${i}`)))).toBe(val('v', i));
    expect(e.get(Buffer.from('k49'))).toBeUndefined();
    expect(e.stats().extra.tornBytesTruncatedAtOpen).toBeGreaterThan(0);
    e.put(Buffer.from('after'), Buffer.from('torn'));
    e.close();
    e = openNative(dir);
    expect(str(e.get(Buffer.from('after')))).toBe('torn');
    e.close();
  });

  it('reports corruption before valid records as CORRUPTION with file and offset', () => {
    const dir = tmpDir();
    let e = openNative(dir);
    for (let i = 0; i < 20; i++) e.put(Buffer.from(`k${i}`), Buffer.from(val('v', i)));
    e.close();
    const seg = path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.data')).sort().pop()!);
    const b = fs.readFileSync(seg);
    b[SEGMENT_HEADER_BYTES + 20 + 5] ^= 0xff; // inside the first record's value
    fs.writeFileSync(seg, b);
    let err: unknown;
    try {
      e = openNative(dir);
      e.close();
    } catch (x) {
      err = x;
    }
    expect(isKvError(err, 'CORRUPTION')).toBe(true);
    expect((err as { file?: string }).file).toBe(seg);
    expect((err as { offset?: number }).offset).toBe(SEGMENT_HEADER_BYTES);
  });

  it('detects a damaged record on read (loaded from a hint, never scanned) as CORRUPTION', () => {
    const dir = tmpDir();
    let e = openNative(dir) as Engine;
    for (let i = 0; i < 20; i++) e.put(Buffer.from(`k${i}`), Buffer.from(val('v', i)));
    e.compact();
    e.close();
    const merged = path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.hint'))[0]!.replace('.hint', '.data'));
    const b = fs.readFileSync(merged);
    b[b.length - 3] ^= 0xff; // the last record's value (k19)
    fs.writeFileSync(merged, b);
    e = openNative(dir) as Engine;
    expect(e.stats().extra.hintsLoadedAtOpen).toBe(1);
    expect(str(e.get(Buffer.from('k0')))).toBe(val('v', 0));
    let err: unknown;
    try {
      e.get(Buffer.from('k19'));
    } catch (x) {
      err = x;
    }
    expect(isKvError(err, 'CORRUPTION')).toBe(true);
    expect((err as { file?: string }).file).toBe(merged);
    e.close();
  });
});
