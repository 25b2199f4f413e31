// Child process for the "SIGKILL right after an acknowledgement" tests (test/lsm/ack-kill.test.ts,
// test/btree/ack-kill.test.ts). Runs compiled code from dist/ (run `npx tsc -p tsconfig.json`).
// Usage: node ack-kill-child.mjs SPEC DIR COUNT
// Opens SPEC in DIR with durability none, never syncs, applies COUNT deterministic writes (puts,
// overwrites, deletes and two-op batches: see expectedAfter in the tests), then SIGKILLs itself
// right after the last one is acknowledged: no close(), no sync(), no exit handlers.
import { openSyncEngine } from '../../dist/engines/registry.js';

const [spec, dir, countStr] = process.argv.slice(2);
const count = Number(countStr);
const e = openSyncEngine(spec, { dir, durability: 'none' });
const key = (i) => Buffer.from(`key${String(i % 700).padStart(4, '0')}`);
const val = (i) => Buffer.alloc(10 + ((i * 37) % 300), i & 255);
for (let i = 0; i < count; i++) {
  if (i % 11 === 10) e.delete(key(i * 3));
  else if (i % 17 === 16) e.write([{ type: 'put', key: key(i + 5), value: val(i) }, { type: 'del', key: key(i + 6) }]);
  else e.put(key(i), val(i));
}
process.stdout.write(`ACKED ${count} ${e.lastSequence()} ${e.durableSequence()}\n`, () => process.kill(process.pid, 'SIGKILL'));
