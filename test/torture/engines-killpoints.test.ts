/**
 * Crashes exactly at every kill point each persistent engine declares (`<engine>.` prefix):
 * after a log append before the index update, mid-batch, mid-flush, mid-compaction, between a
 * manifest write and its rename, between page writes and the meta write, ... The recovered
 * store must keep every durable-acknowledged write and every batch whole.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureChildBuilt } from '../../torture/child-path.js';
import { runCrashTorture } from '../../torture/crash-driver.js';
import { killPointsOf } from '../../torture/policy.js';
import { SCALE, tortureTargets } from './engines.js';

const targets = await tortureTargets();
beforeAll(() => ensureChildBuilt());

const cases = targets.flatMap((t) => killPointsOf(t.d.name).map((kp) => [kp, t] as const));

describe('kill points', () => {
  it('are declared by the engines under test', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases)('crash at %s loses nothing durable', async (kp, t) => {
    expect(t.unavailable, 'a registered engine must open here (native: npm run build:native)').toBeUndefined();
    const durability = t.d.capabilities.durability.includes('group') ? 'group' : 'always';
    const s = await runCrashTorture({ engine: t.spec, cycles: SCALE, seed: 77, durability, killPoint: kp, killPointMaxHit: 2, maxOps: 300 });
    expect(s.violations).toEqual([]);
    expect(s.killedAtPoint + s.cleanExits).toBe(SCALE);
  });
});
