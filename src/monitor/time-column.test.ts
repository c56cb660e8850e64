import { expect, test } from "bun:test";
import { TimeColumn } from "./time-column.ts";

const T0 = Date.UTC(2026, 5, 1);

test("epoch milliseconds are held as 4-byte offsets and read back exactly, across moves", () => {
  const t = new TimeColumn(4);
  [0, 60_000, 120_001, 180_000].forEach((d, i) => t.set(i, T0 + d));
  expect(t.bytes()).toBe(16);
  expect(Array.from(t.read(0, 4))).toEqual([T0, T0 + 60_000, T0 + 120_001, T0 + 180_000]);
  expect(t.lowerBound(T0 + 60_001, 0, 4)).toBe(2);
  t.move(2, 4, 8);
  expect(t.capacity).toBe(8);
  t.set(2, T0 + 20 * 86_400_000); // twenty days later: still an offset from the moved base
  expect(Array.from(t.read(0, 3))).toEqual([T0 + 120_001, T0 + 180_000, T0 + 20 * 86_400_000]);
  expect(t.bytes()).toBe(32);
});

test("a time that is not a whole millisecond, or too far from the base, turns the column into Float64", () => {
  const t = new TimeColumn(3);
  t.set(0, T0);
  t.set(1, T0 + 0.5);
  t.set(2, T0 + 1);
  expect(t.bytes()).toBe(24);
  expect(Array.from(t.read(0, 3))).toEqual([T0, T0 + 0.5, T0 + 1]);
  const far = new TimeColumn(2);
  far.set(0, 1);
  far.set(1, 1 + 3e9);
  expect(far.get(1)).toBe(1 + 3e9);
  far.move(1, 2, 2);
  expect(far.get(0)).toBe(1 + 3e9);
});
