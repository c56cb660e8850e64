import { expect, test } from "bun:test";
import { ExactColumn } from "./exact-column.ts";

const same = (a: number, b: number) => Object.is(a, b);

test("a sensor's readings take half a byte a row, each its step from the last, and read back bit for bit", () => {
  const c = new ExactColumn(8);
  const xs = [52.1, 52.3, Number.NaN, 51.9, 52, 52.6, 51.9, 52.2];
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(0.5);
  expect(c.bytes()).toBe(4);
  // 52 → 52.6 is +6 tenths, the largest step half a byte holds; 52.6 → 51.9 is −7, the smallest.
  expect(c.asideCount).toBe(0);
  xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
  expect(Array.from(c.read(0, 8))).toEqual(xs);
  expect(Array.from(c.read(3, 7))).toEqual(xs.slice(3, 7));
});

test("a step too big for half a byte (a pump starting) is kept aside, the rest still half a byte a row", () => {
  const c = new ExactColumn(8);
  const xs = [0, 0, 7.35, 7.36, 7.34, 0, 0.01, 240.3];
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(0.5);
  expect(c.asideCount).toBe(3);
  xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
});

test("steps too often too big, or a row written before the newest, leave step mode, still exact", () => {
  const jumpy = new ExactColumn(400);
  const xs = Array.from({ length: 400 }, (_, i) => (i % 2 ? 240.3 : -3.25));
  xs.forEach((x, i) => jumpy.set(i, x));
  expect(jumpy.bytesPerRow).toBe(2);
  expect(Array.from(jumpy.read(0, 400))).toEqual(xs);

  const rewritten = new ExactColumn(4);
  [1, 2, 3].forEach((x, i) => rewritten.set(i, x));
  rewritten.set(1, 500.5);
  expect(rewritten.bytesPerRow).toBe(2);
  expect(Array.from(rewritten.read(0, 4))).toEqual([1, 500.5, 3, Number.NaN]);
});

test("sensor readings of a few decimals read back bit for bit", () => {
  const c = new ExactColumn(8);
  const xs = [240.3, 8.47, 0, 52.1, -3.25, Number.NaN, 327.67, 0.07];
  xs.forEach((x, i) => c.set(i, x));
  xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
  expect(Array.from(c.read(0, 8))).toEqual(xs);
});

test("a meter total takes a byte a row for what it adds; a column of big steps widens to Int32, still exact", () => {
  const c = new ExactColumn(4);
  c.set(0, 12.5);
  c.set(1, 572_500);
  c.set(2, 572_501.5);
  expect(c.bytesPerRow).toBe(0.5);
  expect(c.asideCount).toBe(2);
  expect(Array.from(c.read(0, 4))).toEqual([12.5, 572_500, 572_501.5, Number.NaN]);
  const wide = new ExactColumn(400);
  const xs = Array.from({ length: 400 }, (_, i) => (i % 2 ? 572_500 + i : 12.5));
  xs.forEach((x, i) => wide.set(i, x));
  expect(wide.bytesPerRow).toBe(4);
  expect(Array.from(wide.read(0, 400))).toEqual(xs);
});

test.each([
  ["a reading with more decimals than the column had", [1.5, 2.25, 3.125], 0.5],
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
  c.set(3, 6.5);
  expect(Array.from(c.read(0, 4))).toEqual([4.5, 5, 6, 6.5]);
});

test("moving rows short of the newest: the next reading steps from the last row kept", () => {
  const c = new ExactColumn(8);
  // 90 is a step too big for a byte, kept aside, and is among the rows dropped.
  [50, 51, 52, 90, 91].forEach((x, i) => c.set(i, x));
  c.move(1, 3, 8);
  c.set(2, 53);
  c.set(3, 200);
  expect(Array.from(c.read(0, 5))).toEqual([51, 52, 53, 200, Number.NaN]);
});

test("a buffer's life of appends, gaps, big steps and moves reads back as the plain numbers", () => {
  let seed = 3;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const c = new ExactColumn(300);
  let rows: number[] = [];
  let x = 52.1;
  for (let step = 0; step < 5_000; step++) {
    if (rows.length === c.capacity) {
      const from = Math.floor(rand() * rows.length);
      const capacity = rand() < 0.5 ? c.capacity : rows.length - from + 50 + Math.floor(rand() * 300);
      c.move(from, rows.length, capacity);
      rows = rows.slice(from);
    }
    const r = rand();
    // Mostly small moves, some gaps, some pump-like jumps.
    x = r < 0.1 ? Number.NaN : r < 0.104 ? Number((rand() * 300).toFixed(2)) : Number(((x === x ? x : 50) + (rand() - 0.5)).toFixed(1));
    c.set(rows.length, x);
    rows.push(x);
  }
  expect(c.bytesPerRow).toBe(1);
  const out = c.read(0, rows.length);
  rows.forEach((v, i) => expect(same(out[i]!, v)).toBe(true));
  expect(Array.from(c.read(7, 20)).map(String)).toEqual(rows.slice(7, 20).map(String));
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

test("a column sized ahead (a warm-up's day) widens over its written rows and keeps its size", () => {
  for (const last of [Math.PI, 0.1234567]) {
    const c = new ExactColumn(2_000);
    const xs = [52.1, 52.3, Number.NaN, 52.25, 52.125, last];
    xs.forEach((x, i) => c.set(i, x));
    expect(c.capacity).toBe(2_000);
    xs.forEach((x, i) => expect(same(c.get(i), x)).toBe(true));
    // The rows never written hold no reading, and can still be written.
    expect(Number.isNaN(c.get(6))).toBe(true);
    expect(Number.isNaN(c.get(1_999))).toBe(true);
    c.set(6, 52);
    expect(c.get(6)).toBe(52);
  }
  // A third decimal rescales a column of steps and it stays half a byte a row.
  const c = new ExactColumn(2_000);
  [52.1, 52.3, 52.25, 52.125].forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(0.5);
  expect(c.bytes()).toBe(1_000);
  expect(Array.from(c.read(0, 5))).toEqual([52.1, 52.3, 52.25, 52.125, Number.NaN]);
});

test("a burst of big steps early in a day keeps the column half a byte a row; big steps on most rows do not", () => {
  // A pump cycling hard for an hour (40 starts and stops), then a quiet day.
  const c = new ExactColumn(1_800);
  const xs = Array.from({ length: 1_600 }, (_, i) => (i < 80 ? (i % 2 ? 7.35 : 0) : [7.35, 7.36, 7.37][i % 3]!));
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(0.5);
  expect(c.asideCount).toBe(79);
  expect(Array.from(c.read(0, 1_600))).toEqual(xs);
  // Every other row a big step: a list of asides would outweigh a wider store.
  const d = new ExactColumn(1_800);
  const ys = Array.from({ length: 1_600 }, (_, i) => (i % 2 ? 7.35 : 0));
  ys.forEach((y, i) => d.set(i, y));
  expect(d.bytesPerRow).toBe(2);
  expect(Array.from(d.read(0, 1_600))).toEqual(ys);
});

test("steps mostly past half a byte but within a byte (a pressure rising a psi a minute) take a byte a row", () => {
  const c = new ExactColumn(1_800);
  const xs = Array.from({ length: 1_600 }, (_, i) => Number((40.1 + (i % 20)).toFixed(1)));
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(1);
  expect(Array.from(c.read(0, 1_600))).toEqual(xs);
  c.move(333, 1_600, 1_800);
  expect(Array.from(c.read(0, 1_267))).toEqual(xs.slice(333));
});

test("half-byte rows move by odd and even counts, in place and into a bigger store, and clear what follows", () => {
  const xs = Array.from({ length: 101 }, (_, i) => (i % 9 === 0 ? Number.NaN : (500 + (i % 5)) / 10));
  for (const from of [0, 1, 2, 7, 59, 60]) {
    for (const capacity of [101, 160]) {
      const c = new ExactColumn(101);
      xs.forEach((x, i) => c.set(i, x));
      expect(c.bytesPerRow).toBe(0.5);
      c.move(from, 60, capacity);
      const kept = xs.slice(from, 60);
      expect(Array.from(c.read(0, capacity)).map(String)).toEqual([...kept, ...Array(capacity - kept.length).fill(Number.NaN)].map(String));
      c.set(kept.length, 51);
      expect(c.get(kept.length)).toBe(51);
    }
  }
});

test("the rows kept aside take two bytes each while their integers fit 16 bits, four once one does not, still exact", () => {
  // A pump current in hundredths: 0 while off, a start is a step of hundreds.
  const c = new ExactColumn(2_000);
  const xs = Array.from({ length: 2_000 }, (_, i) => (i % 40 < 6 ? (735 + (i % 3)) / 100 : 0));
  xs.forEach((x, i) => c.set(i, x));
  expect(c.bytesPerRow).toBe(0.5);
  expect(c.asideCount).toBe(99); // each start and stop but the first reading's
  expect(c.asideBytes).toBeLessThanOrEqual(2 * 99 * 1.5);
  expect(Array.from(c.read(0, 2_000))).toEqual(xs);
  // A meter total past 32,767 gallons: the list becomes Int32, every aside kept.
  const m = new ExactColumn(400);
  const ys = Array.from({ length: 400 }, (_, i) => (i === 300 ? 40_000 : 100 + (i % 50 === 0 ? 30 * i : 0)));
  ys.forEach((y, i) => m.set(i, y));
  expect(m.asideBytes % 4).toBe(0);
  expect(m.asideBytes).toBeGreaterThanOrEqual(4 * m.asideCount);
  expect(Array.from(m.read(0, 400))).toEqual(ys);
  m.move(301, 400, 400);
  expect(Array.from(m.read(0, 99))).toEqual(ys.slice(301));
});

test.each([
  ["half a byte a row (a pressure)", 0.3, 0.004, 1],
  ["a byte a row (steps past half a byte)", 6, 0.004, 1],
  ["gaps first, then readings", 0.3, 0.3, 1],
  ["whole numbers (a meter), so the first reading needs no other decimals", 3, 0.1, 0],
])("reads as a poll makes them (the newest rows, then a range, between appends and moves) match the plain numbers: %s", (_, spread, gaps, digits) => {
  let seed = 11;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const c = new ExactColumn(400);
  let rows: number[] = [];
  let x = 50;
  let readTo = 0;
  // Rows after the newest read as no reading.
  const check = (from: number, to: number) => expect(Array.from(c.read(from, to)).map(String)).toEqual(Array.from({ length: to - from }, (_, i) => String(rows[from + i] ?? Number.NaN)));
  for (let step = 0; step < 6_000; step++) {
    if (rows.length === c.capacity) {
      const from = 1 + Math.floor(rand() * (rows.length - 1));
      const to = rows.length - Math.floor(rand() * 3);
      c.move(from, to, c.capacity);
      rows = rows.slice(from, to);
      readTo = Math.min(rows.length, Math.max(0, readTo - from));
    }
    // The first rows of a fresh column (and of the third case throughout) are often no reading.
    const r = rand();
    x = r < (step < 50 ? 0.9 : gaps) ? Number.NaN : Number(((x === x ? x : 50) + (rand() - 0.5) * 2 * spread).toFixed(digits));
    c.set(rows.length, x);
    rows.push(x);
    if (rand() < 0.2 && readTo <= rows.length) {
      check(readTo, rows.length);
      readTo = rows.length;
    }
    if (rand() < 0.02 && readTo <= rows.length) {
      const a = Math.floor(rand() * rows.length);
      check(a, a + Math.floor(rand() * (rows.length - a)));
    }
    // Reading from past the newest row, then writing before where that read began.
    if (rand() < 0.01 && rows.length + 5 < c.capacity) {
      check(rows.length + 1, rows.length + 5);
      readTo = rows.length + 1;
    }
  }
  check(0, rows.length);
});
