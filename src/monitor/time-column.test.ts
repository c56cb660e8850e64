import { expect, test } from "bun:test";
import { TimeColumn } from "./time-column.ts";

const T0 = Date.UTC(2026, 5, 1);

test("times every minute take no bytes a row, a missed minute or a later restart a run, read back exactly across moves", () => {
  const t = new TimeColumn(64);
  for (let i = 0; i < 40; i++) t.set(i, T0 + i * 60_000);
  expect(t.width).toBe(0);
  expect(t.bytes()).toBeLessThanOrEqual(96); // a few runs' arrays, whatever the rows
  expect(t.lowerBound(T0 + 60_001, 0, 40)).toBe(2);
  t.move(30, 40, 128);
  expect(t.capacity).toBe(128);
  t.set(10, T0 + 20 * 86_400_000); // twenty days later
  t.set(11, T0 + 20 * 86_400_000 + 120_000);
  expect(t.width).toBe(0);
  expect(Array.from(t.read(0, 12))).toEqual([...Array.from({ length: 10 }, (_, i) => T0 + (30 + i) * 60_000), T0 + 20 * 86_400_000, T0 + 20 * 86_400_000 + 120_000]);
  t.move(10, 12, 128);
  expect([t.get(0), t.get(1)]).toEqual([T0 + 20 * 86_400_000, T0 + 20 * 86_400_000 + 120_000]);
});

test("times with no cadence are packed to the unit that holds them: a byte a row for whole minutes, more for milliseconds", () => {
  const minutes = new TimeColumn(64);
  let m = T0;
  for (let i = 0; i < 60; i++) minutes.set(i, (m += (i * 7) % 3 === 0 ? 120_000 : 60_000));
  expect(minutes.width).toBe(1);
  const t = new TimeColumn(64);
  const times = Array.from({ length: 60 }, (_, i) => T0 + i * 60_000 + ((i * 37) % 11));
  times.forEach((x, i) => t.set(i, x));
  expect(t.width).toBe(4);
  expect(Array.from(t.read(0, 60))).toEqual(times);
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
