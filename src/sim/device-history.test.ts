import { expect, test } from "bun:test";
import { DayCache, DeviceHistory } from "./device-history.ts";
import { resolveScenario } from "./scenario.ts";
import { deviceSpec } from "./site.ts";

const DAY = 86_400_000;
const ORIGIN = Date.UTC(2026, 4, 1, 7, 13);

test("a day regenerated from its checkpoint equals the first generation", () => {
  const spec = deviceSpec(42, 0, 0);
  const small = new DeviceHistory(spec, 42, ORIGIN, new DayCache(1));
  const day = small.dayOf(ORIGIN) + 5;
  const first = small.day(day);
  small.day(day + 1); // evicts `day` from the one-day cache
  const again = small.day(day);
  expect(again).not.toBe(first);
  expect(again.ts).toEqual(first.ts);
  for (const k of small.keys) expect(again.columns[k]).toEqual(first.columns[k]);
  // A history read straight to that day (no intermediate days recorded) agrees too.
  const fresh = new DeviceHistory(spec, 42, ORIGIN, new DayCache(1));
  expect(fresh.day(day).columns.Pulse_TotalGallons).toEqual(first.columns.Pulse_TotalGallons);
});

test("countSamples matches the samples visited, with overlapping gaps and the origin", () => {
  const spec = { ...deviceSpec(42, 0, 1), sampleIntervalSeconds: 30 };
  const h = new DeviceHistory(spec, 42, ORIGIN, new DayCache(4));
  h.addScenario(resolveScenario({ deviceId: spec.id, kind: "gap", startMs: ORIGIN + DAY, endMs: ORIGIN + DAY + 3_600_000 }));
  h.addScenario(resolveScenario({ deviceId: spec.id, kind: "gap", startMs: ORIGIN + DAY + 1_800_000, endMs: ORIGIN + DAY + 7_200_000 + 7 }));
  for (const [a, b] of [
    [ORIGIN - DAY, ORIGIN + 3 * DAY],
    [ORIGIN + DAY - 1, ORIGIN + DAY + 9_000_000],
    [ORIGIN + 5 * 60_000 + 1, ORIGIN + 2 * DAY + 17],
  ]) {
    let visited = 0;
    let last = -Infinity;
    h.forEachSample(a, b, false, (frame, r) => {
      expect(frame.ts[r]).toBeGreaterThan(last);
      last = frame.ts[r];
      visited++;
      return true;
    });
    expect(h.countSamples(a, b)).toBe(visited);
  }
  expect(h.countSamples(ORIGIN + DAY, ORIGIN + DAY + 7_200_000)).toBe(0);
});

test("descending visits in reverse and stops when asked", () => {
  const spec = deviceSpec(42, 0, 2);
  const h = new DeviceHistory(spec, 42, ORIGIN, new DayCache(4));
  const seen: number[] = [];
  h.forEachSample(ORIGIN, ORIGIN + 2 * DAY, true, (frame, r) => {
    seen.push(frame.ts[r]);
    return seen.length < 3;
  });
  const lastTs = Math.ceil((ORIGIN + 2 * DAY) / 60_000) * 60_000 - 60_000;
  expect(seen).toEqual([lastTs, lastTs - 60_000, lastTs - 120_000]);
});
