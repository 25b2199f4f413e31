/**
 * Durability `none` commits every acknowledged write to the file (no fdatasync): a child
 * process applies N writes (never syncing) and SIGKILLs itself right after the last
 * acknowledgement; after reopening, every one of the N writes is there, and the file's
 * invariants hold. 512-byte pages make deep trees, splits, merges and overflow values.
 */
import * as nodefs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../engines/btree/inspect.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { DIST_REGISTRY, dumpRows, expectedAfter, runAckKill } from '../lsm/ack-kill.js';

describe('btree under durability none: SIGKILL right after an acknowledgement loses nothing', () => {
  it('has the compiled engine to run in the child', () => {
    expect(nodefs.existsSync(DIST_REGISTRY), 'dist/ missing: run `npx tsc -p tsconfig.json` first').toBe(true);
  });

  for (const spec of ['btree', 'btree:pageSize=512', 'btree:pageSize=512,cacheSize=16'])
    for (const n of [1, 37, 1500]) {
      it(`${spec}: ${n} writes`, () => {
        const dir = tmpDir();
        const r = runAckKill(spec, dir, n);
        expect(r.stderr).toBe('');
        expect(r.signal).toBe('SIGKILL');
        expect(r.acked).toBe(n);
        expect(r.durable).toBe(0); // nothing was synced
        const rep = inspect(dir);
        expect(rep.violations).toEqual([]);
        expect(rep.meta!.unsynced).toBe(true);
        const e = openSyncEngine(spec, { dir });
        try {
          expect(dumpRows(e.scan(Buffer.from([0]), 1e9))).toEqual(dumpRows(expectedAfter(n).entries()));
          expect(e.lastSequence()).toBe(r.last);
        } finally {
          e.close();
        }
        expect(inspect(dir).violations).toEqual([]);
      });
    }
});
