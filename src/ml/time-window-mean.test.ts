import { expect, test } from "bun:test";
import { Random } from "./random.ts";
import { TimeWindowMean } from "./time-window-mean.ts";

const MIN = 60_000;

test("time-window mean weighs rows by the time they stand for and needs coverage", () => {
  const m = new TimeWindowMean(10);
  expect(m.push(0, 1, 0.5)).toBeNaN(); // 1 minute of 10 covered
  for (let i = 1; i < 5; i++) m.push(i * MIN, 1, 0.5);
  expect(m.push(5 * MIN, 1, 0.5)).toBe(1);
  // one 5-minute step at value 0: half the window
  expect(m.push(10 * MIN, 0, 0.5)).toBe(0.5); // rows 1..5 (one minute of 1 each) and the new row's 5 minutes of 0; row 0 has left the window
});

/** The mean as defined: every row in (t − W, t] weighs the time since the row before it, capped at 15 minutes. */
function reference(rows: { ts: number; x: number }[], windowMs: number, minCoverage: number): number {
  const t = rows.at(-1)!.ts;
  let w = 0;
  let wx = 0;
  rows.forEach((r, i) => {
    if (r.ts <= t - windowMs) return;
    const dt = i === 0 ? MIN : Math.min(Math.max(r.ts - rows[i - 1]!.ts, 0), 15 * MIN);
    w += dt;
    wx += dt * r.x;
  });
  return w < minCoverage * windowMs ? Number.NaN : wx / w;
}

test.each([
  { name: "1-minute rows at epoch times", t0: Date.UTC(2026, 4, 1), step: () => MIN },
  { name: "irregular fractional steps", t0: 0, step: (r: () => number) => r() * 3 * MIN },
  { name: "outages longer than the window", t0: Date.UTC(2026, 4, 1), step: (r: () => number) => (r() < 0.02 ? 8 * 60 * MIN : MIN) },
  { name: "silences past 49 days", t0: Date.UTC(2026, 4, 1), step: (r: () => number) => (r() < 0.005 ? 60 * 1440 * MIN : MIN) },
  { name: "times before 1970", t0: -Date.UTC(2200, 0, 1), step: () => 5 * MIN },
])("the mean follows its definition over 6,000 rows (through growth and re-summing): $name", ({ t0, step }) => {
  const generator = new Random(5);
  const rnd = () => generator.uniform();
  const m = new TimeWindowMean(30);
  const rows: { ts: number; x: number }[] = [];
  let ts = t0;
  for (let i = 0; i < 6000; i++) {
    ts += step(rnd);
    const x = rnd() - 0.7;
    rows.push({ ts, x });
    const got = m.push(ts, x, 0.5);
    const want = reference(rows.slice(-200), 30 * MIN, 0.5);
    if (Number.isNaN(want)) expect(got).toBeNaN();
    else expect(got).toBeCloseTo(want, 9);
  }
});
