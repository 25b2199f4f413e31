// Child process for the native crash tests; runs the compiled code in dist/ (npm test builds first).
// Usage:
//   node child.mjs writer DIR DURABILITY   puts k<i> forever, printing "ACK <i> <durableSeq> <lastSeq>" after each
//   node child.mjs history DIR ACTION      writes the deterministic history (see crash.test.ts), syncs, prints
//                                          "READY", then ACTION: merge | batch; KVLAB_KILL_POINT kills it inside
import { openSyncEngine } from '../../dist/engines/registry.js';

const [mode, dir, arg] = process.argv.slice(2);
export const val = (tag, i) => `${tag}${i}-`.padEnd(100 + (i % 50), String.fromCharCode(97 + (i % 26)));

if (mode === 'writer') {
  const e = openSyncEngine('native', { dir, durability: arg, groupCommitMs: 1 });
  for (let i = 0; ; i++) {
    e.put(Buffer.from(`k${i}`), Buffer.from(val('v', i)));
    process.stdout.write(`ACK ${i} ${e.durableSequence()} ${e.lastSequence()}\n`);
  }
} else if (mode === 'history') {
  const e = openSyncEngine('native:segmentBytes=8192,autoMerge=false', { dir, durability: 'none' });
  for (let i = 0; i < 600; i++) e.put(Buffer.from(`k${i % 300}`), Buffer.from(val(i < 300 ? 'a' : 'b', i)));
  for (let i = 0; i < 300; i += 5) e.delete(Buffer.from(`k${i}`));
  e.sync();
  process.stdout.write('READY\n');
  if (arg === 'merge') e.compact();
  else if (arg === 'batch') e.write(Array.from({ length: 10 }, (_, j) => ({ type: 'put', key: Buffer.from(`k${j}`), value: Buffer.from('batch') })));
  process.stdout.write('SURVIVED\n');
  e.close();
}
