import { describe, expect, test } from "bun:test";
import { dayEvents } from "./demand.ts";
import { householdEvents, wallClockShiftSeconds, zoneOffsetHours } from "./household.ts";
import { siteOfKind } from "./site-kinds.ts";

const dayOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
const spec = { ...siteOfKind(4, "single-phase-10gal", 0), tzOffsetHours: -7 };

describe("household", () => {
  test("the zone's offset moves by an hour across DST", () => {
    expect(zoneOffsetHours("America/Denver", Date.UTC(2026, 0, 15))).toBe(-7);
    expect(zoneOffsetHours("America/Denver", Date.UTC(2026, 6, 15))).toBe(-6);
    expect(wallClockShiftSeconds(spec, "America/Denver", dayOf(2026, 3, 7))).toBe(0);
    expect(wallClockShiftSeconds(spec, "America/Denver", dayOf(2026, 3, 9))).toBe(-3600);
  });

  test("after the spring change the same wall-clock routine starts an hour earlier in standard time", () => {
    const plan = { ...spec, household: { timeZone: "America/Denver" } };
    const before = dayOf(2026, 3, 2);
    const after = dayOf(2026, 3, 9); // the same weekday, a week later
    const first = (day: number) => Math.min(...householdEvents(plan, 1, day).filter((e) => e.start > 4 * 3600).map((e) => e.start));
    const wall = (day: number) => Math.min(...dayEvents(plan, 1, day).filter((e) => e.start > 4 * 3600).map((e) => e.start));
    expect(first(before)).toBe(wall(before));
    expect(first(after)).toBe(wall(after) - 3600);
  });

  test("away: only the softener runs; guests: more draws", () => {
    const day = dayOf(2026, 3, 3);
    const softener = { everyDays: 1, phase: 0, startMinute: 150 };
    const base = { ...spec, softener, household: { timeZone: "UTC" } };
    const away = householdEvents({ ...base, household: { timeZone: "UTC", vacations: [{ fromDay: day, toDay: day + 7 }] } }, 1, day);
    expect(away.length).toBe(4);
    const usual = householdEvents(base, 1, day).length;
    const guests = householdEvents({ ...base, household: { timeZone: "UTC", guests: [{ fromDay: day, toDay: day + 2, extra: 3 }] } }, 1, day).length;
    expect(guests).toBeGreaterThan(usual);
  });
});
