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

  test("a short hose at that hour yesterday does not excuse today's leak; a long draw there does", () => {
    expect(firstSustained([{ day: 0, atMin: 600, minutes: 15, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
    expect(firstSustained([{ day: 0, atMin: 600, minutes: 40, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 })).toBeNull();
  });

  test("a 60-minute irrigation zone is a schedule on its second day", () => {
    const zone = { day: 0, atMin: 330, minutes: 60, gpm: 4 };
    expect(firstSustained([], { atMin: 330, minutes: 60, gpm: 4 })).not.toBeNull();
    expect(firstSustained([zone], { atMin: 330, minutes: 60, gpm: 4 })).toBeNull();
  });
});
