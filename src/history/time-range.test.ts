import { expect, test } from "bun:test";
import { compactDate, parseInstant, resolveRange } from "./time-range.ts";

const NOW = Date.parse("2024-06-30T12:00:00Z");

test.each([
  ["1717200000000", 1717200000000],
  ["2024-06-01", Date.parse("2024-06-01T00:00:00Z")],
  ["2024-06-01T06:30", Date.parse("2024-06-01T06:30:00Z")],
  ["2024-06-01T06:30:15.5Z", Date.parse("2024-06-01T06:30:15.500Z")],
  ["2024-06-01T06:30:00+02:00", Date.parse("2024-06-01T04:30:00Z")],
])("parseInstant(%p)", (text, ms) => {
  expect(parseInstant("since", text)).toBe(ms);
});

test.each(["yesterday", "2024-13-45", "", "-5", "1.5"])("parseInstant rejects %p naming the option", (text) => {
  expect(() => parseInstant("since", text)).toThrow(/^since .* is not a time/);
});

test("--days counts back from now, or from --until", () => {
  expect(resolveRange({ days: "7" }, NOW)).toEqual({ startMs: NOW - 7 * 86_400_000, endMs: NOW });
  expect(resolveRange({ days: "0.5", until: "2024-06-02" }, NOW)).toEqual({ startMs: Date.parse("2024-06-01T12:00:00Z"), endMs: Date.parse("2024-06-02T00:00:00Z") });
  expect(resolveRange({}, NOW).startMs).toBe(NOW - 90 * 86_400_000);
});

test("since/until, and the usage errors", () => {
  expect(resolveRange({ since: "2024-06-01", until: "2024-06-08" }, NOW)).toEqual({ startMs: Date.parse("2024-06-01T00:00:00Z"), endMs: Date.parse("2024-06-08T00:00:00Z") });
  expect(() => resolveRange({ since: "2024-06-08", until: "2024-06-01" }, NOW)).toThrow(/range is empty/);
  expect(() => resolveRange({ since: "2024-06-08", until: "2024-06-08" }, NOW)).toThrow(/not before/);
  expect(() => resolveRange({ days: "7", since: "2024-06-01" }, NOW)).toThrow(/exclude each other/);
  expect(() => resolveRange({ days: "0" }, NOW)).toThrow('days="0" is not allowed: expected a number in (0, 36500] (days)');
  expect(() => resolveRange({ days: "x" }, NOW)).toThrow('days="x" is not allowed: expected a number in (0, 36500] (days)');
});

test("compactDate is the UTC day", () => {
  expect(compactDate(Date.parse("2024-06-01T23:59:59Z"))).toBe("20240601");
});
