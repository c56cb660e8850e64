import { expect, test } from "bun:test";
import { isNightowlError } from "../errors.ts";
import { checkReportRange, parseReportTime, type RangeFlags } from "./report-range.ts";

const DAY = 86_400_000;
const FIRST = Date.parse("2026-08-28T02:25:00Z");
const LAST = FIRST + 10 * DAY;
const frames = [{ ts: [FIRST, FIRST + DAY, LAST] }, { ts: [] }];

/** The message of the error checkReportRange throws, or "ok". */
function outcome(sinceMs: number | undefined, untilMs: number, flags: RangeFlags): string {
  try {
    checkReportRange(frames, sinceMs, untilMs, flags);
    return "ok";
  } catch (error) {
    if (!isNightowlError(error, "E_USAGE")) throw error;
    return error.message;
  }
}

const empty = (given: string) => `${given} holds no reading of the history: its readings run from 2026-08-28 02:25 UTC to 2026-09-07 02:25 UTC; expected a range that overlaps them`;

test.each<[string, number | undefined, number, RangeFlags, string]>([
  ["all", undefined, LAST, {}, "ok"],
  ["the last week", LAST - 7 * DAY, LAST, { since: "7d" }, "ok"],
  ["ending at the first reading", undefined, FIRST, { until: "2026-08-28T02:25Z" }, "ok"],
  ["before every reading", undefined, Date.parse("2020-01-01"), { until: "2020-01-01" }, empty('--until "2020-01-01"')],
  ["after every reading", Date.parse("2027-01-01"), LAST, { since: "2027-01-01" }, empty('--since "2027-01-01"')],
  ["both, after every reading", Date.parse("2027-01-01"), Date.parse("2027-02-01"), { since: "2027-01-01", until: "2027-02-01" }, empty('--since "2027-01-01" --until "2027-02-01"')],
  ["backwards", Date.parse("2026-09-05"), Date.parse("2026-09-01"), { since: "2026-09-05", until: "2026-09-01" }, "--since 2026-09-05 is not before --until: expected an earlier time"],
])("%s", (_, sinceMs, untilMs, flags, expected) => {
  expect(outcome(sinceMs, untilMs, flags)).toBe(expected);
});

test("the readings' span is told on the report's clock, with the zone's name", () => {
  expect(() => checkReportRange(frames, Date.parse("2027-01-01"), LAST, { since: "2027-01-01" }, "America/Denver")).toThrow(
    "its readings run from 2026-08-27 20:25 MDT to 2026-09-06 20:25 MDT;",
  );
});

test.each<[string, string, number]>([
  ["a date: the sites' midnight", "2026-11-20", Date.UTC(2026, 10, 20, 7)],
  ["a local date and time", "2026-07-04 08:00", Date.UTC(2026, 6, 4, 14)],
  ["the same with a T", "2026-07-04T08:00", Date.UTC(2026, 6, 4, 14)],
  ["ISO with an offset", "2026-07-04T08:00:00Z", Date.UTC(2026, 6, 4, 8)],
  ["epoch ms", "1783166400000", 1783166400000],
  ["an offset back from the base", "36h", LAST - 36 * 3_600_000],
])("report times read on the report's clock (America/Denver): %s", (_, text, expected) => {
  expect(parseReportTime("--since", text, LAST, "America/Denver")).toBe(expected);
});

test("a time that is none is one line naming the flag and the forms", () => {
  expect(() => parseReportTime("--since", "last tuesday", LAST, "America/Denver")).toThrow(
    '--since "last tuesday" is not allowed: expected a date or date and time in America/Denver (2026-07-04, 2026-07-04 08:00), ISO 8601 with an offset, epoch milliseconds, or an offset such as 7d, 36h or 90m',
  );
});

test("a wall time the spring change skips is refused as such, not as no time at all", () => {
  expect(() => parseReportTime("--since", "2026-03-08 02:15", LAST, "America/Denver")).toThrow('--since "2026-03-08 02:15" does not exist in America/Denver: the clocks skip 60 minutes there that day');
});
