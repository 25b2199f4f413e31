/**
 * Group commit in the reference engines: under durability `group`, every write whose sequence
 * number the engine reported durable survives a SIGKILL; an idle window is closed by the timer
 * (durableSequence catches up with lastSequence without another write); `always` acknowledges
 * durable writes; `none` only after sync(). Uses the conformance suite's child writer (dist/).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, '..', 'support', 'child-writer.mjs');
const ENGINES = ['lmdb', 'sqlite', 'classic-level'];

/** Starts the child (group mode), kills it after `acks` ACK lines; returns SYNCED seq and the last ACK. */
function runAndKill(spec: string, dir: string, acks: number): Promise<{ synced: number; ack: [number, number, number] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, spec, dir, 'group', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let err = '';
    let synced = -1;
    let ack: [number, number, number] = [-1, 0, 0];
    let seen = 0;
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [tag, a, b, c] = line.split(' ');
        if (tag === 'SYNCED') synced = Number(a);
        if (tag === 'ACK') {
          ack = [Number(a), Number(b), Number(c)];
          if (++seen === acks) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ synced, ack }) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe.each(ENGINES)('reference engine %s durability', (spec) => {
  it('group: every write reported durable survives SIGKILL', async () => {
    const dir = tmpDir();
    const { synced, ack } = await runAndKill(spec, dir, 40);
    expect(synced).toBeGreaterThan(0);
    const [, durable] = ack;
    // u<i> has sequence synced + 1 + i
    const mustHave = durable - synced;
    const e = await openEngine(spec, { dir, durability: 'none' });
    try {
      for (let i = 0; i < mustHave; i++) expect(await e.get(Buffer.from(`u${i}`)), `u${i} (seq ${synced + 1 + i} <= durable ${durable})`).toBeDefined();
      expect(await e.get(Buffer.from('k5'))).toBeDefined();
    } finally {
      await e.close();
    }
  });

  it('group: an idle window is closed by the timer; always: durable on return; none: at sync()', async () => {
    const g = await openEngine(spec, { dir: tmpDir(), durability: 'group', groupCommitMs: 5 });
    await g.put(Buffer.from('a'), Buffer.from('1'));
    for (let i = 0; i < 200 && g.durableSequence() < g.lastSequence(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(g.durableSequence()).toBe(g.lastSequence());
    await g.close();
    const a = await openEngine(spec, { dir: tmpDir(), durability: 'always' });
    await a.put(Buffer.from('a'), Buffer.from('1'));
    expect(a.durableSequence()).toBe(1);
    await a.close();
    const n = await openEngine(spec, { dir: tmpDir(), durability: 'none' });
    await n.put(Buffer.from('a'), Buffer.from('1'));
    expect(n.durableSequence()).toBe(0);
    await n.sync();
    expect(n.durableSequence()).toBe(1);
    await n.close();
  });
});
