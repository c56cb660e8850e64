import { expect, test } from "bun:test";
import { matrixRows } from "./matrix-rows.ts";
import { RowPool } from "./row-pool.ts";

test("up to its capacity the pool is every row offered, in order", () => {
  const pool = new RowPool(2, 10, 1);
  for (let i = 0; i < 7; i++) pool.offer([i, 10 - i]);
  expect(pool.complete).toBe(true);
  expect(matrixRows(pool.matrix()).map((r) => Array.from(r))).toEqual(Array.from({ length: 7 }, (_, i) => [i, 10 - i]));
});

test("past its capacity it keeps a uniform sample of the rows offered, the same for the same seed", () => {
  const kept = (seed: number) => {
    const pool = new RowPool(1, 1000, seed, 20_000);
    for (let i = 0; i < 20_000; i++) pool.offer([i]);
    expect(pool.complete).toBe(false);
    expect(pool.offered).toBe(20_000);
    return matrixRows(pool.matrix()).map((r) => r[0]!);
  };
  const rows = kept(7);
  expect(rows.length).toBe(1000);
  expect(kept(7)).toEqual(rows);
  expect(kept(8)).not.toEqual(rows);
  // Uniform: each quarter of the stream holds about a quarter of the pool (binomial sd ≈ 14).
  for (let q = 0; q < 4; q++) {
    const n = rows.filter((x) => x >= q * 5000 && x < (q + 1) * 5000).length;
    expect(n).toBeGreaterThan(180);
    expect(n).toBeLessThan(320);
  }
});

test("release gives the rows' storage up: a matrix over the pool reads empty afterwards", () => {
  const pool = new RowPool(3, 100, 1);
  for (let i = 0; i < 50; i++) pool.offer([i, i, i]);
  const rows = matrixRows(pool.matrix());
  expect(rows[49]!.length).toBe(3);
  pool.release();
  expect(rows.every((r) => r.length === 0)).toBe(true);
});
