/**
 * Durability `none` hands every acknowledged write to the OS: a child process applies N writes
 * (never syncing) and SIGKILLs itself right after the last acknowledgement; after reopening,
 * every one of the N writes is there. Memtable sizes make some runs cross flushes and
 * compactions (the WAL rotates) and others end inside an unflushed memtable.
 */
import * as nodefs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { DIST_REGISTRY, dumpRows, expectedAfter, runAckKill } from './ack-kill.js';

const SPECS = ['lsm', 'lsm:memtableSize=2048,targetFileSize=2048,blockSize=256,l0Trigger=2,sizeRatio=2'];

describe('lsm under durability none: SIGKILL right after an acknowledgement loses nothing', () => {
  it('has the compiled engine to run in the child', () => {
    expect(nodefs.existsSync(DIST_REGISTRY), 'dist/ missing: run `npx tsc -p tsconfig.json` first').toBe(true);
  });

  for (const spec of SPECS)
    for (const n of [1, 37, 600]) {
      it(`${spec}: ${n} writes`, () => {
        const dir = tmpDir();
        const r = runAckKill(spec, dir, n);
        expect(r.stderr).toBe('');
        expect(r.signal).toBe('SIGKILL');
        expect(r.acked).toBe(n);
        expect(r.durable).toBe(0); // nothing was synced: the shell claims no durability
        const e = openSyncEngine(spec, { dir });
        try {
          expect(dumpRows(e.scan(Buffer.from([0]), 1e9))).toEqual(dumpRows(expectedAfter(n).entries()));
          expect(e.lastSequence()).toBe(r.last);
        } finally {
          e.close();
        }
      });
    }
});
