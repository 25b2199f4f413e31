/** SLO clauses: the grammar (good and bad text), and judging a measured trial from its intended-start histograms. */
import { describe, expect, it } from 'vitest';
import { KvError } from '../../engines/errors.js';
import { LatencyRecorder } from '../../harness/histogram.js';
import type { PhaseTrial } from '../../harness/results.js';
import { holds, judgeTrial, parseClause, parseSlo } from '../../harness/slo.js';

describe('parseSlo', () => {
  it('reads op types (any case), percentiles and every unit', () => {
    expect(parseClause('p99<1ms')).toMatchObject({ op: 'overall', percentile: 99, limitNs: 1e6, inclusive: false, text: 'p99<1ms' });
    expect(parseClause('read.p99.9<5ms')).toMatchObject({ op: 'READ', percentile: 99.9, limitNs: 5e6, text: 'READ.p99.9<5ms' });
    expect(parseClause('Update.p50<=200us')).toMatchObject({ op: 'UPDATE', percentile: 50, limitNs: 200e3, inclusive: true });
    expect(parseClause('READMODIFYWRITE.p95<2s').limitNs).toBe(2e9);
    expect(parseClause('scan.p90 < 750 µs').limitNs).toBe(750e3);
    expect(parseClause('insert.p99<750μs').limitNs).toBe(750e3); // Greek mu as well as the micro sign
    expect(parseClause('overall.p100<1500ns')).toMatchObject({ op: 'overall', percentile: 100, limitNs: 1500, text: 'p100<1.5us' });
  });

  it('splits commas and repeated flags into clauses, each with its own op type', () => {
    const c = parseSlo(['update.p50<200us,p99<2ms', 'read.p99.9<5ms']);
    expect(c.map((x) => x.text)).toEqual(['UPDATE.p50<200us', 'p99<2ms', 'READ.p99.9<5ms']);
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty clause/], ['p99', /not a clause/], ['p99>1ms', /not a clause/], ['p99<1', /not a clause/],
    ['p99<1parsec', /unknown unit 'parsec'/], ['delete.p99<1ms', /unknown op type 'delete'/], ['p0<1ms', /outside/],
    ['p101<1ms', /outside/], ['p99<0ms', /positive/], ['99<1ms', /not a clause/], ['p99<1ms,', /empty clause/],
  ];
  for (const [text, re] of bad) {
    it(`refuses '${text}' with one INVALID_ARGUMENT line`, () => {
      let err: unknown;
      try {
        parseSlo([text]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KvError);
      expect((err as KvError).code).toBe('INVALID_ARGUMENT');
      expect((err as KvError).message).toMatch(re);
      expect((err as KvError).message.split('\n')).toHaveLength(1);
    });
  }
  it('refuses no clause and a percentile bounded twice', () => {
    expect(() => parseSlo([])).toThrow(/--slo is required/);
    expect(() => parseSlo(['p99<1ms', 'overall.p99<2ms'])).toThrow(/bounded twice/);
  });
});

/** A trial whose READ intended latencies are `readNs` and UPDATE's `updateNs` (other fields are not read). */
function trial(readNs: number[], updateNs: number[] | null): PhaseTrial {
  const rec = (xs: number[]) => {
    const r = new LatencyRecorder();
    for (const x of xs) r.record(x);
    return r;
  };
  // the service times are all 1 ns: a clause judged on service time instead of intended-start latency would pass
  const service = (n: number) => rec(Array(n).fill(1)).toRecord();
  const read = rec(readNs);
  const all = rec([...readNs, ...(updateNs ?? [])]);
  const op = (r: LatencyRecorder) => ({ count: r.count, failures: 0, failureCodes: {}, notFound: 0, latency: service(r.count), intendedLatency: r.toRecord() });
  return {
    ops: { READ: op(read), ...(updateNs ? { UPDATE: op(rec(updateNs)) } : {}) },
    overall: { latency: service(all.count), intendedLatency: all.toRecord() },
  } as unknown as PhaseTrial;
}

describe('judgeTrial', () => {
  // 100 reads: 98 at 100 µs, 2 at 3 ms → p99 = 3 ms (HDR: within 0.1%), p50 = 100 µs
  const reads = [...Array(98).fill(100_000), 3_000_000, 3_000_000];
  it('measures the intended-start percentile of the clause’s op type and every clause must hold', () => {
    const t = trial(reads, Array(100).fill(50_000));
    const v = judgeTrial(parseSlo(['read.p50<200us', 'read.p99<1ms', 'update.p99<100us']), t);
    expect(v.map((x) => x.pass)).toEqual([true, false, true]);
    expect(v[1]!.measuredNs! / 3e6).toBeCloseTo(1, 2);
    expect(v[0]!.measuredNs! / 1e5).toBeCloseTo(1, 2);
    // overall: 2 of 200 at 3 ms, so p99 (the 198th) is 100 µs and p99.5 (the 199th) is 3 ms
    expect(judgeTrial(parseSlo(['p99<1ms', 'p99.5<1ms']), t).map((x) => x.pass)).toEqual([true, false]);
  });
  it('an op type that did not occur is measured as null and fails', () => {
    const v = judgeTrial(parseSlo(['update.p99<1s']), trial(reads, null));
    expect(v[0]).toEqual({ text: 'UPDATE.p99<1s', measuredNs: null, pass: false });
  });
  it('< is strict, <= is not', () => {
    const [lt, le] = parseSlo(['p99<1ms', 'p50<=1ms']);
    expect(holds(lt!, 1e6)).toBe(false);
    expect(holds(le!, 1e6)).toBe(true);
    expect(holds(le!, null)).toBe(false);
  });
});
