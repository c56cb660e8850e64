import { expect, test } from "bun:test";
import { parseRetryAfter, retryDelay, type RetryPolicy } from "./retry-policy.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

test.each([
  { value: "0", expected: 0 },
  { value: "3", expected: 3000 },
  { value: " 120 ", expected: 120_000 },
  { value: "Thu, 01 Jan 2026 00:00:05 GMT", expected: 5000 },
  { value: "Wed, 31 Dec 2025 23:59:00 GMT", expected: 0 },
  { value: "soon", expected: undefined },
  { value: "-5", expected: undefined },
])("parseRetryAfter($value)", ({ value, expected }) => {
  expect(parseRetryAfter(value, NOW)).toBe(expected);
});

const policy = (over: Partial<RetryPolicy>): RetryPolicy => ({ baseMs: 100, maxMs: 30_000, afterCapMs: 60_000, random: () => 0, now: () => NOW, ...over });

test("retryDelay: equal-jitter exponential backoff, capped", () => {
  const at = (random: number) => policy({ maxMs: 1000, random: () => random });
  expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(at(0), n, null))).toEqual([50, 100, 200, 400, 500, 500]);
  expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(at(0.999999), n, null))).toEqual([100, 200, 400, 800, 1000, 1000]);
});

test("retryDelay: Retry-After wins over backoff and is capped", () => {
  const capped = policy({ afterCapMs: 10_000 });
  expect(retryDelay(capped, 0, "2")).toBe(2000);
  expect(retryDelay(capped, 0, "3600")).toBe(10_000);
  expect(retryDelay(capped, 0, "Thu, 01 Jan 2026 00:00:04 GMT")).toBe(4000);
  expect(retryDelay(capped, 2, "garbage")).toBe(200);
});
