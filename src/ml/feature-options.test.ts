import { expect, test } from "bun:test";
import { settingsFrom } from "./feature-options.ts";

test("defaults: night 23–5, 1 A, 10 min carry-forward, 1 h warm-up", () => {
  expect(settingsFrom({})).toEqual({ nightStart: 23, nightEnd: 5, threshold: 1, carry: 600_000, warmup: 3_600_000 });
});

test.each([
  [{ nightStartHour: 25 }, "feature option nightStartHour is 25; allowed: 0 to 24"],
  [{ warmupMs: -1 }, "feature option warmupMs is -1; allowed: 0 to 31536000000"],
  [{ maxCarryForwardMs: Number.NaN }, "feature option maxCarryForwardMs is NaN; allowed: 1 to 31536000000"],
])("bad option %j", (options, message) => {
  expect(() => settingsFrom(options)).toThrow(message);
});
