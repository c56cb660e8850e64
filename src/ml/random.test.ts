import { expect, test } from "bun:test";
import { Random } from "./random.ts";

function draw(seed: number, n: number): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, () => r.nextUint32());
}

test("the same seed gives the same sequence; another seed another one", () => {
  expect(draw(42, 100)).toEqual(draw(42, 100));
  expect(draw(42, 100)).not.toEqual(draw(43, 100));
  expect(draw(1, 4)).not.toEqual(draw(2 ** 32 + 1, 4)); // the seed's high bits count too
});

test("uniform() lies in [0, 1) with mean ½ and variance 1/12", () => {
  const r = new Random(7);
  const n = 200_000;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    expect(u >= 0 && u < 1).toBe(true);
    sum += u;
    sumSq += u * u;
  }
  const mean = sum / n;
  expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
  expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
});

test("below(n) hits every value in [0, n) about equally often", () => {
  const r = new Random(3);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[r.below(7)]++;
  for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400); // > 4 standard deviations
});

test("outputs are unsigned 32-bit integers", () => {
  const r = new Random(0);
  let sawHigh = false;
  for (let i = 0; i < 1000; i++) {
    const x = r.nextUint32();
    expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
    if (x >= 2 ** 31) sawHigh = true;
  }
  expect(sawHigh).toBe(true);
});
