/**
 * Corruption torture of every persistent engine: flip a byte, zero a block, truncate, in every
 * file type the engine makes, then open and read everything in a child with a time limit.
 * kvlab engines must answer with CORRUPTION or intact data: never a wrong value, another error, a
 * crash, a hang, or silence (keys missing, older versions back, with no error: every damaged store
 * was closed cleanly, so nothing is a torn tail). Reference engines are measured and reported.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureChildBuilt } from '../../torture/child-path.js';
import { CORRUPTION_FAILURES, SILENT_OUTCOMES, runCorruption } from '../../torture/corrupt.js';
import { SCALE, tortureTargets } from './engines.js';

const targets = await tortureTargets();
beforeAll(() => ensureChildBuilt());

describe.each(targets.map((t) => [t.d.name, t] as const))('corruption: %s', (_name, t) => {
  it(`every damaged file is detected or harmless${t.reference ? ' (reference: reported as measured)' : ''}`, async () => {
    expect(t.unavailable, 'a registered engine must open here (native: npm run build:native)').toBeUndefined();
    const s = await runCorruption({ engine: t.spec, seed: 42, casesPerKind: 2 * SCALE, timeoutMs: 20_000 });
    expect(s.fileTypes.length).toBeGreaterThan(0);
    expect(s.injected).toBeGreaterThan(0);
    expect(Object.values(s.outcomes).reduce((a, b) => a + b, 0)).toBe(s.injected);
    if (t.reference) {
      console.log(`corruption (reference, as measured) ${t.spec}: ${JSON.stringify(s.outcomes)}`);
      return;
    }
    console.log(`corruption ${t.spec}: ${JSON.stringify(s.outcomes)}`);
    const judged = [...CORRUPTION_FAILURES, ...SILENT_OUTCOMES];
    expect(s.violations.filter((v) => judged.includes(v.kind as never)).map((v) => v.detail)).toEqual([]);
  });
});
