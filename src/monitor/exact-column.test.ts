import { expect, test } from "bun:test";
import { ExactColumn } from "./exact-column.ts";

const same = (a: number, b: number) => Object.is(a, b);

test("sensor readings of a few decimals take 2 bytes a row and read back bit for bit", () => {
  const c = new ExactColumn(8);
  const xs = [240.3, 8.47, 0, 52.1, -3.25, Number.NaN, 327.67, 0.07];
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(2);
  xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
  expect(Array.from(c.read(0, 8))).toEqual(xs);
});

test("a meter total widens the column to Int32, still exact", () => {
  const c = new ExactColumn(4);
  c.set(0, 12.5);
  c.set(1, 572_500);
  c.set(2, 572_501.5);
  expect(c.bytesPerRow).toBe(4);
  expect(Array.from(c.read(0, 4))).toEqual([12.5, 572_500, 572_501.5, Number.NaN]);
});

test.each([
  ["a reading with more decimals than the column had", [1.5, 2.25, 3.125], 2],
  ["one beyond six decimals", [240.3, Math.PI], 8],
  ["a huge one", [1, 3e12], 8],
  ["negative zero", [1, -0], 8],
  ["a third of something", [2, 1 / 3], 8],
])("%s: the column rescales or falls back to Float64, every row exact", (_name, xs, width) => {
  const c = new ExactColumn(xs.length + 1);
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(width);
  xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
  expect(Number.isNaN(c.get(xs.length))).toBe(true);
});

test("moving rows keeps them exact and leaves no reading after them", () => {
  const c = new ExactColumn(6);
  [1, 2, 3, 4.5, 5, 6].forEach((x, i) => c.set(i, x));
  c.move(3, 6, 6);
  expect(Array.from(c.read(0, 6))).toEqual([4.5, 5, 6, Number.NaN, Number.NaN, Number.NaN]);
  c.move(0, 3, 10);
  expect(c.capacity).toBe(10);
  expect(Array.from(c.read(0, 4))).toEqual([4.5, 5, 6, Number.NaN]);
});

test("random readings of 0–4 decimals, any magnitude, round-trip exactly", () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const c = new ExactColumn(2_000);
  const xs: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const k = Math.floor(rand() * 5);
    const x = Number((rand() * 10 ** Math.floor(rand() * 7) * (rand() < 0.2 ? -1 : 1)).toFixed(k));
    xs.push(x);
    c.set(i, x);
  }
  xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
});
