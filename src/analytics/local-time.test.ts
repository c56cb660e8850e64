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
