/**
 * The torture against the toy engine (engines/testing/toy-engine.ts): the correct variant passes
 * every check, and each planted defect is caught by the check meant for it. This is what shows
 * the checks can fail.
 */
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { openDescriptor } from '../../engines/open.js';
import { toyDescriptor } from '../../engines/testing/toy-engine.js';
import { tmpDir } from '../support/tmp.js';
import { ensureChildBuilt } from '../../torture/child-path.js';
import { runCorruption } from '../../torture/corrupt.js';
import { runCrashTorture } from '../../torture/crash-driver.js';
import { runPowerLoss } from '../../torture/power-loss.js';

const module = 'engines/testing/toy-engine';
beforeAll(() => ensureChildBuilt());

describe('the toy core under the shell: each planted bug still means what it says', () => {
  const open = (spec: string, durability: 'none' | 'always', dir = tmpDir()) => ({ dir, e: openDescriptor(toyDescriptor, spec, { dir, durability }) as Engine });
  const logBytes = (dir: string) => nodefs.statSync(path.join(dir, 'toy.log')).size;

  it('correct: every write is in the file when the call returns, sync() fdatasyncs', () => {
    const { dir, e } = open('toy', 'none');
    e.put(Buffer.from('k'), Buffer.from('v'));
    expect(logBytes(dir)).toBeGreaterThan(0);
    expect(e.durableSequence()).toBe(0);
    const syncs = e.stats().syncs;
    e.sync();
    expect(e.stats().syncs).toBe(syncs + 1);
    expect(e.durableSequence()).toBe(1);
    expect(e.info.crashSafety).toBe('process-crash-safe');
    e.close();
  });

  it('lose-buffered: acknowledged as durable under always, yet not even handed to the OS', () => {
    const { dir, e } = open('toy:bug=lose-buffered', 'always');
    e.put(Buffer.from('k'), Buffer.from('v'));
    expect(e.durableSequence()).toBe(1);
    expect(e.info.crashSafety).toBe('process-crash-safe'); // it does not say so
    expect(logBytes(dir)).toBe(0);
    e.close(); // a clean close still writes it
    expect(logBytes(dir)).toBeGreaterThan(0);
  });

  it('no-sync: acknowledged as durable under always without an fdatasync', () => {
    const { e } = open('toy:bug=no-sync', 'always');
    const syncs = e.stats().syncs;
    for (let i = 0; i < 3; i++) e.put(Buffer.from(`k${i}`), Buffer.from('v'));
    expect(e.durableSequence()).toBe(3);
    expect(e.stats().syncs).toBe(syncs);
    e.close();
  });
});

describe('process-crash torture on the toy engine', () => {
  it('passes the correct engine, durable writes verified', async () => {
    const s = await runCrashTorture({ engine: 'toy', module, cycles: 4, seed: 21, durability: 'always', maxRunMs: 150 });
    expect(s.violations).toEqual([]);
    expect(s.cycles).toBe(4);
    expect(s.durableVerified).toBeGreaterThan(0);
    expect(s.recoveryMs.count).toBeGreaterThan(0);
  });

  it('catches acknowledged durable writes lost by a SIGKILL', async () => {
    const s = await runCrashTorture({ engine: 'toy:bug=lose-buffered', module, cycles: 4, seed: 21, durability: 'always', maxRunMs: 150 });
    expect(s.lost).toBeGreaterThan(0);
    expect(s.violations[0]).toMatchObject({ kind: 'lost', engine: 'toy:bug=lose-buffered', seed: 21 });
  });

  it('catches a batch torn at a kill point', async () => {
    const s = await runCrashTorture({ engine: 'toy:bug=torn-batch', module, cycles: 4, seed: 5, durability: 'group', killPoint: 'toy.batch.between-records', killPointMaxHit: 3 });
    expect(s.killedAtPoint).toBe(4);
    expect(s.tornBatches).toBeGreaterThan(0);
  });
});

describe('power-loss torture on the toy engine', () => {
  it('passes the correct engine', async () => {
    const s = await runPowerLoss({ engine: 'toy', module, crashes: 12, seed: 4, durability: 'group' });
    expect(s.violations).toEqual([]);
    expect(s.crashes).toBe(12);
    expect(s.durableVerified).toBeGreaterThan(0);
  });

  for (const bug of ['no-sync', 'no-dirsync']) {
    it(`catches a missing ${bug === 'no-sync' ? 'fdatasync' : 'directory fsync'}`, async () => {
      const s = await runPowerLoss({ engine: `toy:bug=${bug}`, module, crashes: 6, seed: 4, durability: 'always' });
      expect(s.lost).toBeGreaterThan(0);
    });
  }
});

describe('corruption torture on the toy engine', () => {
  it('finds bounded losses but no failures in the checksummed engine', async () => {
    const s = await runCorruption({ engine: 'toy', module, seed: 9, casesPerKind: 4 });
    expect(s.fileTypes).toEqual(['toy.log']);
    expect(s.injected).toBe(12);
    for (const k of ['wrong-value', 'uncaught', 'process-died', 'hang', 'other-kverror'] as const) expect(s.outcomes[k]).toBe(0);
  });

  it('catches wrong values from an engine that skips its checksums', async () => {
    const s = await runCorruption({ engine: 'toy:bug=no-checksum', module, seed: 9, casesPerKind: 10 });
    expect(s.outcomes['wrong-value']).toBeGreaterThan(0);
    expect(s.violations.some((v) => v.kind === 'wrong-value' && v.detail.includes('toy.log'))).toBe(true);
  });
});
