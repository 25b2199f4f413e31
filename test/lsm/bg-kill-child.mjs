// Child process for background.test.ts: "SIGKILL while a background job runs". Opens SPEC in DIR
// (durability none, never syncs) and applies ack-kill-child.mjs's history until a flush job is
// running and a compaction was installed since that flush began (so the MANIFEST was rewritten
// while the frozen memtable existed only in its WAL) — or MAX writes — then SIGKILLs itself
// right after the last acknowledgement. Runs compiled code from dist/.
// Usage: node bg-kill-child.mjs SPEC DIR MAX
import { openSyncEngine } from '../../dist/engines/registry.js';

const [spec, dir, maxStr] = process.argv.slice(2);
const e = openSyncEngine(spec, { dir, durability: 'none' });
const key = (i) => Buffer.from(`key${String(i % 700).padStart(4, '0')}`);
const val = (i) => Buffer.alloc(10 + ((i * 37) % 300), i & 255);
let n = 0;
let hit = false;
let flushesAtFreeze = -1; // s.flushes when the running flush was first seen (identifies it)
let compactionsAtFreeze = 0;
for (; n < Number(maxStr) && !hit; ) {
  const i = n++;
  if (i % 11 === 10) e.delete(key(i * 3));
  else if (i % 17 === 16) e.write([{ type: 'put', key: key(i + 5), value: val(i) }, { type: 'del', key: key(i + 6) }]);
  else e.put(key(i), val(i));
  const s = e.stats();
  const running = s.extra.flushRunning === 1;
  if (!running) flushesAtFreeze = -1;
  else if (s.flushes !== flushesAtFreeze) {
    flushesAtFreeze = s.flushes;
    compactionsAtFreeze = s.compactions;
  } else hit = s.compactions > compactionsAtFreeze;
}
process.stdout.write(`ACKED ${n} ${e.lastSequence()} ${e.durableSequence()} ${hit ? 'HIT' : 'MISS'}\n`, () => process.kill(process.pid, 'SIGKILL'));
