/**
 * The torture against the toy engine (engines/testing/toy-engine.ts): the correct variant passes
 * every check, and each planted defect is caught by the check meant for it. This is what shows
 * the checks can fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureChildBuilt } from '../../torture/child-path.js';
import { runCorruption } from '../../torture/corrupt.js';
import { runCrashTorture } from '../../torture/crash-driver.js';
import { runPowerLoss } from '../../torture/power-loss.js';

const module = 'engines/testing/toy-engine';
beforeAll(() => ensureChildBuilt());

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
