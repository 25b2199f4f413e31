/**
 * Bloom filter models: the false-positive rate of one filter, and the zero-result lookup cost of
 * an LSM tree (Monkey: the expected data blocks a get that finds nothing reads, Σ fpᵢ over the
 * runs it probes).
 */
import { probesFor } from '../../engines/lsm/bloom.js';

/** Source of the false-positive formula. */
export const BLOOM_SOURCE = 'Bloom (1970); the standard approximation (1 − e^(−k/b))^k, as LevelDB\'s bloom.cc comments it; k = the engine\'s own probes (engines/lsm/bloom.ts probesFor)';
/** Source of the zero-result lookup cost. */
export const MONKEY_SOURCE = 'Dayan, Athanassoulis, Idreos, "Monkey: Optimal Navigable Key-Value Store", SIGMOD 2017: zero-result lookup cost R = Σ fpᵢ over the runs probed';

/** The engine's k for `bitsPerKey` bits per key (0: no filter). */
export function bloomProbes(bitsPerKey: number): number {
  return bitsPerKey <= 0 ? 0 : probesFor(bitsPerKey);
}

/**
 * False-positive rate of a filter with `bitsPerKey` bits per key and `k` probes:
 * (1 − e^(−k/b))^k. No filter (b = 0) lets every probe through: 1.
 */
export function bloomFalsePositiveRate(bitsPerKey: number, k = bloomProbes(bitsPerKey)): number {
  if (bitsPerKey <= 0 || k <= 0) return 1;
  return (1 - Math.exp(-k / bitsPerKey)) ** k;
}

/** Monkey's zero-result lookup cost with the same filter on every one of `runs` runs: runs × fp. */
export function zeroResultCost(runs: number, bitsPerKey: number): number {
  return runs * bloomFalsePositiveRate(bitsPerKey);
}
