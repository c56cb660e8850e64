import { expect, test } from "bun:test";
import { DecimalRing } from "./decimal-ring.ts";
import { follow, series } from "./ring-testing.ts";

test.each([
  { name: "all zero: no storage", values: Array(500).fill(0), bytes: 0, aside: 0 },
  { name: "a minute's interval every time: no storage", values: Array(500).fill(60_000), bytes: 0, aside: 0 },
  { name: "a value no decimal holds, every time: no storage", values: Array(500).fill(22 / 3), bytes: 0, aside: 0 },
  { name: "a minute's interval with a gap now and then: the gaps kept aside, no storage", values: series(500, 10, (r) => (r() < 0.02 ? 0 : 60_000), 60_000), bytes: 0, aside: -1 },
  { name: "a minute's interval with a gap often: a byte", values: series(500, 10, (r) => (r() < 0.2 ? 0 : 60_000), 60_000), bytes: 1, aside: 0 },
  { name: "a pump's current, 0 but while it runs: the running values kept aside, no storage", values: series(2000, 17, (r, x) => (x === 0 ? (r() < 0.003 ? 7.35 : 0) : r() < 0.2 ? 0 : Math.round((6 + r() * 5) * 100) / 100), 0), bytes: 0, aside: -1 },
  { name: "pressure in tenths over 30 psi: 16 bits", values: series(500, 1, (r) => Math.round((40 + r() * 30) * 10) / 10, 52.3), bytes: 2, aside: 0 },
  { name: "pressure in tenths between a switch's 40 and 60 psi: a byte about their middle", values: series(500, 13, (r) => Math.round((39.7 + r() * 20.5) * 10) / 10, 52.3), bytes: 1, aside: 0 },
  { name: "a pressure wandering by tenths from 30 psi (the byte's middle follows it)", values: series(2000, 14, (r, x) => Math.round((x + 0.005 + (r() - 0.5) * 0.2) * 10) / 10, 30), bytes: 1, aside: 0 },
  { name: "negative values in a byte about their middle", values: series(500, 15, (r) => -1000 + Math.floor(r() * 255), -900), bytes: 1, aside: 0 },
  { name: "intervals of about a minute in ms: thousands, 8 bits", values: series(500, 9, (r) => 1000 * (30 + Math.floor(r() * 90)), 60_000), bytes: 1, aside: 0 },
  { name: "whole-second intervals in ms: thousands, 16 bits", values: series(500, 2, (r) => 1000 * Math.floor(r() * 600), 60_000), bytes: 2, aside: 0 },
  { name: "a meter's total in tenths: 32 bits", values: series(500, 3, (r, x) => Math.round((x + r() * 5) * 10) / 10, 572_500), bytes: 4, aside: 0 },
  { name: "one more decimal later: rescaled", values: [...series(250, 4, (r) => Math.round(r() * 90) / 10, 1), ...series(250, 5, (r) => Math.round(r() * 900) / 100, 1.25)], bytes: 2, aside: 0 },
  { name: "a three-phase mean now and then (7.333…): kept aside", values: series(500, 6, (r) => (r() < 0.01 ? 22 / 3 : Math.round(r() * 900) / 100), 1), bytes: 2, aside: -1 },
  { name: "−0, NaN, infinities and 1e300 kept aside", values: series(500, 7, (r) => (r() < 0.02 ? [-0, NaN, Infinity, -Infinity, 1e300][Math.floor(r() * 5)]! : Math.round(r() * 100)), 1), bytes: 1, aside: -1 },
  { name: "mostly without a short form: plain Float64", values: series(500, 8, (r) => r(), 0.5), bytes: 8, aside: 0 },
])("DecimalRing reads back every live value exactly, as narrow as it stays exact: $name", ({ values, bytes, aside }) => {
  const ring = new DecimalRing(64);
  const size = follow(ring, (i, x, head) => ring.set(i, x, head), values, 12);
  expect(ring.bytes).toBe(size * bytes);
  if (aside >= 0) expect(ring.asideCount).toBe(aside);
  else expect(ring.asideCount).toBeGreaterThan(0);
});

test("values kept aside are forgotten once they leave the live positions", () => {
  const ring = new DecimalRing(8);
  let origin = 0;
  for (let i = 0; i < 200; i++) {
    const head = Math.max(0, i - 4);
    if (i - origin >= 8) ring.compact(8, (origin = head), i);
    ring.set(i, i & 7 ? i : i + 1 / 3, head);
    expect(ring.at(i)).toBe(i & 7 ? i : i + 1 / 3);
  }
  expect(ring.asideCount).toBeLessThanOrEqual(1);
});

test("a ring whose odd values have left lets its store go at the next compaction, and takes one again", () => {
  // 16 positions: one exception may be kept without a store, two may not.
  const ring = new DecimalRing(16);
  let origin = 0;
  const values: number[] = [];
  for (let i = 0; i < 100; i++) {
    const head = Math.max(0, i - 10);
    if (i - origin >= 16) ring.compact(16, (origin = head), i);
    const x = i === 5 || i === 6 || i === 70 || i === 72 ? 0 : 60_000;
    values.push(x);
    ring.set(i, x, head);
    for (let j = head; j <= i; j++) expect(ring.at(j)).toBe(values[j]!);
    if (i === 5) expect([ring.bytes, ring.asideCount]).toEqual([0, 1]);
    if (i === 6) expect(ring.bytes).toBe(16);
    if (i === 40) expect([ring.bytes, ring.asideCount]).toEqual([0, 0]);
    if (i === 75) expect(ring.bytes).toBe(16);
  }
});

test("a ring of one value but a few keeps them aside, makes a store when they outgrow it, and lets it go when few are left", () => {
  // 1,600 positions: up to 100 exceptions without a store; back to none at 50 or fewer.
  const ring = new DecimalRing(1600);
  const values: number[] = [];
  const window = 1400;
  const odd = (i: number) => (i >= 2000 && i < 2120) || i % 200 === 7;
  const bytesAt = new Map<number, number>();
  let origin = 0;
  for (let i = 0; i < 6000; i++) {
    const head = Math.max(0, i - window);
    if (i - origin >= 1600) ring.compact(1600, (origin = head), i);
    const x = odd(i) ? 8.47 + (i % 3) / 100 : 0;
    values.push(x);
    ring.set(i, x, head);
    if (i % 97 === 0 || i === 2100) for (let j = head; j <= i; j++) expect(ring.at(j)).toBe(values[j]!);
    if (i % 500 === 0 || i === 2100) bytesAt.set(i, ring.bytes);
  }
  // A few odd values: none; a pump running for 120 rows: a store; once they have left, none again.
  expect(bytesAt.get(1500)).toBe(0);
  expect(bytesAt.get(2100)).toBeGreaterThan(0);
  expect(bytesAt.get(5500)).toBe(0);
  expect(ring.asideCount).toBeGreaterThan(0);
});

test("a ring that needed two bytes for a spike takes one again at the compaction after it has left", () => {
  const ring = new DecimalRing(64);
  const values = series(600, 16, (r) => Math.round((40 + r() * 20) * 10) / 10, 50);
  values[100] = 95.5; // 955 tenths: 55 psi above the others
  const size = follow(ring, (i, x, head) => ring.set(i, x, head), values, 17);
  expect(ring.bytes).toBe(size);
  // And while it is live, two.
  const wide = new DecimalRing(64);
  follow(wide, (i, x, head) => wide.set(i, x, head), values.slice(0, 110), 17);
  expect(wide.bytes).toBe(2 * 64);
});
