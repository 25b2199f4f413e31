/**
 * Reopen after SIGKILL: a child process writes a deterministic history and dies at a kill point
 * (mid-flush, between manifest write and rename, mid-compaction, after a WAL append) or by the
 * parent's SIGKILL. The reopened store must equal the history's state after some prefix of at
 * least every synced operation, and must keep working. The child runs the compiled code in dist/.
 */
import { spawn } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSyncEngine } from '../../engines/registry.js';
import { Oracle } from '../support/oracle.js';
import { tmpDir } from '../support/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'crash-child.mjs');
const DIST = path.join(here, '..', '..', 'dist', 'engines', 'lsm', 'engine.js');
const SYNC_EVERY = 20;
const COUNT = 1500;
const SPEC = 'lsm:memtableSize=1024,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=3';

/** The oracle after the first n operations of the child's history. */
function stateAfter(n: number): Oracle {
  const o = new Oracle();
  const key = (i: number) => Buffer.from(`k${String(i % 250).padStart(3, '0')}`);
  for (let i = 0; i < n; i++) {
    if (i % 9 === 8) o.delete(key(i * 7));
    else if (i % 13 === 12) o.write([{ type: 'put', key: key(i + 1), value: Buffer.alloc(30, i & 255) }, { type: 'del', key: key(i + 2) }]);
    else o.put(key(i), Buffer.alloc(20 + (i % 80), i & 255));
  }
  return o;
}

const dump = (rows: Array<[Uint8Array, Uint8Array]>) => rows.map(([a, b]) => `${Buffer.from(a).toString('hex')}=${Buffer.from(b).toString('hex')}`);

/** Runs the child; resolves with the last synced op count once it dies by SIGKILL. */
function runChild(dir: string, spec: string, killPoint: string | undefined, killAfterSyncs?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (killPoint) env.KVLAB_KILL_POINT = killPoint;
    else delete env.KVLAB_KILL_POINT;
    const child = spawn(process.execPath, [CHILD, dir, spec, String(COUNT)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let synced = 0;
    let syncs = 0;
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('SYNCED ')) {
          synced = Number(l.slice(7));
          if (killAfterSyncs !== undefined && ++syncs === killAfterSyncs) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(synced);
      else reject(new Error(`child exited ${code} ${signal} (kill point ${killPoint} never reached?) ${err}`));
    });
  });
}

/** Reopens and checks the store equals the history after some n in [synced, synced + SYNC_EVERY]. */
function verify(dir: string, spec: string, synced: number): number {
  let e = openSyncEngine(spec, { dir });
  const got = dump(e.scan(Buffer.from([0]), 1e9));
  let match = -1;
  for (let n = synced; n <= Math.min(COUNT, synced + SYNC_EVERY) && match < 0; n++) if (JSON.stringify(dump(stateAfter(n).entries())) === JSON.stringify(got)) match = n;
  expect(match, `state after recovery matches no prefix in [${synced}, ${synced + SYNC_EVERY}]`).toBeGreaterThanOrEqual(synced);
  // The recovered store keeps working: write, reopen, read back.
  e.put(Buffer.from('after-crash'), Buffer.from('ok'));
  e.close();
  e = openSyncEngine(spec, { dir });
  expect(Buffer.from(e.get(Buffer.from('after-crash'))!).toString()).toBe('ok');
  expect(dump(e.scan(Buffer.from([0]), 1e9)).filter((r) => !r.startsWith(Buffer.from('after-crash').toString('hex')))).toEqual(got);
  e.close();
  return match;
}

const POINTS = [
  'lsm.wal.after-append@50',
  'lsm.wal.after-append@777',
  'lsm.flush.before-manifest@3',
  'lsm.flush.before-manifest@40',
  'lsm.manifest.before-rename@5',
  'lsm.manifest.before-rename@60',
  'lsm.compaction.before-manifest@2',
  'lsm.compaction.before-manifest@15',
  'lsm.compaction.before-delete@4',
];

describe('lsm crash recovery (child + SIGKILL)', () => {
  it('has the compiled engine to run in the child', () => {
    expect(nodefs.existsSync(DIST), 'dist/ missing: run `npx tsc -p .` first').toBe(true);
  });

  for (const style of ['leveled', 'tiered']) {
    const spec = `${SPEC},compaction=${style}`;
    it.each(POINTS)(`${style}: recovers after a crash at %s`, async (point) => {
      const dir = tmpDir();
      const synced = await runChild(dir, spec, point);
      verify(dir, spec, synced);
      // No orphan tables stay behind after recovery.
      const m = nodefs.readdirSync(dir).filter((n) => n.endsWith('.sst')).length;
      const e = openSyncEngine(spec, { dir });
      const files = Object.entries(e.stats().extra).filter(([n]) => /^L\d+\.files$/.test(n)).reduce((s, [, v]) => s + v, 0);
      e.close();
      expect(m).toBe(files);
    });

    it(`${style}: loses no synced write when SIGKILLed at a random moment, twice in a row`, async () => {
      const dir = tmpDir();
      const s1 = await runChild(dir, spec, undefined, 7);
      verify(dir, spec, s1);
      // Second crash on top of the recovered store (the history restarts from op 0 and overwrites).
      const s2 = await runChild(dir, spec, undefined, 3);
      const e = openSyncEngine(spec, { dir });
      const keys = e.scan(Buffer.from([0]), 1e9).map(([kk]) => Buffer.from(kk).toString());
      e.close();
      expect(keys.length).toBeGreaterThan(0);
      expect(s2).toBeGreaterThan(0);
    });
  }
});
