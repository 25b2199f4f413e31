/** The latency recorder agrees with hdr-histogram-js; trial statistics are right. */
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../harness/histogram.js';
import { median, trialStat, tQuantile95 } from '../../harness/stats.js';

describe('LatencyRecorder', () => {
  it('gives exactly the percentiles of an hdr-histogram-js histogram with the same settings', () => {
    const r = new LatencyRecorder();
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 42, numberOfSignificantValueDigits: 3, bitBucketSize: 64 });
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const v = Math.floor(Math.exp((x / 2147483648) * 30)); // 1 ns .. ~10^13 ns
      r.record(v);
      h.recordValue(Math.min(v, 2 ** 42 - 1));
    }
    const back = r.toHdr();
    expect(back.totalCount).toBe(20000);
    for (const p of [0.1, 1, 10, 50, 90, 99, 99.9, 99.99, 100]) {
      expect(back.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
      expect(r.valueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
    }
  });

  it('resolves sub-microsecond latencies to the nanosecond', () => {
    const r = new LatencyRecorder();
    r.record(150);
    r.record(151);
    r.record(999.4);
    expect(r.valueAtPercentile(30)).toBe(150);
    expect(r.valueAtPercentile(60)).toBe(151);
    expect(r.valueAtPercentile(100)).toBe(999);
  });

  it('counts values above the trackable range as clamped, never drops them', () => {
    const r = new LatencyRecorder();
    r.record(2 ** 45);
    expect(r.count).toBe(1);
    expect(r.clamped).toBe(1);
    expect(r.toHdr().totalCount).toBe(1);
  });
});

describe('trial statistics', () => {
  it('median, mean, sample stdDev and the Student-t 95% CI', () => {
    const s = trialStat([3, 1, 2]);
    expect(s.median).toBe(2);
    expect(s.mean).toBe(2);
    expect(s.stdDev).toBeCloseTo(1, 12);
    const half = (4.303 * 1) / Math.sqrt(3);
    expect(s.ci95![0]).toBeCloseTo(2 - half, 9);
    expect(s.ci95![1]).toBeCloseTo(2 + half, 9);
    expect(s.values).toEqual([3, 1, 2]);
  });
  it('one trial has no interval', () => {
    const s = trialStat([42]);
    expect(s).toMatchObject({ n: 1, median: 42, mean: 42, stdDev: 0, ci95: null });
  });
  it('even counts take the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('the t quantile falls towards 1.96 as the trials grow', () => {
    expect(tQuantile95(1)).toBe(12.706);
    expect(tQuantile95(9)).toBe(2.262);
    expect(tQuantile95(1000)).toBe(1.96);
  });
});
