/**
 * Statistics for the workload fidelity tests, written independently of workloads/:
 * chi-square goodness of fit with a stated critical value, binomial bounds, and the exact
 * item probabilities of YCSB's zipfian algorithm (not the ideal Zipf law).
 */

/** Pearson's chi-square statistic of observed counts against expected probabilities (buckets with expected < 5 are merged). */
export function chiSquare(observed: ArrayLike<number>, probs: ArrayLike<number>, total: number): { stat: number; df: number } {
  let stat = 0;
  let df = -1;
  let accO = 0;
  let accE = 0;
  for (let i = 0; i < probs.length; i++) {
    accO += observed[i]!;
    accE += probs[i]! * total;
    if (accE >= 5) {
      stat += ((accO - accE) * (accO - accE)) / accE;
      df++;
      accO = 0;
      accE = 0;
    }
  }
  if (accE > 0) {
    stat += ((accO - accE) * (accO - accE)) / accE;
    df++;
  }
  return { stat, df: Math.max(df, 1) };
}

/**
 * The chi-square critical value for `df` degrees of freedom at upper-tail probability ~1e-6
 * (z = 4.75), by the Wilson–Hilferty approximation. A correct generator fails with
 * probability ~1e-6 per test (and the seeds are fixed, so a pass is reproducible).
 */
export function chiSquareCritical(df: number, z = 4.75): number {
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

/** Whether `count` successes in `n` trials is within `z` standard deviations of probability p. */
export function withinBinomial(count: number, n: number, p: number, z = 5): boolean {
  const sd = Math.sqrt(n * p * (1 - p));
  return Math.abs(count - n * p) <= z * sd + 1e-9;
}

/** sum_{i=1..n} i^-theta term by term (YCSB's zetastatic). */
export function zetaExact(n: number, theta: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += 1 / Math.pow(i + 1, theta);
  return s;
}

/**
 * Exact probabilities P(offset = j), j = 0..k-1, of YCSB's ZipfianGenerator.nextLong(itemcount)
 * for a generator built over `items` items with zeta `zetan` (u uniform in [0,1)):
 *   u*zetan < 1 -> 0; u*zetan < 1 + 0.5^theta -> 1; else floor(itemcount * (eta*u - eta + 1)^alpha).
 */
export function ycsbZipfianProbs(items: number, zetan: number, k: number, theta = 0.99, itemcount = items): Float64Array {
  const zeta2 = 1 + Math.pow(0.5, theta);
  const eta = (1 - Math.pow(2 / items, 1 - theta)) / (1 - zeta2 / zetan);
  const t0 = Math.min(1, 1 / zetan);
  const t1 = Math.min(1, zeta2 / zetan);
  // formula gives >= j  iff  u >= c(j) = 1 - (1 - (j/itemcount)^(1-theta)) / eta
  const c = (j: number): number => 1 - (1 - Math.pow(j / itemcount, 1 - theta)) / eta;
  const p = new Float64Array(k);
  p[0] = t0;
  if (k > 1) p[1] = t1 - t0;
  for (let j = 0; j < k; j++) {
    const lo = Math.max(t1, c(j));
    const hi = Math.min(1, c(j + 1));
    if (hi > lo) p[j]! += hi - lo;
  }
  return p;
}

/** Independent FNV-1a 64 (YCSB Utils.fnvhash64) in BigInt. */
export function fnvBigInt(val: bigint): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < 8; i++) {
    h ^= val & 0xffn;
    val >>= 8n;
    h = (h * 1099511628211n) & 0xffffffffffffffffn;
  }
  const signed = BigInt.asIntN(64, h);
  return signed < 0n && signed !== -(1n << 63n) ? -signed : signed;
}
