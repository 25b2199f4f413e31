/**
 * Power-loss torture with CrashFs (only fsynced bytes and synced directory entries survive,
 * sometimes with a torn or garbage tail) for every persistent engine that does its I/O through
 * opts.fs; engines doing their own I/O are reported not applicable.
 */
import { describe, expect, it } from 'vitest';
import { runPowerLoss } from '../../torture/power-loss.js';
import { SCALE, tortureTargets } from './engines.js';

const targets = await tortureTargets();

describe.each(targets.map((t) => [t.d.name, t] as const))('power loss: %s', (_name, t) => {
  for (const [durability, variant] of [['always', 'plain'], ['group', 'stress']] as const) {
    if (!t.d.capabilities.durability.includes(durability)) continue;
    it(`keeps every synced write (${durability}, ${variant} options)`, async () => {
      expect(t.unavailable, 'a registered engine must open here (native: npm run build:native)').toBeUndefined();
      const engine = variant === 'plain' ? t.d.name : t.spec;
      const s = await runPowerLoss({ engine, crashes: 12 * SCALE, seed: 99, durability, maxOpsPerCrash: 150 });
      if (!s.applicable) {
        expect(s.reason).toMatch(/own file I\/O/);
        return;
      }
      expect(s.violations).toEqual([]);
      expect(s.crashes).toBe(12 * SCALE);
      expect(s.durableVerified).toBeGreaterThan(0);
    });
  }
});
