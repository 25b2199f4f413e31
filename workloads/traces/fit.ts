/**
 * Fits a zipfian popularity to ranked key counts (counts[0] the most requested key).
 *
 * The constant (theta) is the maximum-likelihood estimate of a discrete zipf over the n
 * observed keys, P(rank r) = r^-theta / H(n, theta), with the ranks taken from the observed
 * counts: the log-likelihood  -theta·Σ c_r ln r − N ln H(n, theta)  has its maximum where
 * E_theta[ln r] = (Σ c_r ln r) / N; E_theta[ln r] falls monotonically with theta, so bisection
 * finds it. The fit error is reported two ways: R² of log(count) against log(rank) for the
 * fitted line (1 − residual / total sum of squares, the fitted model's own line, not a free
 * regression), and the RMS error of log10(count) against that line. The ordinary least-squares
 * slope of log(count) on log(rank) is given too, for comparison (it is pulled flat by the tail
 * of keys seen once or twice, which is why it is not the estimate).
 */

/** The fitted zipfian and how well it fits. */
export interface ZipfFit {
  theta: number;
  method: 'maximum-likelihood';
  /** Distinct keys (n). */
  keys: number;
  /** Requests (N). */
  requests: number;
  /** R² of log(count) vs log(rank) against the fitted model's line. */
  r2: number;
  /** RMS error of log10(count) against the fitted model's line. */
  rmsLog10: number;
  /** Least-squares slope of log(count) on log(rank), negated (for comparison). */
  leastSquaresTheta: number;
}

/** E_theta[ln r] over ranks 1..n. */
function meanLogRank(n: number, theta: number, logs: Float64Array): number {
  let h = 0;
  let s = 0;
  for (let r = 1; r <= n; r++) {
    const p = Math.exp(-theta * logs[r - 1]!);
    h += p;
    s += p * logs[r - 1]!;
  }
  return s / h;
}

/**
 * Fits ranked counts (descending, all > 0). Memory and time O(n · 60) for the bisection.
 * A single key (or all keys equally often) gives theta 0 with r2 NaN (nothing to fit).
 */
export function fitZipf(counts: ArrayLike<number>): ZipfFit {
  const n = counts.length;
  const logs = new Float64Array(n);
  let total = 0;
  let sumCLog = 0;
  for (let r = 1; r <= n; r++) {
    const c = counts[r - 1]!;
    if (!(c > 0) || (r > 1 && c > counts[r - 2]!)) throw new RangeError('fitZipf: counts must be positive and in descending order');
    logs[r - 1] = Math.log(r);
    total += c;
    sumCLog += c * logs[r - 1]!;
  }
  const target = n > 0 ? sumCLog / total : 0;
  let lo = 0;
  let hi = 10;
  if (n <= 1 || meanLogRank(n, 0, logs) <= target) hi = 0;
  for (let i = 0; i < 60 && hi > 0; i++) {
    const mid = (lo + hi) / 2;
    if (meanLogRank(n, mid, logs) > target) lo = mid;
    else hi = mid;
  }
  const theta = (lo + hi) / 2;
  // the fitted line: log c_r = log(N / H) - theta log r
  let h = 0;
  for (let r = 1; r <= n; r++) h += Math.exp(-theta * logs[r - 1]!);
  const a = Math.log(total / h);
  let mean = 0;
  for (let r = 0; r < n; r++) mean += Math.log(counts[r]!) / n;
  let ssRes = 0;
  let ssTot = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let r = 0; r < n; r++) {
    const y = Math.log(counts[r]!);
    const x = logs[r]!;
    ssRes += (y - (a - theta * x)) ** 2;
    ssTot += (y - mean) ** 2;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const slope = n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
  return {
    theta, method: 'maximum-likelihood', keys: n, requests: total,
    r2: ssTot > 0 ? 1 - ssRes / ssTot : NaN,
    rmsLog10: n > 0 ? Math.sqrt(ssRes / n) / Math.LN10 : NaN,
    leastSquaresTheta: -slope,
  };
}
