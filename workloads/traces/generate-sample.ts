/**
 * Deterministic sample traces in exactly the Twitter cache-trace CSV format (twitter.ts), with
 * KNOWN parameters, so the reader, the replay and `kvlab trace analyze` can be tested against
 * the truth. Real traces cannot be downloaded here; the shipped samples under
 * workloads/traces/samples/ are this generator's output for {@link SAMPLES} (a test
 * regenerates them byte for byte).
 *
 * Model: `keys` keys, key of popularity rank r (1-based) requested with probability
 * r^-theta / H(keys, theta), drawn EXACTLY (inverse CDF over the exact probabilities, not YCSB's
 * approximation); the rank-to-key mapping is scrambled. Operation drawn from `mix` (weights,
 * independent of the key). Each key has one value size, uniform in [valueMin, valueMax],
 * written on every write (get/gets/delete write 0, as the published traces do). Requests come
 * at exactly `rate` per second: request i has timestamp floor(i / rate). Writes carry a TTL
 * from {0, 600, 3600, 86400}; other requests 0. Client ids 1..8.
 */
import { writeFileSync } from 'node:fs';
import { invalidArgument } from '../../engines/errors.js';
import { Random } from '../random.js';
import { TWITTER_MAPPING, TWITTER_OPS, type TwitterOp } from './twitter.js';

/** A sample's parameters. */
export interface SampleSpec {
  seed: number;
  requests: number;
  keys: number;
  theta: number;
  /** Requests per second (timestamps are floor(i / rate)). */
  rate: number;
  valueMin: number;
  valueMax: number;
  /** Weights of the operations (normalised). */
  mix: Partial<Record<TwitterOp, number>>;
}

/** The op mix of the shipped samples: every operation of the format occurs. */
export const SAMPLE_MIX: Readonly<Partial<Record<TwitterOp, number>>> = {
  get: 0.71, gets: 0.05, set: 0.15, add: 0.02, replace: 0.01, cas: 0.01, append: 0.005, prepend: 0.005, incr: 0.01, decr: 0.005, delete: 0.025,
};

/** The shipped samples: workloads/traces/samples/<name>.csv. */
export const SAMPLES: Readonly<Record<string, SampleSpec>> = {
  'twitter-theta0.9': { seed: 9, requests: 12000, keys: 1000, theta: 0.9, rate: 200, valueMin: 16, valueMax: 1024, mix: SAMPLE_MIX },
  'twitter-theta1.1': { seed: 11, requests: 12000, keys: 1000, theta: 1.1, rate: 400, valueMin: 100, valueMax: 400, mix: SAMPLE_MIX },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const TTLS = [0, 600, 3600, 86400];

/** Checks a spec. Errors: INVALID_ARGUMENT. */
export function checkSampleSpec(s: SampleSpec): void {
  const pos = (n: number, what: string): void => {
    if (!Number.isSafeInteger(n) || n < 1) throw invalidArgument(`${what} must be a positive integer, got ${n}`);
  };
  pos(s.requests, 'requests');
  pos(s.keys, 'keys');
  pos(s.rate, 'rate');
  if (!Number.isSafeInteger(s.seed)) throw invalidArgument(`seed must be an integer, got ${s.seed}`);
  if (!(s.theta > 0 && s.theta <= 10)) throw invalidArgument(`theta must be in (0, 10], got ${s.theta}`);
  if (!Number.isSafeInteger(s.valueMin) || !Number.isSafeInteger(s.valueMax) || s.valueMin < 1 || s.valueMax < s.valueMin)
    throw invalidArgument(`value sizes must be integers with 1 <= min <= max, got ${s.valueMin}..${s.valueMax}`);
  const w = Object.entries(s.mix);
  if (w.length === 0 || w.some(([op, x]) => !(TWITTER_OPS as readonly string[]).includes(op) || !(x! >= 0)) || !(w.reduce((a, [, x]) => a + x!, 0) > 0))
    throw invalidArgument(`mix must give non-negative weights to operations of ${TWITTER_OPS.join(', ')}`);
}

/**
 * The sample as CSV text (one "\n"-terminated line per request). Deterministic: the same spec
 * gives the same bytes on any machine (kvlab's seeded PRNG). Memory: O(keys) tables plus the
 * text. Errors: INVALID_ARGUMENT (see {@link checkSampleSpec}).
 */
export function generateSample(s: SampleSpec): string {
  checkSampleSpec(s);
  const rng = new Random(s.seed, 0);
  // exact zipf CDF over ranks 1..keys
  const cdf = new Float64Array(s.keys);
  let sum = 0;
  for (let r = 1; r <= s.keys; r++) cdf[r - 1] = sum += Math.pow(r, -s.theta);
  for (let i = 0; i < s.keys; i++) cdf[i]! /= sum;
  // scrambled key names and per-key value sizes
  const names: string[] = [];
  const sizes = new Int32Array(s.keys);
  const seen = new Set<string>();
  for (let i = 0; i < s.keys; i++) {
    let name: string;
    do {
      name = `ns${rng.nextBelow(4)}:u:`;
      for (let j = 0; j < 14; j++) name += ALPHABET[rng.nextBelow(ALPHABET.length)];
    } while (seen.has(name));
    seen.add(name);
    names.push(name);
    sizes[i] = s.valueMin + rng.nextBelow(s.valueMax - s.valueMin + 1);
  }
  const ops = Object.entries(s.mix).filter(([, w]) => w! > 0) as Array<[TwitterOp, number]>;
  const total = ops.reduce((a, [, w]) => a + w, 0);
  const opCdf = ops.map(([, w], i) => ops.slice(0, i + 1).reduce((a, [, x]) => a + x, 0) / total);
  const out: string[] = [];
  for (let i = 0; i < s.requests; i++) {
    const u = rng.nextDouble();
    let lo = 0;
    let hi = s.keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    const v = rng.nextDouble();
    let k = 0;
    while (k < ops.length - 1 && opCdf[k]! <= v) k++;
    const op = ops[k]![0];
    const write = TWITTER_MAPPING[op].action === 'write';
    const name = names[lo]!;
    const client = 1 + rng.nextBelow(8);
    const ttl = write ? TTLS[rng.nextBelow(TTLS.length)]! : 0;
    out.push(`${Math.floor(i / s.rate)},${name},${name.length},${write ? sizes[lo] : 0},${client},${op},${ttl}\n`);
  }
  return out.join('');
}

/** Writes {@link generateSample}'s text to `path`. Errors: INVALID_ARGUMENT, IO (as thrown by node:fs). */
export function writeSample(path: string, s: SampleSpec): void {
  writeFileSync(path, generateSample(s));
}
