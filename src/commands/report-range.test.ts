import { expect, test } from "bun:test";
import { isNightowlError } from "../errors.ts";
import { checkReportRange, type RangeFlags } from "./report-range.ts";

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
