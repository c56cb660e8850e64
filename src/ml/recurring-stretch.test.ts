import { describe, expect, test } from "bun:test";
import { RecurringStretches } from "./recurring-stretch.ts";
import { VerdictStream, type AlarmParams } from "./verdict.ts";

const MIN = 60_000;
const DAY = 86_400_000;

// [case, yesterday's stretch (start, first row, minutes), today's (start, first row, minutes), today excused at its end]
const cases: [string, [number, number, number], [number, number, number], boolean][] = [
  ["the same time of day, as long: excused", [360, 360, 40], [365, 365, 40], true],
  ["an hour later: not a schedule", [360, 360, 40], [420, 420, 40], false],
  ["longer than yesterday's plus 15 minutes: no longer excused", [360, 360, 20], [360, 360, 40], false],
  // Dated from the last rest: yesterday the guard passed after 20 busy minutes, today after 55.
  ["started at the same time, the guard passed later: excused", [360, 380, 40], [360, 415, 10], true],
  ["the same, dated by the first row only: not a schedule", [380, 380, 40], [415, 415, 10], false],
];
for (const [name, y, t, excused] of cases) {
  test(name, () => {
    const s = new RecurringStretches();
    for (let m = y[1]; m <= y[1] + y[2]; m++) s.scheduled(m * MIN, true, y[0] * MIN);
    let last = false;
    for (let m = t[1]; m <= t[1] + t[2]; m++) last = s.scheduled(DAY + m * MIN, true, DAY + t[0] * MIN);
    expect(last).toBe(excused);
  });
}

describe("the range guard's schedule", () => {
  const params: AlarmParams = {
    short_window_minutes: 30, long_window_minutes: 360, short_threshold: -0.9, long_threshold: -0.9, short_scale: 0.05, long_scale: 0.05,
    min_coverage: 0.5, rule_floor: 90, episode_merge_minutes: 60,
    range_guard: { features: ["pump_current_mean_1h"], maxima: [2], minutes: 2 },
  };
  const DAY_MIN = 24 * 60;
  // The pump at `level` (training maximum 2, idle 1) from `atMin` (05:30) for `minutes` on each given day.
  const guardMinutes = (days: ([number, number] | [number, number, number, number])[]) => {
    const stream = new VerdictStream(params, ["pump_current_mean_1h"]);
    const fired = new Map<number, number>();
    for (let m = 0; m < 4 * DAY_MIN; m++) {
      const day = Math.floor(m / DAY_MIN);
      const busy = days.find(([d, minutes, , atMin = 330]) => d === day && m % DAY_MIN >= atMin && m % DAY_MIN < atMin + minutes);
      if (stream.push(m * MIN, 0, [], [busy ? (busy[2] ?? 3) : 1]).rules.includes("pump_above_training_range")) fired.set(day, (fired.get(day) ?? 0) + 1);
    }
    return fired;
  };

  // A zone that keeps the pump near its busiest training hour (1.5 of 2: above 2/3) makes the
  // schedule on the mornings it stays under, so the morning it goes over is excused.
  test.each([
    { name: "near the range at 05:30 on days 0 and 1: day 2's stretch over it is excused", days: [[0, 30, 1.5, 330], [1, 30, 1.5, 330], [2, 30, 3, 330]], day2: undefined },
    { name: "near the range at 14:00 on days 0 and 1: day 2's stretch over it at 05:30 alarms", days: [[0, 30, 1.5, 840], [1, 30, 1.5, 840], [2, 30, 3, 330]], day2: 28 },
    { name: "at 1.2 of 2 (under 2/3) at 05:30 on days 0 and 1: no schedule, day 2 alarms", days: [[0, 30, 1.2, 330], [1, 30, 1.2, 330], [2, 30, 3, 330]], day2: 28 },
  ] as { name: string; days: [number, number, number, number][]; day2: number | undefined }[])("$name", ({ days, day2 }) => {
    const fired = guardMinutes(days);
    expect(fired.get(0)).toBeUndefined();
    expect(fired.get(2)).toBe(day2);
  });

  // The schedule is kept on the site's wall clock: a 05:30 draw after a daylight-saving change
  // comes an hour earlier in UTC and is still the same schedule; on the UTC clock it is not.
  test.each([
    { name: "on the local clock: the day after the change is excused", local: true, day1: undefined },
    { name: "on the UTC clock: it is an hour off and alarms", local: false, day1: 28 },
  ])("a schedule across a daylight-saving change, $name", ({ local, day1 }) => {
    const stream = new VerdictStream(params, ["pump_current_mean_1h"]);
    let fired = 0;
    for (let m = 0; m < 2 * DAY_MIN; m++) {
      const day = Math.floor(m / DAY_MIN);
      // Local = UTC on day 0, UTC + 1 h from day 1 on; the pump is busy 05:30–06:00 local each day.
      const offset = day === 0 ? 0 : 60;
      const wall = (m + offset) % DAY_MIN;
      const busy = wall >= 330 && wall < 360;
      const v = stream.push(m * MIN, 0, [], [busy ? 3 : 1], 1, local ? (m + offset) * MIN : m * MIN);
      if (day === 1 && v.rules.includes("pump_above_training_range")) fired++;
    }
    expect(fired || undefined).toBe(day1);
  });

  test("a stretch at the time of day of yesterday's is a schedule for as long as yesterday's lasted", () => {
    const fired = guardMinutes([[0, 30], [1, 30], [2, 120]]);
    expect(fired.get(0)).toBe(28); // the first day of a new schedule alarms
    expect(fired.get(1)).toBeUndefined();
    // excused for about 30 + 15 minutes, then it alarms
    expect(fired.get(2)).toBeGreaterThanOrEqual(120 - 2 - 45);
    expect(fired.get(2)).toBeLessThanOrEqual(120 - 2 - 40);
  });
});
