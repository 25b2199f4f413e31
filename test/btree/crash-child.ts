/**
 * Crash-test child (bundled by esbuild in crash.test.ts): applies ROUNDS write rounds to the
 * btree in DIR, each followed by sync() and a "COMMITTED r" line. KVLAB_KILL_POINT kills it.
 * Opened with bufferWrites, so each round is one transaction committed (synced) by sync():
 * the kill points then fall inside the synced commit protocol.
 */
import { applyRound } from './crash-workload.js';
import { openBtree } from './helpers.js';

const [dir, rounds] = process.argv.slice(2);
const e = openBtree(dir!, { pageSize: 512, maxDirtyPages: 1_000_000, bufferWrites: true }, 'none');
for (let r = 0; r < Number(rounds); r++) {
  applyRound(e, r);
  e.sync();
  process.stdout.write(`COMMITTED ${r}\n`);
}
e.close();
process.stdout.write('DONE\n');
