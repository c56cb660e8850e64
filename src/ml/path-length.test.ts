import { expect, test } from "bun:test";
import { averagePathLength, harmonic } from "./path-length.ts";

test.each([
  [0, 0],
  [1, 0],
  [2, 1],
  [3, 5 / 3], // 2·H(2) − 2·2/3 = 3 − 4/3
  [4, 13 / 6], // 2·H(3) − 2·3/4 = 11/3 − 3/2
])("c(%d) is exact", (n, expected) => {
  expect(averagePathLength(n)).toBeCloseTo(expected, 14);
});

test("c(n) equals 2·H(n−1) − 2(n−1)/n with H summed term by term, across the table edge at 512", () => {
  let h = 0; // H(n − 1)
  for (let n = 2; n <= 3000; n++) {
    h += 1 / (n - 1);
    expect(Math.abs(averagePathLength(n) - (2 * h - (2 * (n - 1)) / n))).toBeLessThan(1e-11);
  }
});

test("c(n) increases strictly with n", () => {
  for (let n = 1; n < 5000; n++) expect(averagePathLength(n + 1)).toBeGreaterThan(averagePathLength(n));
});

test("c(n) approaches scikit-learn's log form 2(ln(n−1) + γ) − 2(n−1)/n for large n", () => {
  const sklearn = (n: number) => 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
  expect(Math.abs(averagePathLength(256) - sklearn(256))).toBeLessThan(0.01);
  expect(Math.abs(averagePathLength(100_000) - sklearn(100_000))).toBeLessThan(1e-4);
  expect(averagePathLength(3) - sklearn(3)).toBeGreaterThan(0.4); // where the two differ: 1.667 vs 1.207
});

test("harmonic numbers: H(0) = 0, H(1) = 1, H(4) = 25/12, H(1000) ≈ ln 1000 + γ", () => {
  expect(harmonic(0)).toBe(0);
  expect(harmonic(1)).toBe(1);
  expect(harmonic(4)).toBeCloseTo(25 / 12, 14);
  expect(harmonic(1000)).toBeCloseTo(7.485470860550345, 12);
});
