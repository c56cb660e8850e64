import { expect, test } from "bun:test";
import { baselineTriggers, dailyFeatures, type DayFeatures } from "./baseline.ts";
import { localClock } from "./local-time.ts";
import { frameOf, DAY, HOUR, JAN1, MINUTE } from "./testing.ts";

function days(use: number[]): DayFeatures[] {
  return use.map((u, i) => ({
    date: `d${i}`, startMs: JAN1 + i * DAY, endMs: JAN1 + (i + 1) * DAY,
    useGallons: u, offHoursGallons: NaN, dutyCycle: NaN, nightPressureDropPsiPerHour: NaN, nightLevelDropPctPerHour: NaN,
  }));
}

const usual = [100, 110, 90, 100, 110, 90, 100, 110, 90, 100];

test("z against the previous days, with the standard deviation floored", () => {
  // Mean 100, sd √(600 / 9) = 8.2, floored to 25 gal: 300 gal is z = 8.
  const [t] = baselineTriggers("dev-1", days([...usual, 300]));
  expect(t).toMatchObject({ rule: "unusual_daily_use", severity: "info", startMs: JAN1 + 10 * DAY, endMs: JAN1 + 11 * DAY });
  expect(t!.message).toBe("d10: used 300 gal, usually 100 gal a day (z = 8.0 against 10 days)");
  // 180 gal is z = 3.2: below 3.5.
  expect(baselineTriggers("dev-1", days([...usual, 180]))).toEqual([]);
  // Six earlier days are too few to judge.
  expect(baselineTriggers("dev-1", days([...usual.slice(0, 6), 300]))).toEqual([]);
  // Only the previous 14 days count: a spike 15 days back has left the window.
  expect(baselineTriggers("dev-1", days([5000, ...usual, 100, 100, 100, 100, 300])).map((x) => x.startMs)).toEqual([JAN1 + 15 * DAY]);
});

test("night figures: net pressure fall per hour with the pump still, and none for a night with a gap", () => {
  const rows: Array<Record<string, number>> = [];
  for (let t = JAN1; t < JAN1 + 3 * DAY; t += 10 * MINUTE) {
    const day = Math.floor((t - JAN1) / DAY);
    const hour = ((t - JAN1) % DAY) / HOUR;
    if (day === 1 && hour >= 1 && hour < 3) continue; // a two-hour gap in the second night
    // Night pressure falls 2 PSI an hour from 60 (00:00) while P1 is still; by day it sits at 50.
    const psi = hour < 5 ? 60 - 2 * hour : 50;
    rows.push({ ts: t, S1: psi, P1C1: 0, P1C2: 0, P1C3: 0, Pulse_TotalGallons: 0 });
  }
  const frame = frameOf(rows);
  const f = dailyFeatures(frame, localClock("UTC"), 20 * MINUTE, undefined, undefined, undefined);
  // Day 0: readings 00:00 … 04:50 all still: (60 − 50.33) over 4 h 50 min = 2 PSI/h.
  expect(f[0]!.nightPressureDropPsiPerHour).toBeCloseTo(2, 12);
  expect(Number.isNaN(f[1]!.nightPressureDropPsiPerHour)).toBe(true);
  // The last day's readings end at 23:50, within a gap of midnight: complete.
  expect(f[2]!.nightPressureDropPsiPerHour).toBeCloseTo(2, 12);
  expect(f.length).toBe(3);
});
