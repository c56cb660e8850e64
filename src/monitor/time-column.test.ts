import { expect, test } from "bun:test";
import { TimeColumn } from "./time-column.ts";

const T0 = Date.UTC(2026, 5, 1);

test("times every minute take no bytes; others a byte a row (and a block's anchor), read back exactly across moves", () => {
  const t = new TimeColumn(64);
  for (let i = 0; i < 40; i++) t.set(i, T0 + i * 60_000);
  expect(t.width).toBe(0);
  expect(t.bytes()).toBe(0);
  t.set(40, T0 + 41 * 60_000); // a minute missed
  expect(t.width).toBe(1);
  expect(t.bytes()).toBe(64 + 31 + 8 * Math.ceil((64 + 31) / 32)); // 31 positions spare: moves go by whole blocks
  expect(t.get(40)).toBe(T0 + 41 * 60_000);
  expect(t.lowerBound(T0 + 60_001, 0, 40)).toBe(2);
  t.move(30, 40, 128);
  expect(t.capacity).toBe(128);
  t.set(10, T0 + 20 * 86_400_000); // twenty days later: 28,770 minutes from its block's anchor
  expect(t.width).toBe(2);
  expect(Array.from(t.read(0, 11))).toEqual([...Array.from({ length: 10 }, (_, i) => T0 + (30 + i) * 60_000), T0 + 20 * 86_400_000]);
  t.move(10, 11, 128); // the gap has left: narrow again
  expect(t.width).toBe(0);
  expect(t.get(0)).toBe(T0 + 20 * 86_400_000);
});

test("a millisecond off the minute widens the column to the unit that holds it", () => {
  const t = new TimeColumn(8);
  [0, 60_000, 120_001, 180_000].forEach((d, i) => t.set(i, T0 + d));
  expect(t.width).toBe(4);
  expect(Array.from(t.read(0, 4))).toEqual([T0, T0 + 60_000, T0 + 120_001, T0 + 180_000]);
  const s = new TimeColumn(8);
  [0, 1_000, 2_000, 60_000].forEach((d, i) => s.set(i, T0 + d));
  expect(s.width).toBe(1); // whole seconds, 60 of them at most
  s.set(4, T0 + 60_000 * 6);
  expect(s.width).toBe(2);
  expect(Array.from(s.read(0, 5))).toEqual([T0, T0 + 1_000, T0 + 2_000, T0 + 60_000, T0 + 360_000]);
});

test("a time that is not a whole millisecond turns the column into Float64, until it has moved out", () => {
  const t = new TimeColumn(3);
  t.set(0, T0);
  t.set(1, T0 + 0.5);
  t.set(2, T0 + 1);
  expect(t.width).toBe(8);
  expect(Array.from(t.read(0, 3))).toEqual([T0, T0 + 0.5, T0 + 1]);
  t.move(2, 3, 3);
  expect(t.width).toBe(0);
  expect(t.get(0)).toBe(T0 + 1);
  const far = new TimeColumn(2);
  far.set(0, 1);
  far.set(1, 1 + 3e12);
  expect(far.get(1)).toBe(1 + 3e12);
  far.move(1, 2, 2);
  expect(far.get(0)).toBe(1 + 3e12);
});
