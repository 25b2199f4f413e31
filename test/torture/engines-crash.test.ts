/**
 * Process-crash torture (SIGKILL at random moments, cumulative store) of every persistent
 * registered engine, under `always` and `group`. Every engine, reference ones included, must
 * keep every durable-acknowledged write, return no wrong value and never tear a batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureChildBuilt } from '../../torture/child-path.js';
import { runCrashTorture } from '../../torture/crash-driver.js';
import { SCALE, tortureTargets } from './engines.js';

const targets = await tortureTargets();
beforeAll(() => ensureChildBuilt());

describe.each(targets.map((t) => [t.d.name, t] as const))('crash torture: %s', (_name, t) => {
  for (const durability of ['always', 'group'] as const) {
    if (!t.d.capabilities.durability.includes(durability)) continue;
    it(`keeps every durable-acknowledged write across SIGKILLs (${durability})`, async () => {
      expect(t.unavailable, 'a registered engine must open here (native: npm run build:native)').toBeUndefined();
      // `always` on the plain engine, `group` on the stress variant (small sizes: flushes, merges).
      const engine = durability === 'always' ? t.d.name : t.spec;
      const s = await runCrashTorture({ engine, cycles: 2 * SCALE, seed: 1234, durability, maxRunMs: 120 });
      expect(s.violations).toEqual([]);
      expect(s.cycles).toBe(2 * SCALE);
      expect(s.killedByParent + s.cleanExits).toBe(2 * SCALE);
      expect(s.recoveryMs.count).toBeGreaterThan(0);
    });
  }
});
