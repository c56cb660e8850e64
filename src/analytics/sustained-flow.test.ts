import { describe, expect, test } from "bun:test";
import { firstTriggerMinutes, type MeterDraw } from "./testing.ts";

const firstSustained = (draws: MeterDraw[], today: Omit<MeterDraw, "day">) => firstTriggerMinutes("sustained_flow", draws, today);

describe("sustained_flow", () => {
  test("a 2 gal/min leak fires within the hour", () => {
    expect(firstSustained([], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
  });

  test("a 40-minute garden hose at 5 gal/min does not: the flow never ran unbroken for 45 minutes", () => {
    expect(firstSustained([], { atMin: 900, minutes: 40, gpm: 5 })).toBeNull();
  });

  test("a short hose at that hour yesterday does not excuse today's leak; a long draw there does, for as long as it lasted", () => {
    expect(firstSustained([{ day: 0, atMin: 600, minutes: 15, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
    // Yesterday's 40-minute draw held the 45-minute mean above 1.2 gal/min for 108 minutes: the
    // leak is excused that long plus 15 minutes, then fires (it was excused for good before).
    const excused = firstSustained([{ day: 0, atMin: 600, minutes: 40, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 });
    expect(excused).not.toBeNull();
    expect(excused!).toBeGreaterThan(100);
    expect(excused!).toBeLessThanOrEqual(125);
    // A draw that long at that hour on each of the days before makes no longer excuse.
    const week = [0, 1, 2, 3, 4].map((day) => ({ day, atMin: 600, minutes: 40, gpm: 5 }));
    expect(firstSustained(week, { atMin: 600, minutes: 240, gpm: 2 })).toBe(excused);
  });

  test("a 60-minute irrigation zone is a schedule on its second day", () => {
    const zone = { day: 0, atMin: 330, minutes: 60, gpm: 4 };
    expect(firstSustained([], { atMin: 330, minutes: 60, gpm: 4 })).not.toBeNull();
    expect(firstSustained([zone], { atMin: 330, minutes: 60, gpm: 4 })).toBeNull();
  });
});
