import { expect, test } from "bun:test";
import { NarrowRing, TimeRing } from "./narrow-ring.ts";
import { Random } from "./random.ts";

const DAY = 86_400_000;

/**
 * Drives a ring like its owners do (push at the tail, drop from the head, double when full)
 * and checks every live position against a plain array, bit for bit.
 */
function follow(ring: { at(i: number): number; grow(size: number, head: number, tail: number): void }, set: (i: number, x: number, head: number) => void, values: readonly number[], seed: number): void {
  const rnd = new Random(seed);
  let size = 64;
  let head = 0;
  for (let tail = 0; tail < values.length; tail++) {
    if (tail - head >= size) {
      size *= 2;
      ring.grow(size, head, tail);
    }
    set(tail, values[tail]!, head);
    if (rnd.uniform() < 0.4) head = Math.min(tail, head + Math.floor(rnd.uniform() * 3));
    for (let i = head; i <= tail; i++) {
      if (!Object.is(ring.at(i), values[i])) throw new Error(`position ${i}: ${ring.at(i)}, stored ${values[i]}`);
    }
  }
}

function series(n: number, seed: number, next: (rnd: () => number, prev: number) => number, first: number): number[] {
  const generator = new Random(seed);
  const rnd = () => generator.uniform();
  const out = [first];
  while (out.length < n) out.push(next(rnd, out.at(-1)!));
  return out;
}

test.each([
  { name: "whole minutes at epoch times", values: series(2000, 1, (_, t) => t + 60_000, Date.UTC(2026, 4, 1)) },
  { name: "irregular whole ms with outages", values: series(2000, 2, (r, t) => t + (r() < 0.02 ? 6 * 3_600_000 : Math.floor(r() * 90_000)), Date.UTC(2026, 4, 1)) },
  { name: "fractional ms (widens to 64 bits)", values: series(2000, 3, (r, t) => t + r() * 60_000, 1.7e12) },
  { name: "silences past 49 days (rebases, then widens)", values: series(2000, 4, (r, t) => t + (r() < 0.01 ? 60 * DAY : 60_000), 1.7e12) },
  { name: "before 1970 and past 2100", values: series(2000, 5, (r, t) => t + (r() < 0.01 ? 1e14 : 45_000), -7e12) },
  { name: "one time repeated, then a restart at an earlier time", values: [...(Array(100).fill(5e12) as number[]), ...series(100, 6, (_, t) => t + 1, 1e12)] },
])("TimeRing reads back every live time exactly: $name", ({ values }) => {
  const ring = new TimeRing(64);
  follow(ring, (i, t, head) => ring.set(i, t, head), values, 7);
});

test.each([
  { name: "all zero (no storage)", values: Array(500).fill(0), bytes: 0 },
  { name: "whole ms intervals (32 bits)", values: series(500, 8, (r) => Math.floor(r() * 900_000), 0), bytes: 4 },
  { name: "mostly zero, gallons in pulses of 10", values: series(500, 9, (r) => (r() < 0.9 ? 0 : 10), 0), bytes: 4 },
  { name: "fractions (widens to 64 bits)", values: series(500, 10, (r) => (r() < 0.5 ? 0 : r()), 0), bytes: 8 },
  { name: "NaN and infinities stay 32 bits", values: series(500, 11, (r) => [NaN, Infinity, -Infinity, 0.5][Math.floor(r() * 4)]!, 1), bytes: 4 },
])("NarrowRing reads back every live value exactly, as narrow as it stays exact: $name", ({ values, bytes }) => {
  const ring = new NarrowRing(64);
  follow(ring, (i, x) => ring.set(i, x), values, 12);
  expect(ring.bytes).toBe(512 * bytes);
});

test("NarrowRing reads −0 as 0 only while it holds nothing but zeros (its owners add it to sums from +0)", () => {
  const ring = new NarrowRing(4);
  ring.set(0, -0);
  expect(Object.is(ring.at(0), 0)).toBe(true);
  ring.set(1, 1);
  ring.set(2, -0);
  expect(Object.is(ring.at(2), -0)).toBe(true);
});
