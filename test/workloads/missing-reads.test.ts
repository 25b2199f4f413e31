import { describe, expect, it } from 'vitest';
import { loadProperties } from '../../workloads/properties.js';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { workloadFile } from '../../workloads/files.js';
import { newOperation } from '../../workloads/operation.js';
import { MISSING_KEY_OFFSET, OperationStream } from '../../workloads/stream.js';
import { withinBinomial } from './stats.js';

const config = (over: Record<string, string>) =>
  parseWorkloadConfig(loadProperties([workloadFile('workloadc')], { recordcount: '5000', operationcount: '20000', ...over }));

/** The run's keys and whether each was loaded. */
function run(over: Record<string, string>, n: number) {
  const cfg = config(over);
  const s = new OperationStream(cfg, 42);
  const op = newOperation();
  const loaded = new Set<string>();
  while (s.nextLoad(op)) loaded.add(op.key.toString('latin1'));
  const out: Array<{ key: string; keynum: number; present: boolean }> = [];
  for (let i = 0; i < n; i++) {
    s.nextRun(op);
    const key = op.key.toString('latin1');
    out.push({ key, keynum: op.keynum, present: loaded.has(key) });
  }
  return out;
}

describe('missingreadproportion (kvlab extension)', () => {
  it('sends that fraction of READs to keys never loaded, and leaves the others exactly as YCSB draws them', () => {
    const n = 20_000;
    const plain = run({}, n);
    const half = run({ missingreadproportion: '0.5' }, n);
    expect(plain.every((o) => o.present)).toBe(true);
    const misses = half.filter((o) => !o.present);
    expect(withinBinomial(misses.length, n, 0.5)).toBe(true);
    // a miss is the same draw, moved to the disjoint key space; a hit is YCSB's key unchanged
    half.forEach((o, i) => {
      if (o.present) expect(o.key).toBe(plain[i]!.key);
      else expect(o.keynum).toBe(plain[i]!.keynum + MISSING_KEY_OFFSET);
    });
  });

  it('rejects a proportion outside 0..1', () => {
    expect(() => config({ missingreadproportion: '1.5' })).toThrow(/missingreadproportion: must be from 0 to 1/);
    expect(() => config({ missingreadproportion: 'half' })).toThrow(/not a number/);
  });
});
