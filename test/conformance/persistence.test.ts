/**
 * Persistence: everything written is there after close and reopen; after sync(), a child
 * process killed with SIGKILL loses none of the synced writes (and under `always`, none of the
 * acknowledged ones). Runs for every persistent engine; the child runs the compiled code in
 * dist/ (npm test builds first).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { open } from '../support/engine-io.js';
import { targets } from '../support/targets.js';
import { tmpDir } from '../support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, '..', 'support', 'child-writer.mjs');
const DIST = path.join(here, '..', '..', 'dist', 'engines', 'registry.js');
const val = (p: string, i: number) => Buffer.from(`${p}${i}-`.padEnd(200, String.fromCharCode(97 + (i % 26)))).toString();

/** Runs the child until it has synced and made at least `acks` more ACK reports, then SIGKILLs it. */
function runAndKill(spec: string, dir: string, durability: string, count: number, acks: number) {
  return new Promise<{ synced: number; lastAck: [number, number, number] | undefined }>((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, spec, dir, durability, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let synced = -1;
    let lastAck: [number, number, number] | undefined;
    let seen = 0;
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const [tag, a, bb, c] = line.split(' ');
        if (tag === 'SYNCED') synced = Number(a);
        if (tag === 'ACK') {
          lastAck = [Number(a), Number(bb), Number(c)];
          if (++seen >= acks) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code} ${signal}: ${err}`));
      else resolve({ synced, lastAck });
    });
  });
}

// Conformance variants (tiny memtables, caches) exist to stress the model test; here one spec per
// engine keeps the suite fast, unless KVLAB_ENGINES names specs explicitly.
const explicit = (process.env.KVLAB_ENGINES ?? '').trim() !== '';
const persistent = targets().filter((t) => t.descriptor.capabilities.persistent && (explicit || t.spec === t.descriptor.name));

describe.each(persistent)('conformance persistence: $spec', ({ spec, descriptor }) => {
  it('keeps everything across close and reopen', async () => {
    const dir = tmpDir();
    let e = await open(spec, dir);
    for (let i = 0; i < 2000; i++) await e.put(Buffer.from(`key${i}`), Buffer.from(val('v', i)));
    for (let i = 0; i < 2000; i += 3) await e.delete(Buffer.from(`key${i}`));
    await e.close();
    e = await open(spec, dir);
    for (let i = 0; i < 2000; i++) {
      const got = await e.get(Buffer.from(`key${i}`));
      expect(got === undefined ? undefined : Buffer.from(got).toString(), `key${i}`).toBe(i % 3 === 0 ? undefined : val('v', i));
    }
    await e.close();
  });

  for (const durability of ['none', 'always'] as const) {
    if (!descriptor.capabilities.durability.includes(durability)) continue;
    it(`loses no synced write when the writer is SIGKILLed (durability ${durability})`, async () => {
      expect(fs.existsSync(DIST), 'dist/ missing: run `npm run build` (npm test does)').toBe(true);
      const dir = tmpDir();
      const count = 1500;
      const { synced, lastAck } = await runAndKill(spec, dir, durability, count, 4);
      expect(synced).toBe(count + 1);
      const e = await open(spec, dir);
      try {
        expect(await e.get(Buffer.from('k0'))).toBeUndefined(); // deleted by the synced batch
        for (let i = 1; i < count; i++) {
          const got = await e.get(Buffer.from(`k${i}`));
          expect(got === undefined ? 'absent' : Buffer.from(got).toString(), `k${i}`).toBe(val('v', i));
        }
        expect(Buffer.from((await e.get(Buffer.from('batch-a')))!).toString()).toBe('A');
        expect(Buffer.from((await e.get(Buffer.from('batch-b')))!).toString()).toBe('B');
        // Unsynced writes may or may not be there, but never with a wrong value; under `always`
        // every acknowledged one is there.
        const acked = lastAck ? lastAck[0] : -1;
        for (let i = 0; i <= acked + 60; i++) {
          const got = await e.get(Buffer.from(`u${i}`));
          if (durability === 'always' && i <= acked) expect(got, `u${i} acknowledged under always`).toBeDefined();
          if (got !== undefined) expect(Buffer.from(got).toString()).toBe(val('u', i));
        }
      } finally {
        await e.close();
      }
    });
  }
});

if (persistent.length === 0) {
  describe('conformance persistence', () => {
    it('has no persistent engine among the targets (every target declares persistent: false)', () => {
      for (const t of targets()) expect(t.descriptor.capabilities.persistent, t.spec).toBe(false);
    });
  });
}
