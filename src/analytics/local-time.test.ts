import { expect, test } from "bun:test";
import { localClock } from "./local-time.ts";
import { HOUR } from "./testing.ts";

test("Chicago: local midnight, hour of day, and a 23-hour day when daylight saving starts", () => {
  const clock = localClock("America/Chicago");
  const mar8 = Date.UTC(2026, 2, 8, 6); // 2026-03-08 00:00 CST
  expect(clock.dayStart(mar8 + 5 * HOUR)).toBe(mar8);
  expect(clock.hourOfDay(mar8 + HOUR)).toBe(1);
  expect(clock.hourOfDay(mar8 + 2 * HOUR)).toBe(3); // 02:00 CST does not exist: it is 03:00 CDT
  expect(clock.startOfDay(clock.dayIndex(mar8) + 1) - mar8).toBe(23 * HOUR);
  expect(clock.dateLabel(mar8 + 23 * HOUR - 1)).toBe("2026-03-08");
  expect(clock.dateLabel(mar8 + 23 * HOUR)).toBe("2026-03-09");
});

test("UTC is the default; an unknown zone is a configuration error", () => {
  expect(localClock().hourOfDay(Date.UTC(2026, 0, 1, 13, 30))).toBe(13.5);
  expect(() => localClock("Mars/Olympus")).toThrow(/time zone "Mars\/Olympus" is not known/);
});

test.each([
  ["UTC", Date.UTC(2026, 0, 5, 3, 7, 59), "2026-01-05 03:07", "UTC"],
  ["America/Denver", Date.UTC(2026, 0, 5, 3, 7), "2026-01-04 20:07", "MST"],
  ["America/Denver", Date.UTC(2026, 6, 5, 3, 7), "2026-07-04 21:07", "MDT"],
  // The autumn change: 01:30 comes twice, an hour apart; the zone's name tells the two apart.
  ["America/Denver", Date.UTC(2026, 10, 1, 7, 30), "2026-11-01 01:30", "MDT"],
  ["America/Denver", Date.UTC(2026, 10, 1, 8, 30), "2026-11-01 01:30", "MST"],
  // A zone without a common short name is told by its offset, as zone-label.ts tells Etc/GMT zones.
  ["Asia/Kolkata", Date.UTC(2026, 0, 5, 20, 0), "2026-01-06 01:30", "UTC+5:30"],
  ["Etc/GMT+7", Date.UTC(2026, 0, 5, 20, 0), "2026-01-05 13:00", "UTC−7"],
  ["Europe/London", Date.UTC(2026, 0, 5, 20, 0), "2026-01-05 20:00", "GMT"],
])("the wall-clock stamp in %s, and with the zone's name", (zone, ts, text, name) => {
  expect(localClock(zone).stamp(ts)).toBe(text);
  expect(localClock(zone).stamp(ts, true)).toBe(`${text} ${name}`);
});
