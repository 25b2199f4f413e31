import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { AcknowledgedCounterGenerator, CounterGenerator } from '../../workloads/generators/counters.js';
import { DiscreteGenerator } from '../../workloads/generators/discrete.js';
import { ExponentialGenerator } from '../../workloads/generators/exponential.js';
import { HotspotIntegerGenerator } from '../../workloads/generators/hotspot.js';
import { SkewedLatestGenerator } from '../../workloads/generators/skewed-latest.js';
import { SequentialGenerator, UniformLongGenerator } from '../../workloads/generators/uniform.js';
import { newOperation } from '../../workloads/operation.js';
import { Random } from '../../workloads/random.js';
import { OperationStream } from '../../workloads/stream.js';
import { chiSquare, chiSquareCritical, withinBinomial, ycsbZipfianProbs, zetaExact } from './stats.js';

// Tolerances: chi-square at upper-tail probability ~1e-6, binomial within 5 standard deviations.
const N = 300_000;

function histogram(next: () => number, lo: number, size: number, n = N): { counts: Float64Array; outside: number } {
  const counts = new Float64Array(size);
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const v = next() - lo;
    if (v >= 0 && v < size && Number.isInteger(v)) counts[v]!++;
    else outside++;
  }
  return { counts, outside };
}

function expectFits(counts: Float64Array, probs: ArrayLike<number>, n = N): void {
  const { stat, df } = chiSquare(counts, probs, n);
  expect(stat).toBeLessThan(chiSquareCritical(df));
}

describe('uniform and sequential', () => {
  it('UniformLongGenerator is uniform over [lb, ub] inclusive', () => {
    const g = new UniformLongGenerator(new Random(1), 50, 549);
    const { counts, outside } = histogram(() => g.next(), 50, 500);
    expect(outside).toBe(0);
    expectFits(counts, new Float64Array(500).fill(1 / 500));
  });
  it('SequentialGenerator counts from start and wraps after end', () => {
    const g = new SequentialGenerator(10, 13);
    expect(Array.from({ length: 9 }, () => g.next())).toEqual([10, 11, 12, 13, 10, 11, 12, 13, 10]);
  });
});

describe('hotspot', () => {
  it('sends hotopnfraction of draws uniformly to the first hotsetfraction of the range', () => {
    const g = new HotspotIntegerGenerator(new Random(2), 1000, 1999, 0.2, 0.8);
    expect(g.hotInterval).toBe(200);
    const { counts, outside } = histogram(() => g.next(), 1000, 1000);
    expect(outside).toBe(0);
    const probs = Float64Array.from({ length: 1000 }, (_, i) => (i < 200 ? 0.8 / 200 : 0.2 / 800));
    expectFits(counts, probs);
    const hot = counts.subarray(0, 200).reduce((a, b) => a + b, 0);
    expect(withinBinomial(hot, N, 0.8)).toBe(true);
  });
  it('treats out-of-range fractions as 0 and swaps reversed bounds, as YCSB does', () => {
    const g = new HotspotIntegerGenerator(new Random(3), 99, 0, 1.5, 0.5);
    expect([g.lowerBound, g.upperBound, g.hotInterval]).toEqual([0, 99, 0]);
    const { outside } = histogram(() => g.next(), 0, 100, 10_000);
    expect(outside).toBe(0);
  });
});

describe('exponential', () => {
  it('draws -ln(U)/gamma truncated, gamma = -ln(1 - pct/100)/range', () => {
    const g = new ExponentialGenerator(new Random(4), 95, 100);
    const gamma = -Math.log(0.05) / 100;
    expect(g.gamma).toBeCloseTo(gamma, 15);
    const size = 400;
    const { counts, outside } = histogram(() => g.next(), 0, size);
    const probs = Float64Array.from({ length: size }, (_, d) => Math.exp(-gamma * d) - Math.exp(-gamma * (d + 1)));
    const tail = Math.exp(-gamma * size);
    expect(withinBinomial(outside, N, tail)).toBe(true);
    expectFits(Float64Array.from([...counts, outside]), [...probs, tail]);
    // 95% of draws fall below range
    const below = counts.subarray(0, 100).reduce((a, b) => a + b, 0);
    expect(withinBinomial(below, N, 0.95)).toBe(true);
  });
});

describe('exponential through the stream (CoreWorkload.nextKeynum)', () => {
  it('reads lastAcknowledged - draw, redrawing negatives: a truncated geometric law', () => {
    const recordcount = 1000;
    const cfg = parseWorkloadConfig({ recordcount: String(recordcount), readproportion: '1', updateproportion: '0', requestdistribution: 'exponential' });
    const s = new OperationStream(cfg, 13);
    const gamma = -Math.log(1 - 0.95) / (recordcount * 0.8571428571);
    const op = newOperation();
    const { counts, outside } = histogram(() => {
      s.nextRunNumber(op);
      return recordcount - 1 - op.keynum;
    }, 0, recordcount);
    expect(outside).toBe(0);
    const norm = 1 - Math.exp(-gamma * recordcount);
    const probs = Float64Array.from({ length: recordcount }, (_, d) => (Math.exp(-gamma * d) - Math.exp(-gamma * (d + 1))) / norm);
    expectFits(counts, probs);
  });
});

describe('latest', () => {
  it('is max - zipfian(max) over the acknowledged counter, newest most popular, key 0 never', () => {
    const acked = new AcknowledgedCounterGenerator(1000); // lastValue 999
    const g = new SkewedLatestGenerator(new Random(5), acked);
    const max = 999;
    const { counts, outside } = histogram(() => max - g.next(), 0, max);
    expect(outside).toBe(0); // never key 0 (offset 999) and never above max
    expectFits(counts, ycsbZipfianProbs(max, zetaExact(max, 0.99), max));
    expect(withinBinomial(counts[0]!, N, 1 / zetaExact(max, 0.99))).toBe(true);
  });
  it('follows the counter as inserts are acknowledged (incremental zeta)', () => {
    const acked = new AcknowledgedCounterGenerator(100);
    const g = new SkewedLatestGenerator(new Random(6), acked);
    for (let i = 0; i < 50; i++) acked.acknowledge(acked.next());
    expect(acked.lastValue()).toBe(149);
    const zn = zetaExact(149, 0.99);
    // eta keeps YCSB's original item count (99) after growth: compute the exact law with it
    const probs = ycsbZipfianProbs(99, zn, 149, 0.99, 149);
    const { counts, outside } = histogram(() => 149 - g.next(), 0, 149);
    expect(outside).toBe(0);
    expectFits(counts, probs);
    expect(g.zipfian.zetaN).toBe(zetaExact(149, 0.99));
  });
});

describe('discrete operation chooser', () => {
  it('divides weights by their sum', () => {
    const d = new DiscreteGenerator<string>(new Random(7));
    d.addValue(3, 'a');
    d.addValue(1, 'b');
    d.addValue(1, 'c');
    let a = 0;
    let b = 0;
    for (let i = 0; i < N; i++) {
      const v = d.next();
      if (v === 'a') a++;
      else if (v === 'b') b++;
    }
    expect(withinBinomial(a, N, 0.6)).toBe(true);
    expect(withinBinomial(b, N, 0.2)).toBe(true);
  });
});

describe('counters and the acknowledged-counter rule', () => {
  it('CounterGenerator hands out start, start+1, ...', () => {
    const c = new CounterGenerator(5);
    expect(c.lastValue()).toBe(4);
    expect([c.next(), c.next()]).toEqual([5, 6]);
    expect(c.lastValue()).toBe(6);
  });
  it('lastValue only advances over a contiguous run of acknowledged values', () => {
    const c = new AcknowledgedCounterGenerator(10);
    const ids = [c.next(), c.next(), c.next(), c.next()]; // 10..13
    expect(c.lastValue()).toBe(9);
    c.acknowledge(ids[1]!);
    c.acknowledge(ids[3]!);
    expect(c.lastValue()).toBe(9);
    c.acknowledge(ids[0]!);
    expect(c.lastValue()).toBe(11);
    c.acknowledge(ids[2]!);
    expect(c.lastValue()).toBe(13);
  });
  it('rejects acknowledging a value never handed out, and a full window', () => {
    const c = new AcknowledgedCounterGenerator(0);
    expect(() => c.acknowledge(5)).toThrow();
    try {
      c.acknowledge(5);
    } catch (e) {
      expect(isKvError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
    const w = new AcknowledgedCounterGenerator(0);
    for (let i = 0; i <= 1 << 20; i++) w.next();
    for (let i = 1; i < 1 << 20; i++) w.acknowledge(i); // value 0 still pending
    expect(w.lastValue()).toBe(-1);
    expect(() => w.acknowledge(1 << 20)).toThrow(/Too many unacknowledged/);
  });
  it('the stream never reads a key whose insert is not acknowledged', () => {
    const cfg = parseWorkloadConfig({
      recordcount: '100', operationcount: '1000', readproportion: '0.5', insertproportion: '0.5',
      updateproportion: '0', requestdistribution: 'latest',
    });
    const s = new OperationStream(cfg, 11);
    const op = newOperation();
    const pending: number[] = [];
    const acked = new Set<number>(Array.from({ length: 100 }, (_, i) => i));
    let reads = 0;
    let readsOfNewest = 0;
    for (let i = 0; i < 20_000; i++) {
      s.nextRun(op);
      if (op.type === 'INSERT') {
        pending.push(op.keynum);
        // acknowledge in a scrambled order, lagging behind
        if (pending.length > 8) {
          const k = pending.splice((i * 7) % pending.length, 1)[0]!;
          s.acknowledge(k);
          acked.add(k);
        }
      } else {
        reads++;
        expect(acked.has(op.keynum)).toBe(true);
        expect(op.keynum).toBeLessThanOrEqual(s.lastAcknowledged());
        if (op.keynum === s.lastAcknowledged()) readsOfNewest++;
      }
    }
    expect(reads).toBeGreaterThan(5000);
    expect(readsOfNewest).toBeGreaterThan(0);
  });
});
