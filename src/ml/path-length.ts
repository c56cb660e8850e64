/**
 * c(n), the average path length of an unsuccessful search in a binary search tree of n keys:
 * the expected depth still to go in a leaf holding n training samples, and the normaliser
 * c(ψ) of the anomaly score (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008, eq. 1;
 * "Isolation-based anomaly detection", TKDD 2012, §2.2).
 *
 * c(n) = 2·H(n−1) − 2(n−1)/n = 2·(H(n) − 1), c(1) = 0, c(2) = 1.
 * H(n) is summed exactly up to 512 (as isotree does); beyond, ln(n) + γ + 1/(2n) − 1/(12n²)
 * is accurate to better than 1e-13. scikit-learn uses ln(n−1) + γ for H(n−1) at every n,
 * which differs from the exact value by up to 0.15 for small n (c(3) = 5/3 here, 1.2074 there).
 */

const EULER_GAMMA = 0.5772156649015329;
const EXACT_UP_TO = 512;

/** H(k) for k = 0..512. */
const HARMONIC: Float64Array = (() => {
  const h = new Float64Array(EXACT_UP_TO + 1);
  for (let k = 1; k <= EXACT_UP_TO; k++) h[k] = h[k - 1] + 1 / k;
  return h;
})();

/** The n-th harmonic number H(n) = 1 + 1/2 + … + 1/n (n ≥ 0, H(0) = 0). */
export function harmonic(n: number): number {
  if (n <= EXACT_UP_TO) return HARMONIC[n];
  return Math.log(n) + EULER_GAMMA + 1 / (2 * n) - 1 / (12 * n * n);
}

/**
 * Average path length c(n) in edges for a node of n samples; 0 for n ≤ 1.
 * @param n number of samples (a non-negative integer)
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  return 2 * (harmonic(n) - 1);
}
