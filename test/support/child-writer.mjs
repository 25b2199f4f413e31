// Child process for the SIGKILL persistence test. Runs compiled code from dist/ (npm test builds
// first). Usage: node child-writer.mjs SPEC DIR DURABILITY COUNT
// Writes COUNT puts (key k<i>, value v<i>-<pad>), then sync(), prints "SYNCED <lastSequence>", then
// keeps writing unsynced puts (u<i>) and printing "ACK <i> <durableSequence> <lastSequence>"
// until killed. The parent kills it with SIGKILL.
import { openEngine } from '../../dist/engines/registry.js';

const [spec, dir, durability, countStr] = process.argv.slice(2);
const count = Number(countStr);
const e = await openEngine(spec, { dir, durability, groupCommitMs: 1 });
const val = (p, i) => Buffer.from(`${p}${i}-`.padEnd(200, String.fromCharCode(97 + (i % 26))));
for (let i = 0; i < count; i++) await e.put(Buffer.from(`k${i}`), val('v', i));
await e.write([
  { type: 'put', key: Buffer.from('batch-a'), value: Buffer.from('A') },
  { type: 'put', key: Buffer.from('batch-b'), value: Buffer.from('B') },
  { type: 'del', key: Buffer.from('k0') },
]);
await e.sync();
process.stdout.write(`SYNCED ${e.lastSequence()}\n`);
for (let i = 0; ; i++) {
  await e.put(Buffer.from(`u${i}`), val('u', i));
  if (i % 50 === 0) {
    process.stdout.write(`ACK ${i} ${e.durableSequence()} ${e.lastSequence()}\n`);
    await new Promise((r) => setImmediate(r));
  }
}
