// Child process for crash.test.ts: opens an lsm store (compiled code in dist/), applies a
// deterministic history, syncs every SYNC_EVERY ops and reports `SYNCED n` on stdout. It is
// killed by a kill point (KVLAB_KILL_POINT) or by the parent; if the history ends first it prints DONE.
import { openSyncEngine } from '../../dist/engines/registry.js';

const [dir, spec, count] = process.argv.slice(2);
const SYNC_EVERY = 20;
const e = openSyncEngine(spec, { dir, durability: 'none' });
const key = (i) => Buffer.from(`k${String(i % 250).padStart(3, '0')}`);
for (let i = 0; i < Number(count); i++) {
  if (i % 9 === 8) e.delete(key(i * 7));
  else if (i % 13 === 12) e.write([{ type: 'put', key: key(i + 1), value: Buffer.alloc(30, i & 255) }, { type: 'del', key: key(i + 2) }]);
  else e.put(key(i), Buffer.alloc(20 + (i % 80), i & 255));
  if ((i + 1) % SYNC_EVERY === 0) {
    e.sync();
    process.stdout.write(`SYNCED ${i + 1}\n`);
  }
}
e.close();
process.stdout.write('DONE\n');
