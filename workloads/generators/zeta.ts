/**
 * The generalized harmonic number zeta(n, theta) = sum_{i=1..n} i^-theta that YCSB's
 * ZipfianGenerator needs.
 *
 * {@link zetaSum} is YCSB's own loop (`zetastatic`), term by term in the same order, so small
 * counts give bit-identical results. {@link zeta} is the fast form kvlab uses for set-up: the
 * first {@link DIRECT_TERMS} terms summed directly, the rest by the Euler–Maclaurin formula
 * (integral + endpoint terms + Bernoulli corrections B2, B4, B6). Its truncation error is below
 * 1e-20 (the next correction is of order M^-(theta+7) with M = 10,000), so what remains is double
 * rounding: it agrees with the exact sum to ~1e-14 relative, while YCSB's own 1e8-term float loop
 * drifts from the exact sum by more than that (measured in bench/workloads.ts, see README).
 */

/** Counts up to this are summed term by term exactly as YCSB does. */
export const DIRECT_TERMS = 10_000;

/** YCSB's `zetastatic(st, n, theta, initialsum)`: initialsum + sum_{i=st+1..n} i^-theta, in order. */
export function zetaSum(st: number, n: number, theta: number, initialsum: number): number {
  let sum = initialsum;
  for (let i = st; i < n; i++) sum += 1 / Math.pow(i + 1, theta);
  return sum;
}

/** zeta(n, theta) in O(DIRECT_TERMS) time for any n (see module doc for accuracy). */
export function zeta(n: number, theta: number): number {
  if (n <= DIRECT_TERMS) return zetaSum(0, n, theta, 0);
  const m = DIRECT_TERMS;
  const head = zetaSum(0, m - 1, theta, 0); // terms 1 .. m-1
  return head + eulerMaclaurinTail(m, n, theta);
}

/** sum_{i=m..n} i^-theta by Euler–Maclaurin (m large enough that B6 suffices). */
function eulerMaclaurinTail(m: number, n: number, theta: number): number {
  const f = (x: number): number => Math.pow(x, -theta);
  const integral = theta === 1 ? Math.log(n / m) : (Math.pow(n, 1 - theta) - Math.pow(m, 1 - theta)) / (1 - theta);
  // odd derivatives of x^-theta: f'(x) = -t x^(-t-1), f'''(x) = -t(t+1)(t+2) x^(-t-3), f5 = -t..(t+4) x^(-t-5)
  const d1 = (x: number): number => -theta * Math.pow(x, -theta - 1);
  const d3 = (x: number): number => -theta * (theta + 1) * (theta + 2) * Math.pow(x, -theta - 3);
  const d5 = (x: number): number => -theta * (theta + 1) * (theta + 2) * (theta + 3) * (theta + 4) * Math.pow(x, -theta - 5);
  return (
    integral +
    (f(m) + f(n)) / 2 +
    (d1(n) - d1(m)) / 12 -
    (d3(n) - d3(m)) / 720 +
    (d5(n) - d5(m)) / 30240
  );
}

/**
 * YCSB's incremental step (`zeta(countforzeta, itemcount, theta, zetan)`) when the item count
 * grows from `st` to `n`: term by term for small growth (as YCSB), by difference of fast sums
 * for large growth.
 */
export function zetaGrow(st: number, n: number, theta: number, zetaSt: number): number {
  if (n - st <= DIRECT_TERMS) return zetaSum(st, n, theta, zetaSt);
  return zetaSt + (zeta(n, theta) - zeta(st, theta));
}
