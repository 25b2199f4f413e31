// A lock-race contestant: for each line `open DIR` on stdin it opens hashlog on DIR through the
// registry and prints `WON` or the error code; on `close` it closes what it holds. Uses dist/.
import { createInterface } from 'node:readline';
import { openSyncEngine } from '../../dist/engines/registry.js';

let held;
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, dir] = line.split(' ');
  if (cmd === 'open') {
    try {
      held = openSyncEngine('hashlog', { dir, durability: 'none' });
      console.log('WON');
    } catch (e) {
      console.log(e.code ?? `ERROR ${e.message}`);
    }
  } else if (cmd === 'close') {
    held?.close();
    held = undefined;
    console.log('CLOSED');
  } else if (cmd === 'hold') {
    // open and never answer again: the parent SIGKILLs us while we hold the lock
    held = openSyncEngine('hashlog', { dir, durability: 'none' });
    console.log('HOLDING');
  }
}
