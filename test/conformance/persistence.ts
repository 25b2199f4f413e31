/**
 * Persistence: everything written is there after close and reopen (persistent engines).
 * What survives a SIGKILL is durability.ts's subject.
 */
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../support/tmp.js';
import { openTarget, outlivesClose, type ConformanceTarget } from './target.js';

const val = (p: string, i: number) => Buffer.from(`${p}${i}-`.padEnd(200, String.fromCharCode(97 + (i % 26)))).toString();

/** Registers the persistence tests for `t`. */
export function persistenceSuite(t: ConformanceTarget): void {
  if (!outlivesClose(t.descriptor)) return;
  describe(`conformance persistence: ${t.name}`, () => {
    it('keeps everything across close and reopen', async () => {
      const dir = tmpDir();
      let e = await openTarget(t, dir);
      for (let i = 0; i < 2000; i++) await e.put(Buffer.from(`key${i}`), Buffer.from(val('v', i)));
      for (let i = 0; i < 2000; i += 3) await e.delete(Buffer.from(`key${i}`));
      await e.close();
      e = await openTarget(t, dir);
      for (let i = 0; i < 2000; i++) {
        const got = await e.get(Buffer.from(`key${i}`));
        expect(got === undefined ? undefined : Buffer.from(got).toString(), `key${i}`).toBe(i % 3 === 0 ? undefined : val('v', i));
      }
      await e.close();
    });
  });
}
