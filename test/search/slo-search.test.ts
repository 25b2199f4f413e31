/**
 * The search algorithm against a deterministic latency model (no engine, no clock): doubling then
 * bisection converges on the known capacity within the precision; a step that does not achieve
 * its target fails however good its latency; every clause must hold; halving when the start fails.
 */
import { describe, expect, it } from 'vitest';
import { parseSlo, holds, type SloClause } from '../../harness/slo.js';
import { judgeStep, kneeOf, searchRate, type StepMeasure, type StepRunner } from '../../harness/slo-search.js';

/** A model engine: every clause i measures latency(i, rate); it achieves min(rate, maxRate). */
function model(clauses: SloClause[], latency: (i: number, rate: number) => number, maxRate = Infinity): StepRunner & { targets: number[] } {
  const targets: number[] = [];
  const run = async (target: number): Promise<StepMeasure> => {
    targets.push(target);
    return {
      achieved: Math.min(target, maxRate), failures: 0,
      clauses: clauses.map((c, i) => ({ text: c.text, measuredNs: latency(i, target), pass: holds(c, latency(i, target)) })),
    };
  };
  return Object.assign(run, { targets });
}

/** The algorithm's invariants on any outcome: doubling stages double, bisection stays strictly inside the bracket known so far. */
function checkShape(steps: Array<{ stage: string; target: number; pass: boolean }>): void {
  let pass = -Infinity;
  let fail = Infinity;
  steps.forEach((s, i) => {
    if (i > 0 && s.stage === 'double') expect(s.target).toBe(steps[i - 1]!.target * 2);
    if (s.stage === 'halve') expect(s.target).toBe(steps[i - 1]!.target / 2);
    if (s.stage === 'bisect') {
      expect(s.target).toBeGreaterThan(pass);
      expect(s.target).toBeLessThan(fail);
      expect(s.target).toBe((pass + fail) / 2);
    }
    if (s.pass) pass = Math.max(pass, s.target);
    else fail = Math.min(fail, s.target);
  });
}

describe('searchRate', () => {
  const slo = parseSlo(['p99<1ms']);
  // p99 is 100 µs below the capacity and 5 ms above it (a cliff at 37 000 ops/s)
  const cliff = (cap: number) => (_i: number, r: number) => (r <= cap ? 100_000 : 5_000_000);

  it('doubles, then bisects to the capacity within the precision', async () => {
    const run = model(slo, cliff(37_000));
    const o = await searchRate({ startRate: 1000, precision: 0.05, maxSteps: 30 }, run);
    expect(o.steps.slice(0, 7).map((s) => [s.stage, s.target])).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000].map((t) => ['double', t]));
    expect(o.steps.slice(7).every((s) => s.stage === 'bisect')).toBe(true);
    checkShape(o.steps);
    expect(o.stoppedBy).toBe('precision');
    expect(o.converged).toBe(true);
    const { pass, fail } = o.bracket;
    expect(pass!).toBeLessThanOrEqual(37_000);
    expect(fail!).toBeGreaterThan(37_000);
    expect((fail! - pass!) / pass!).toBeLessThanOrEqual(0.05);
    expect(o.highestPassingRate).toBe(pass);
    expect(o.steps.filter((s) => s.pass).every((s) => s.target <= 37_000)).toBe(true);
  });

  it('halves when the start rate already fails, then bisects', async () => {
    const o = await searchRate({ startRate: 100_000, precision: 0.02, maxSteps: 30 }, model(slo, cliff(9_000)));
    expect(o.steps.slice(0, 5).map((s) => s.stage)).toEqual(['double', 'halve', 'halve', 'halve', 'halve']);
    checkShape(o.steps);
    expect(o.converged).toBe(true);
    expect(o.bracket.pass!).toBeLessThanOrEqual(9_000);
    expect(o.bracket.fail!).toBeGreaterThan(9_000);
  });

  it('a step that misses its target rate fails even with good latency', async () => {
    // latency always fine; the engine tops out at 20 000 ops/s: passes while 20 000 >= 0.95 × target
    const run = model(slo, () => 50_000, 20_000);
    const o = await searchRate({ startRate: 1000, precision: 0.01, maxSteps: 40 }, run);
    const cap = 20_000 / 0.95;
    expect(o.bracket.pass!).toBeLessThanOrEqual(cap);
    expect(o.bracket.fail!).toBeGreaterThan(cap);
    const failed = o.steps.filter((s) => !s.pass);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      expect(s.keptUp).toBe(false);
      expect(s.clauses.every((c) => c.pass)).toBe(true);
      expect(s.reasons.join()).toMatch(/< 95% of the target/);
    }
  });

  it('every clause must hold: the tighter clause decides', async () => {
    const two = parseSlo(['p99<1ms', 'read.p50<200us']);
    // clause 0 holds up to 50 000 ops/s, clause 1 only up to 12 000
    const run = model(two, (i, r) => (i === 0 ? cliff(50_000)(i, r) : r <= 12_000 ? 100_000 : 300_000));
    const o = await searchRate({ startRate: 1000, precision: 0.05, maxSteps: 30 }, run);
    expect(o.bracket.pass!).toBeLessThanOrEqual(12_000);
    expect(o.bracket.fail!).toBeGreaterThan(12_000);
    const mixed = o.steps.find((s) => s.clauses[0]!.pass && !s.clauses[1]!.pass);
    expect(mixed?.pass).toBe(false);
  });

  it('stops at max steps without claiming convergence; cool-down runs between steps only', async () => {
    let cooldowns = 0;
    const o = await searchRate({ startRate: 1000, precision: 0.001, maxSteps: 9 }, model(slo, cliff(37_000)), { between: async () => void cooldowns++ });
    expect(o.steps).toHaveLength(9);
    expect(cooldowns).toBe(8);
    expect(o.stoppedBy).toBe('max-steps');
    expect(o.converged).toBe(false);
    expect(o.highestPassingRate).toBe(o.bracket.pass);
  });

  it('an aborted step ends the search', async () => {
    let n = 0;
    const o = await searchRate({ startRate: 1000, precision: 0.05, maxSteps: 30 }, async () => ({ achieved: 1000 * 2 ** n, failures: 0, clauses: [{ text: 'p99<1ms', measuredNs: 1, pass: true }], ...(n++ === 2 ? { aborted: 'TIMEOUT' } : {}) }));
    expect(o.steps).toHaveLength(3);
    expect(o.stoppedBy).toBe('aborted');
    expect(o.steps[2]!.pass).toBe(false);
  });

  it('failed operations fail a step', () => {
    expect(judgeStep(1000, { achieved: 1000, failures: 3, clauses: [] }).reasons).toEqual(['3 failed operations']);
  });
});

describe('kneeOf', () => {
  it('is the lowest tried rate whose first-clause value reaches 2× the lowest-rate value', () => {
    const st = (target: number, v: number | null) => ({ target, clauses: [{ text: 'p99<1ms', measuredNs: v, pass: true }] });
    // tried out of order, as a search does
    const k = kneeOf([st(4000, 150), st(1000, 100), st(16000, 900), st(8000, 210), st(2000, null)]);
    expect(k).toMatchObject({ rate: 8000, valueNs: 210, baselineNs: 100, factor: 2, clause: 'p99<1ms' });
    expect(kneeOf([st(1000, 100), st(2000, 150)]).rate).toBeNull();
  });
});
