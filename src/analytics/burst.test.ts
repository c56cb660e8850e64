import { describe, expect, test } from "bun:test";
import { analyzeFrame } from "./analyze.ts";
import { rememberDraws } from "./rules.ts";
import { simulateHistory } from "../sim/history.ts";
import { siteOfKind } from "../sim/site-kinds.ts";
import { DAY, firstTriggerMinutes, HOUR, MINUTE, type MeterDraw } from "./testing.ts";

const firstBurst = (draws: readonly MeterDraw[], today: Omit<MeterDraw, "day">) => firstTriggerMinutes("burst", draws, today);

/** Afternoon garden hoses of 35–40 minutes at 5–5.5 gal/min on days 1, 4 and 7. */
const hoses: MeterDraw[] = [
  { day: 1, atMin: 15 * 60, minutes: 35, gpm: 5.5 },
  { day: 4, atMin: 16 * 60 + 30, minutes: 40, gpm: 5 },
  { day: 7, atMin: 14 * 60, minutes: 38, gpm: 5.2 },
];

describe("burst: a draw must outlast the household's usual draws of its size", () => {
  test.each([
    { name: "a household that never draws this much: a 20-minute hose is a burst at 15 minutes", draws: [], today: { atMin: 900, minutes: 20, gpm: 6 }, within: [15, 20] },
    { name: "after 35–40-minute hoses, a 40-minute hose at another hour is not", draws: hoses, today: { atMin: 17 * 60, minutes: 40, gpm: 5.5 }, within: null },
    { name: "after them, an irrigation's first 30-minute morning at 5.5 gal/min is not", draws: hoses, today: { atMin: 330, minutes: 30, gpm: 5.5 }, within: null },
    { name: "after them, a 5 gal/min leak still is, within the hour", draws: hoses, today: { atMin: 11 * 60, minutes: 180, gpm: 5 }, within: [40, 55] },
    { name: "an 8-hour pool fill last week does not hide a burst pipe past 45 minutes", draws: [{ day: 2, atMin: 540, minutes: 480, gpm: 8 }], today: { atMin: 20 * 60, minutes: 180, gpm: 6 }, within: [40, 55] },
    { name: "a burst pipe at the hour of yesterday's 40-minute hose is a burst once it outlasts that hose by 15 minutes", draws: [{ day: 0, atMin: 900, minutes: 40, gpm: 5.5 }], today: { atMin: 905, minutes: 180, gpm: 6 }, within: [55, 75] },
    { name: "an irrigation zone at its usual hour and length is still not", draws: [0, 1, 2].map((day) => ({ day, atMin: 330, minutes: 30, gpm: 5.5 })), today: { atMin: 330, minutes: 30, gpm: 5.5 }, within: null },
    { name: "hoses more than 14 days ago are forgotten", draws: [{ day: 0, atMin: 900, minutes: 40, gpm: 5 }, { day: 15, atMin: 3 * 60, minutes: 1, gpm: 1 }], today: { atMin: 17 * 60, minutes: 30, gpm: 6 }, within: [15, 20] },
  ])("$name", ({ draws, today, within }) => {
    const minutes = firstBurst(draws, today);
    if (within === null) expect(minutes).toBeNull();
    else {
      expect(minutes).not.toBeNull();
      expect(minutes!).toBeGreaterThanOrEqual(within[0]!);
      expect(minutes!).toBeLessThanOrEqual(within[1]!);
    }
  });

  test("a monitor's memory: overlapping sightings of one draw are one (its steadiest floor kept), draws ended before the kept span are dropped", () => {
    const t = (min: number) => min * MINUTE;
    expect(rememberDraws([[t(0), t(10), 0], [t(100), t(120), 1.5]], [[t(105), t(140), 0.5], [t(200), t(210), 0]], t(5))).toEqual([
      [t(0), t(10), 0],
      [t(100), t(140), 1.5],
      [t(200), t(210), 0],
    ]);
    expect(rememberDraws([[t(0), t(10), 0]], [], t(11))).toEqual([]);
  });
});

describe("burst on simulator history", () => {
  // A 1-gallon metered site whose household runs garden hoses in the afternoons.
  const start = Date.UTC(2026, 4, 4);
  const spec = siteOfKind(11, "switch-1gal", 0);
  const day0 = Math.floor(start / DAY);
  // At hours far apart, so that no hose excuses the next as a schedule.
  const hose = (day: number, hour: number, minutes: number) => ({ day: day0 + day, startMinute: hour * 60, minutes, gpm: 5.5 });
  const site = { ...spec, tzOffsetHours: 0, household: { timeZone: "UTC", draws: { hoseSessions: [hose(2, 13, 40), hose(5, 15.5, 35), hose(8, 18, 38)] } } };
  const bursts = (endMs: number, scenarios: Parameters<typeof simulateHistory>[0]["scenarios"] = []) =>
    analyzeFrame(simulateHistory({ seed: 11, device: site, startMs: start, endMs, scenarios }), { timeZone: "UTC" }).triggers.filter((x) => x.rule === "burst");

  test("hose sessions like the household's earlier ones raise no burst; a 5 gal/min leak does within the hour", () => {
    // The first hose is the household's first draw of that size: a burst then, none after.
    expect(bursts(start + 10 * DAY).filter((b) => b.startMs >= start + 3 * DAY)).toEqual([]);
    // A leak at 5 gal/min, the readings cut 55 minutes after it began: the burst is known.
    const leakStart = start + 9 * DAY + 10 * HOUR;
    const leak = { deviceId: site.id, kind: "leak" as const, startMs: leakStart, endMs: leakStart + 4 * HOUR, size: 5 };
    const found = bursts(leakStart + 55 * MINUTE, [leak]).filter((b) => b.startMs >= leakStart - 15 * MINUTE);
    expect(found.length).toBe(1);
  });
});
