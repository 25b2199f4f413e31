/** kvlab's zipfianconstant property (not YCSB's): absent or 0.99 is exactly YCSB's stream; another value changes the skew. */
import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { ZIPFIAN_CONSTANT } from '../../workloads/generators/zipfian.js';
import { newOperation } from '../../workloads/operation.js';
import { OperationStream } from '../../workloads/stream.js';

const base = { recordcount: '1000', operationcount: '20000', requestdistribution: 'zipfian' };

function keynums(props: Record<string, string>, n = 20000): number[] {
  const s = new OperationStream(parseWorkloadConfig(props), 5);
  const op = newOperation();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s.nextRunNumber(op);
    out.push(op.keynum);
  }
  return out;
}

/** Share of requests that go to the 10 most requested keys. */
function headShare(ks: number[]): number {
  const m = new Map<number, number>();
  for (const k of ks) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m.values()].sort((a, b) => b - a).slice(0, 10).reduce((a, c) => a + c, 0) / ks.length;
}

describe('zipfianconstant', () => {
  it('defaults to YCSB\'s 0.99, and 0.99 given is the same stream draw for draw', () => {
    expect(parseWorkloadConfig(base).zipfianconstant).toBe(ZIPFIAN_CONSTANT);
    expect(keynums({ ...base, zipfianconstant: '0.99' })).toEqual(keynums(base));
  });

  it('a larger theta concentrates requests on the head, a smaller one spreads them', () => {
    const h99 = headShare(keynums(base));
    expect(headShare(keynums({ ...base, zipfianconstant: '1.2' }))).toBeGreaterThan(h99 + 0.1);
    expect(headShare(keynums({ ...base, zipfianconstant: '0.5' }))).toBeLessThan(h99);
  });

  it('rejects 1, 0, negative, above 10 and non-numbers', () => {
    for (const v of ['1', '0', '-0.5', '11', 'x'])
      expect(() => parseWorkloadConfig({ ...base, zipfianconstant: v }), v).toThrow(/zipfianconstant/);
  });
});
