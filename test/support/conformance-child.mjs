// Child process of the conformance durability suite (test/conformance/durability.ts). Runs the
// compiled code in dist/ (npm test builds first). Usage: node conformance-child.mjs JSON where
// JSON = { spec, module?, dir, durability, groupCommitMs?, mode, count? }:
// - mode "acks": runs a fixed schedule of puts, deletes and batches (op i: see opOf) forever,
//   printing after each acknowledged op "A <i> <lastSequence> <durableSequence> <startMs> <ackMs>"
//   (performance.now() at the op's start and at its acknowledgement), until SIGKILLed.
// - mode "syncs": `count` puts, then sync() when `sync` is true, then exits WITHOUT close (so
//   the syncs strace counts are the ones the writes and sync() caused), printing "DONE".
import * as fs from 'node:fs';
import { openRef } from '../../dist/torture/engine-ref.js';

const pause = new Int32Array(new SharedArrayBuffer(4));
/**
 * Writes `line` to stdout before returning (fs.writeSync, retried on EAGAIN): process.stdout.write
 * to a pipe whose reader is slow queues inside the process, and a SIGKILL then loses acks of ops
 * that did land, which the parent would read as more than one op beyond the last ack.
 */
function say(line) {
  const b = Buffer.from(line);
  for (let off = 0; off < b.length; ) {
    try {
      off += fs.writeSync(1, b, off);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const a = JSON.parse(process.argv[2]);
const e = await openRef({ spec: a.spec, module: a.module }, { dir: a.dir, durability: a.durability, groupCommitMs: a.groupCommitMs });
const val = (i) => Buffer.from(`v${i}-`.padEnd(100, String.fromCharCode(97 + (i % 26))));

/** The op schedule both sides agree on (the parent imports the same rule from durability.ts). */
function opOf(i) {
  if (i % 10 === 3) return { t: 'del', key: `k${i - 3}` };
  if (i % 10 === 7) return { t: 'batch', ops: [{ type: 'put', key: `b${i}a` }, { type: 'put', key: `b${i}b` }, { type: 'del', key: `k${i - 1}` }] };
  return { t: 'put', key: `k${i}` };
}

if (a.mode === 'acks') {
  for (let i = 0; ; i++) {
    const op = opOf(i);
    const start = performance.now();
    if (op.t === 'put') await e.put(Buffer.from(op.key), val(i));
    else if (op.t === 'del') await e.delete(Buffer.from(op.key));
    else await e.write(op.ops.map((o) => (o.type === 'put' ? { type: 'put', key: Buffer.from(o.key), value: val(i) } : { type: 'del', key: Buffer.from(o.key) })));
    const ack = performance.now();
    say(`A ${i} ${e.lastSequence()} ${e.durableSequence()} ${start.toFixed(3)} ${ack.toFixed(3)}\n`);
  }
} else if (a.mode === 'syncs') {
  for (let i = 0; i < a.count; i++) await e.put(Buffer.from(`k${i}`), val(i));
  if (a.sync) await e.sync();
  say('DONE\n');
  process.exit(0);
} else {
  throw new Error(`unknown mode ${a.mode}`);
}
