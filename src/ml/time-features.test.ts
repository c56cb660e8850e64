import { expect, test } from "bun:test";
import { ZoneClock, inHours, localHour, localWeekday } from "./time-features.ts";

const formats = new Map<string, Intl.DateTimeFormat>();

/** The offset straight from Intl for one instant: what the cached clock must reproduce. */
function directOffset(timeZone: string, t: number): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(t).filter((p) => p.type !== "literal").map((p) => [p.type, Number(p.value)]));
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(t / 1000) * 1000;
}

test.each(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"])(
  "%s: the per-day cached offset equals Intl's through 2024, every 11th minute near a change",
  (zone) => {
    const clock = new ZoneClock(zone);
    const start = Date.UTC(2024, 0, 1);
    let mismatches = 0;
    let checked = 0;
    for (let t = start; t < Date.UTC(2025, 0, 1); t += 11 * 60_000) {
      // Intl per instant is slow; check densely only near the year's offset changes.
      const cached = clock.offsetAt(t);
      if (checked++ % 97 === 0 || cached !== clock.offsetAt(t - 3_600_000) || cached !== clock.offsetAt(t + 3_600_000)) {
        if (cached !== directOffset(zone, t)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  },
);

test.each([
  // [UTC instant, zone, local hour, weekday (0 = Sunday)]
  [Date.UTC(2024, 2, 10, 6, 59), "America/New_York", 1 + 59 / 60, 0],
  [Date.UTC(2024, 2, 10, 7, 0), "America/New_York", 3, 0],
  [Date.UTC(2024, 5, 3, 0, 30), "Asia/Kathmandu", 6.25, 1],
  [Date.UTC(2024, 5, 2, 23, 0), "UTC", 23, 0],
  [Date.UTC(1969, 11, 31, 12, 0), "UTC", 12, 3],
] as const)("%d in %s is %d h local, weekday %d", (t, zone, hour, weekday) => {
  const local = new ZoneClock(zone).local(t);
  expect(localHour(local)).toBeCloseTo(hour, 12);
  expect(localWeekday(local)).toBe(weekday);
});

test.each([
  [23, 23, 5, true],
  [4.99, 23, 5, true],
  [5, 23, 5, false],
  [22.9, 23, 5, false],
  [12, 9, 17, true],
  [17, 9, 17, false],
  [0, 0, 0, false],
])("hour %d in [%d, %d) → %p", (hour, start, end, inside) => {
  expect(inHours(hour, start, end)).toBe(inside);
});
