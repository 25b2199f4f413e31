import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../engines/btree/inspect.js';
import { binaryCandidates } from '../../engines/native/binding.js';
import { Oracle } from '../support/oracle.js';
import { tmpDir } from '../support/tmp.js';
import { applyRound } from './crash-workload.js';
import { openBtree } from './helpers.js';

let child = '';
beforeAll(() => {
  child = path.join(tmpDir('kvlab-btree-child-'), 'crash-child.mjs');
  buildSync({ entryPoints: [path.join(__dirname, 'crash-child.ts')], bundle: true, platform: 'node', format: 'esm', outfile: child, logLevel: 'error' });
});

function expected(rounds: number): Array<[string, string]> {
  const o = new Oracle();
  for (let r = 0; r < rounds; r++) applyRound(o, r);
  return o.entries().map(([k, v]) => [k.toString('hex'), v.toString('hex')]);
}

function run(dir: string, rounds: number, killPoint?: string) {
  // the bundled child runs from a temp dir: name the native addon (the directory lock) for it
  const env = { ...process.env, KVLAB_NATIVE_BINARY: process.env.KVLAB_NATIVE_BINARY ?? binaryCandidates().find((f) => fs.existsSync(f)) };
  if (killPoint) env.KVLAB_KILL_POINT = killPoint;
  else delete env.KVLAB_KILL_POINT;
  const res = spawnSync(process.execPath, [child, dir, String(rounds)], { env, encoding: 'utf8', timeout: 60_000 });
  const committed = res.stdout.split('\n').filter((l) => l.startsWith('COMMITTED')).length;
  return { signal: res.signal, committed, stderr: res.stderr, done: res.stdout.includes('DONE') };
}

function stateOf(dir: string): Array<[string, string]> {
  const e = openBtree(dir, { pageSize: 512 });
  const all = e.scan(Buffer.from([0]), 1e9).map(([k, v]): [string, string] => [Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex')]);
  // the recovered store keeps working: one more round, then a clean check
  applyRound(e, 99);
  e.close();
  return all;
}

describe('btree crash at each kill point (child process + SIGKILL)', () => {
  it('runs to completion without a kill point', () => {
    const dir = tmpDir();
    const r = run(dir, 4);
    expect(r.stderr).toBe('');
    expect(r.done).toBe(true);
    expect(r.committed).toBe(4);
    expect(inspect(dir).violations).toEqual([]);
    expect(stateOf(dir)).toEqual(expected(4));
  });

  // points before the meta write recover the previous commit; after the meta write (not yet
  // fsynced, but in the OS cache, which SIGKILL does not lose) the interrupted commit is whole
  const cases: Array<[string, number]> = [
    ['btree.commit.after-pages', 0],
    ['btree.commit.mid-freelist', 0],
    ['btree.commit.before-meta', 0],
    ['btree.commit.before-meta-sync', 1],
  ];
  for (const [point, extra] of cases) {
    for (const nth of [1, 3]) {
      it(`${point}@${nth}`, () => {
        const dir = tmpDir();
        const r = run(dir, 6, `${point}@${nth}`);
        expect(r.signal).toBe('SIGKILL');
        expect(r.committed).toBe(nth - 1);
        const rep = inspect(dir);
        expect(rep.violations).toEqual([]);
        expect(rep.meta!.txid).toBe(1 + nth - 1 + extra);
        expect(stateOf(dir)).toEqual(expected(nth - 1 + extra));
        expect(inspect(dir).violations).toEqual([]);
      });
    }
  }
});
