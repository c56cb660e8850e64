import { expect, test } from "bun:test";
import { computeConsumption, medianIntervalMs } from "./consumption.ts";
import { localClock } from "./local-time.ts";
import { HOUR, JAN1 } from "./testing.ts";

/** Hourly readings with a meter replacement on Jan 1 at 21:00 and a gap from 23:00 to 03:00. */
function replacementAndGap(): { ts: number[]; counter: number[] } {
  const ts: number[] = [];
  const counter: number[] = [];
  for (let h = 0; h <= 20; h++) { ts.push(JAN1 + h * HOUR); counter.push(100 + 5 * h); } // 100 … 200
  ts.push(JAN1 + 21 * HOUR); counter.push(3); // new meter, 3 gal since the swap
  ts.push(JAN1 + 22 * HOUR); counter.push(8);
  ts.push(JAN1 + 23 * HOUR); counter.push(13);
  ts.push(JAN1 + 27 * HOUR); counter.push(33); // 4 h gap, +20 gal
  for (let h = 28; h <= 47; h++) { ts.push(JAN1 + h * HOUR); counter.push(33 + 2 * (h - 27)); } // … 73 at Jan 2 23:00
  ts.push(JAN1 + 48 * HOUR); counter.push(75); // Jan 3 00:00
  return { ts, counter };
}

test("a replacement and a gap give the exact daily totals", () => {
  const { ts, counter } = replacementAndGap();
  const c = computeConsumption(Float64Array.from(ts), Float64Array.from(counter), { gapMs: 2 * HOUR });
  // Jan 1: 20 h × 5 = 100 on the old meter, 3 on the new one before 21:00, 5 + 5, and 1 h of the 4 h gap (20 × 1/4).
  // Jan 2: 3 h of the gap (15), 20 h × 2 = 40, and 23:00 → 00:00 (2).
  expect(c.daily.map((d) => d.value)).toEqual([118, 57]);
  expect(c.daily.map((d) => d.filledValue)).toEqual([5, 15]);
  expect(c.daily.map((d) => d.startMs)).toEqual([JAN1, JAN1 + 24 * HOUR]);
  expect(c.totalGallons).toBe(175);
  expect(c.replacements).toEqual([{ ts: JAN1 + 21 * HOUR, oldReading: 200, newReading: 3 }]);
  expect(c.gaps).toEqual([{ startMs: JAN1 + 23 * HOUR, endMs: JAN1 + 27 * HOUR, gallons: 20 }]);
  // Nothing negative, the running total never falls.
  for (let i = 1; i < c.usedGallons.length; i++) expect(c.usedGallons[i]).toBeGreaterThanOrEqual(c.usedGallons[i - 1]);
  expect(Math.min(...c.intervalGallons.filter((x) => !Number.isNaN(x)))).toBeGreaterThanOrEqual(0);
  // The gap row is the one marked filled; hourly buckets inside the gap carry 5 gal each.
  const gapRow = ts.indexOf(JAN1 + 27 * HOUR);
  expect([...c.filled].reduce((a, b) => a + b, 0)).toBe(1);
  expect(c.filled[gapRow]).toBe(1);
  expect(c.flowGpm[gapRow]).toBeCloseTo(20 / 240, 12);
  const inGap = c.hourly.filter((h) => h.startMs >= JAN1 + 23 * HOUR && h.startMs < JAN1 + 27 * HOUR);
  expect(inGap.map((h) => [h.value, h.filledValue])).toEqual([[5, 5], [5, 5], [5, 5], [5, 5]]);
  expect(c.resolutionGallons).toBe(2);
});

test("a fall within the tolerance is jitter, not a replacement, and is not counted twice", () => {
  const ts = Float64Array.from([0, 1, 2, 3, 4], (i) => JAN1 + i * 60_000);
  const c = computeConsumption(ts, Float64Array.from([100, 100.5, 99.8, 100.5, 101]));
  expect(c.replacements).toEqual([]);
  expect(c.totalGallons).toBeCloseTo(1, 12);
  expect([...c.intervalGallons].slice(1).map((x) => +x.toFixed(6))).toEqual([0.5, 0, 0, 0.5]);
});

test("days follow the site's time zone: local midnight in Chicago is 06:00 UTC in winter", () => {
  const ts = Float64Array.from([JAN1 + 5 * HOUR, JAN1 + 7 * HOUR]);
  const c = computeConsumption(ts, Float64Array.from([100, 110]), { clock: localClock("America/Chicago"), gapMs: 3 * HOUR });
  expect(c.daily.map((d) => [new Date(d.startMs).toISOString(), d.value])).toEqual([
    ["2025-12-31T06:00:00.000Z", 5],
    ["2026-01-01T06:00:00.000Z", 5],
  ]);
});

test("readings missing on some rows are skipped, not read as zero", () => {
  const ts = Float64Array.from([0, 1, 2, 3], (i) => JAN1 + i * 60_000);
  const c = computeConsumption(ts, Float64Array.from([10, NaN, 12, 13]), { gapMs: 5 * 60_000 });
  expect(c.totalGallons).toBe(3);
  expect(Number.isNaN(c.intervalGallons[1])).toBe(true);
  expect(c.flowGpm[2]).toBe(1); // 2 gal over 2 min
  expect(c.replacements.length).toBe(0);
});

test("the median interval is the sorted middle interval, with many ties and few", () => {
  let seed = 1;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff;
  for (let trial = 0; trial < 2000; trial++) {
    const n = 2 + Math.floor(rnd() * 60);
    const ts = new Float64Array(n);
    for (let i = 1; i < n; i++) ts[i] = ts[i - 1]! + (rnd() < 0.5 ? 60_000 : 1_000 * Math.floor(1 + rnd() * 120));
    const sorted = Array.from({ length: n - 1 }, (_, i) => ts[i + 1]! - ts[i]!).sort((a, b) => a - b);
    expect(medianIntervalMs(ts)).toBe(sorted[(n - 1) >> 1]!);
  }
  expect(medianIntervalMs(new Float64Array([5]))).toBe(60_000);
});
