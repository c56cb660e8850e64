import { expect, test } from "bun:test";
import { isNightowlError } from "../errors.ts";
import { parseEventTime } from "./event-time.ts";

const HOUR = 3_600_000;

test.each([
  ["a plain wall time in MST", "2026-03-07 02:15", "America/Denver", Date.UTC(2026, 2, 7, 9, 15)],
  ["just before the spring gap", "2026-03-08 01:59", "America/Denver", Date.UTC(2026, 2, 8, 8, 59)],
  ["just after it, in MDT", "2026-03-08 03:00", "America/Denver", Date.UTC(2026, 2, 8, 9, 0)],
  ["the autumn's repeated hour: its first time, in MDT", "2026-11-01 01:30", "America/Denver", Date.UTC(2026, 10, 1, 7, 30)],
  ["a date alone is the day's start", "2026-03-08", "America/Denver", Date.UTC(2026, 2, 8, 7, 0)],
  // Santiago leaves its standard time at midnight: that day starts at 01:00.
  ["a date alone in a zone whose clocks skip midnight: the day's first instant", "2026-09-06", "America/Santiago", Date.UTC(2026, 8, 6, 4, 0)],
  ["ISO with an offset is taken as it is", "2026-03-08T02:15:00-07:00", "America/Denver", Date.UTC(2026, 2, 8, 9, 15)],
] as const)("%s", (_name, text, zone, expected) => {
  expect(parseEventTime(text, zone, "--start")).toBe(expected);
});

test.each([
  ["America/Denver", "2026-03-08 02:15", "--start", 'nightowl: --start "2026-03-08 02:15" does not exist in America/Denver: the clocks skip 60 minutes there that day (a daylight-saving change); expected a time before or after the gap'],
  ["Europe/Berlin", "2026-03-29 02:30", "--end", 'nightowl: --end "2026-03-29 02:30" does not exist in Europe/Berlin: the clocks skip 60 minutes there that day (a daylight-saving change); expected a time before or after the gap'],
] as const)("a wall time the spring change skips in %s is refused naming the flag, not moved an hour", (zone, text, flag, line) => {
  let error: unknown;
  try {
    parseEventTime(text, zone, flag);
  } catch (e) {
    error = e;
  }
  expect(isNightowlError(error, "E_USAGE")).toBe(true);
  expect(`nightowl: ${(error as Error).message}`).toBe(line);
});

test("the hour after the autumn's repeated one is read once, an hour after its first", () => {
  expect(parseEventTime("2026-11-01 02:30", "America/Denver", "--start") - parseEventTime("2026-11-01 01:30", "America/Denver", "--start")).toBe(2 * HOUR);
});
