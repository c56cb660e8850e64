import { expect, test } from "bun:test";
import { TimeRing } from "./narrow-ring.ts";
import { follow, series } from "./ring-testing.ts";

const DAY = 86_400_000;

test.each([
  { name: "whole minutes at epoch times", values: series(2000, 1, (_, t) => t + 60_000, Date.UTC(2026, 4, 1)) },
  { name: "whole minutes, a reading missed now and then", values: series(2000, 11, (r, t) => t + (r() < 0.003 ? 120_000 : 60_000), Date.UTC(2026, 4, 1)) },
  { name: "irregular whole ms with outages", values: series(2000, 2, (r, t) => t + (r() < 0.02 ? 6 * 3_600_000 : Math.floor(r() * 90_000)), Date.UTC(2026, 4, 1)) },
  { name: "fractional ms (widens to 64 bits)", values: series(2000, 3, (r, t) => t + r() * 60_000, 1.7e12) },
  { name: "silences past 49 days (rebases, then widens)", values: series(2000, 4, (r, t) => t + (r() < 0.01 ? 60 * DAY : 60_000), 1.7e12) },
  { name: "before 1970 and past 2100", values: series(2000, 5, (r, t) => t + (r() < 0.01 ? 1e14 : 45_000), -7e12) },
  { name: "one time repeated, then a restart at an earlier time", values: [...(Array(100).fill(5e12) as number[]), ...series(100, 6, (_, t) => t + 1, 1e12)] },
])("TimeRing reads back every live time exactly: $name", ({ values }) => {
  const ring = new TimeRing(64);
  follow(ring, (i, t, head) => ring.set(i, t, head), values, 7);
});

test("a ring of whole-minute times takes no bytes a position; with no cadence, a byte and a block's anchor", () => {
  const ring = new TimeRing(64);
  follow(ring, (i, t, head) => ring.set(i, t, head), series(3000, 8, (_, t) => t + 60_000, Date.UTC(2026, 4, 1)), 9);
  expect(ring.bytes).toBeLessThanOrEqual(96); // one run
  const jittered = new TimeRing(64);
  const size = follow(jittered, (i, t, head) => jittered.set(i, t, head), series(3000, 8, (r, t) => t + (r() < 0.5 ? 120_000 : 60_000), Date.UTC(2026, 4, 1)), 9);
  expect(jittered.bytes).toBe(size + 31 + 8 * Math.ceil((size + 31) / 32));
});
