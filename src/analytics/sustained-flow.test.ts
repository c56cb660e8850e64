import { describe, expect, test } from "bun:test";
import { simulateHistory } from "../sim/history.ts";
import { siteOfKind } from "../sim/site-kinds.ts";
import { analyzeFrame } from "./analyze.ts";
import { DAY, firstTriggerMinutes, HOUR, MINUTE, type MeterDraw } from "./testing.ts";

const firstSustained = (draws: MeterDraw[], today: Omit<MeterDraw, "day"> | Omit<MeterDraw, "day">[]) => firstTriggerMinutes("sustained_flow", draws, today);

describe("sustained_flow", () => {
  test("a 2 gal/min leak fires within the hour", () => {
    expect(firstSustained([], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
  });

  test("a 40-minute garden hose at 5 gal/min does not: the flow never ran unbroken for 45 minutes", () => {
    expect(firstSustained([], { atMin: 900, minutes: 40, gpm: 5 })).toBeNull();
  });

  test("a short hose at that hour yesterday does not excuse today's leak; a long draw there does, for as long as it lasted", () => {
    expect(firstSustained([{ day: 0, atMin: 600, minutes: 15, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
    // Yesterday's 40-minute draw ran 40 minutes (its 45-minute mean stayed above 1.2 gal/min for
    // 108, which once excused the leak that long): the leak is excused 40 minutes plus 15, then fires.
    const excused = firstSustained([{ day: 0, atMin: 600, minutes: 40, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 });
    expect(excused).not.toBeNull();
    expect(excused!).toBeGreaterThanOrEqual(55);
    expect(excused!).toBeLessThanOrEqual(60);
    // A draw that long at that hour on each of the days before makes no longer excuse.
    const week = [0, 1, 2, 3, 4].map((day) => ({ day, atMin: 600, minutes: 40, gpm: 5 }));
    expect(firstSustained(week, { atMin: 600, minutes: 240, gpm: 2 })).toBe(excused);
  });

  test("a guests' morning of showers back to back, 4 minutes apart, is no unbroken draw on a meter read every minute", () => {
    // 84 minutes of 10-minute showers at 2.4 gal/min (a 45-minute mean of 1.7 gal/min): each
    // pause is within the 5-minute joining distance, but the meter read still at two readings or more.
    const showers = [0, 1, 2, 3, 4, 5].map((k) => ({ atMin: 360 + 14 * k, minutes: 10, gpm: 2.4 }));
    expect(firstSustained([], showers)).toBeNull();
    // With no pause at all the same morning is 60 minutes of unbroken flow, and fires.
    expect(firstSustained([], { atMin: 360, minutes: 60, gpm: 2.4 })).not.toBeNull();
  });

  test("a busy morning of fixtures with stops between them excuses neither a busier one nor a leak", () => {
    // Yesterday: 56 minutes of fixtures at 3 gal/min, 4 minutes on and 4 off: the meter read still
    // between them, so it is no unbroken draw (no schedule), and neither is today's busier one.
    const fixtures = (gpm: number) => [0, 1, 2, 3, 4, 5, 6].map((k) => ({ atMin: 600 + 8 * k, minutes: 4, gpm }));
    const morning = fixtures(3).map((d) => ({ day: 0, ...d }));
    expect(firstSustained(morning, fixtures(4))).toBeNull();
    // Today a 2 gal/min leak there never dips: found as soon as it has run 45 minutes.
    expect(firstSustained(morning, { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(50);
  });

  test("a 60-minute irrigation zone is a schedule on its second day", () => {
    const zone = { day: 0, atMin: 330, minutes: 60, gpm: 4 };
    expect(firstSustained([], { atMin: 330, minutes: 60, gpm: 4 })).not.toBeNull();
    expect(firstSustained([zone], { atMin: 330, minutes: 60, gpm: 4 })).toBeNull();
  });
});

describe("sustained_flow on a 10-gallon meter", () => {
  // Its curve joins steps up to 50 minutes apart; flow at half the bar steps it every 13.
  test.each([
    { name: "a 2 gal/min leak fires within the hour", today: [{ atMin: 600, minutes: 240, gpm: 2 }], within: 55 },
    { name: "a 2 gal/min leak 10 minutes after a shower fires within the hour", today: [{ atMin: 590, minutes: 8, gpm: 2.5 }, { atMin: 600, minutes: 240, gpm: 2 }], within: 55 },
    // 45 minutes of stillness between them: the meter says the water stopped.
    { name: "two 20-minute hoses at 6 gal/min 45 minutes apart do not", today: [{ atMin: 810, minutes: 20, gpm: 6 }, { atMin: 875, minutes: 20, gpm: 6 }], within: null },
    { name: "a 40-minute hose at 5 gal/min does not", today: [{ atMin: 900, minutes: 40, gpm: 5 }], within: null },
  ])("$name", ({ today, within }) => {
    const at = firstTriggerMinutes("sustained_flow", [], today, 10);
    if (within === null) expect(at).toBeNull();
    else {
      expect(at).not.toBeNull();
      expect(at!).toBeLessThanOrEqual(within + (today[0]!.atMin < 600 ? 600 - today[0]!.atMin : 0));
    }
  });
});

describe("sustained_flow on simulator history", () => {
  // A 1-gallon metered site whose household once drew 2 gal/min for 80 minutes from 18:00 (a long
  // evening): a 2 gal/min leak beginning at that hour a week later is excused as long as that
  // evening lasted, then found — it used to be excused for as long as it ran.
  const start = Date.UTC(2026, 4, 4);
  const day0 = Math.floor(start / DAY);
  const spec = siteOfKind(11, "switch-1gal", 0);
  const evening = { day: day0 + 2, startMinute: 18 * 60, minutes: 80, gpm: 2 };
  const site = { ...spec, tzOffsetHours: 0, household: { timeZone: "UTC", draws: { hoseSessions: [evening] } } };
  const leakStart = start + 9 * DAY + 18 * HOUR + 10 * MINUTE;
  const found = (hours: number) => {
    const leak = { deviceId: site.id, kind: "leak" as const, startMs: leakStart, endMs: leakStart + 6 * HOUR, size: 2 };
    const frame = simulateHistory({ seed: 11, device: site, startMs: start, endMs: leakStart + hours * HOUR, scenarios: [leak] });
    return analyzeFrame(frame, { timeZone: "UTC" }).triggers.some((t) => t.rule === "sustained_flow" && t.startMs >= leakStart - HOUR);
  };

  test("a leak at the hour of a long evening a week ago is found once it outlasts that evening", () => {
    expect(found(1)).toBe(false);
    expect(found(3)).toBe(true);
  });

  test("a 25-minute hose at that hour yesterday excuses the leak no longer than it ran", () => {
    // The hose's 45-minute mean stayed above 1.2 gal/min for over 90 minutes from half an hour
    // before it began: as a schedule it excused the leak for nearly two hours.
    const hose = { day: day0 + 8, startMinute: 18 * 60 + 20, minutes: 25, gpm: 5 };
    const hosed = { ...spec, tzOffsetHours: 0, household: { timeZone: "UTC", draws: { hoseSessions: [hose] } } };
    const leak = { deviceId: site.id, kind: "leak" as const, startMs: leakStart, endMs: leakStart + 6 * HOUR, size: 2 };
    const frame = simulateHistory({ seed: 11, device: hosed, startMs: start, endMs: leakStart + HOUR, scenarios: [leak] });
    expect(analyzeFrame(frame, { timeZone: "UTC" }).triggers.some((t) => t.rule === "sustained_flow" && t.startMs >= leakStart - HOUR)).toBe(true);
  });
});
