import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../torture/journal.js';
import { verifyRecovered } from '../../torture/verify.js';
import { decodeValue, keyBytes, keyIndex, valueBytes, type WorkloadOp } from '../../torture/workload.js';

// A tiny fixed history over 4 keys: op0 put k0, op1 batch(put k1, put k2), op2 del k0, op3 put k3.
const OPS: WorkloadOp[] = [
  { type: 'put', k: 0 },
  { type: 'batch', ops: [{ type: 'put', k: 1 }, { type: 'put', k: 2 }] },
  { type: 'del', k: 0 },
  { type: 'put', k: 3 },
];
const gen = (_c: number, o: number) => OPS[o]!;
const base = ['0.9', '-', '0.7', '-'];
const verify = (recovered: string[], durable: number, acked = 4, inFlight = false) =>
  verifyRecovered(1, base, { cycle: 5, acked, durable, inFlight }, recovered, true, gen);

describe('verifyRecovered', () => {
  it('accepts the full state and any state keeping the durable prefix', () => {
    expect(verify(['-', '5.1', '5.1', '5.3'], 4)).toEqual([]);
    expect(verify(['5.0', '-', '0.7', '-'], 1)).toEqual([]); // only op0 durable, nothing later applied
    expect(verify(['5.0', '5.1', '5.1', '-'], 1)).toEqual([]); // op1 applied, not durable
  });

  it('reports a lost durable write with its key', () => {
    const v = verify(['5.0', '5.1', '5.1', '-'], 4);
    expect(v.map((x) => [x.kind, x.key])).toEqual([
      ['lost', 0],
      ['lost', 3],
    ]);
  });

  it('reports a value no operation wrote, and a state an earlier recovery showed that vanished', () => {
    expect(verify(['5.0', '5.1', '5.1', '!00ff'], 1).map((x) => x.kind)).toEqual(['wrong-value']);
    expect(verify(['0.3', '-', '0.7', '-'], 0).map((x) => [x.kind, x.key])).toEqual([['lost', 0]]);
    expect(verify(['9.9', '-', '0.7', '-'], 0).map((x) => [x.kind, x.key])).toEqual([['wrong-value', 0]]);
    expect(verify(['0.9', '-', '-', '-'], 0).map((x) => [x.kind, x.key])).toEqual([['lost', 2]]);
  });

  it('reports a batch visible in part, only when batches are atomic', () => {
    const torn = ['5.0', '5.1', '0.7', '-'];
    expect(verify(torn, 1).map((x) => x.kind)).toEqual(['torn-batch']);
    expect(verifyRecovered(1, base, { cycle: 5, acked: 4, durable: 1, inFlight: false }, torn, false, gen)).toEqual([]);
  });

  it('allows the in-flight operation only when the child died during it', () => {
    expect(verify(['-', '5.1', '5.1', '5.3'], 3, 3, true)).toEqual([]);
    expect(verify(['-', '5.1', '5.1', '5.3'], 3, 3, false).map((x) => [x.kind, x.key])).toEqual([['wrong-value', 3]]);
  });
});

describe('journal and values', () => {
  it('ignores a torn last line and tracks the highest durable sequence', () => {
    const j = parseJournal('R 1.5 10 10\nD - 1.2\nA 0 11 10\nS 11\nA 1 12 11\nA 2 13');
    expect(j.ready).toEqual({ recoveryMs: 1.5, lastSeq: 10, durableSeq: 10 });
    expect(j.dump).toEqual(['-', '1.2']);
    expect(j.acks.map((a) => a.op)).toEqual([0, 1]);
    expect(j.maxDurable).toBe(11);
    expect(j.closedCleanly).toBe(false);
  });

  it('decodes exactly the values the workload writes and nothing else', () => {
    const v = valueBytes(7, 3, 42, 11);
    expect(decodeValue(7, 11, v)).toEqual({ cycle: 3, op: 42 });
    expect(decodeValue(7, 12, v)).toBeUndefined(); // another key's value
    expect(decodeValue(8, 11, v)).toBeUndefined(); // another run's value
    const bad = Buffer.from(v);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    if (bad.length > 12) expect(decodeValue(7, 11, bad)).toBeUndefined();
    expect(decodeValue(7, 11, v.subarray(0, v.length - 1))).toBeUndefined();
    expect(keyIndex(keyBytes(17))).toBe(17);
    expect(keyIndex(Buffer.from('other'))).toBe(-1);
  });
});
