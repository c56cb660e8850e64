import { describe, expect, test } from "bun:test";
import { describeNumber, notAllowedMessage, parseNumber, type NumberRule } from "./number-rule.ts";

const whole: NumberRule = { integer: true, min: 1, max: 1000 };
const share: NumberRule = { integer: false, min: 0, max: 0.5, minExclusive: true };
const speed: NumberRule = { integer: false, min: 0.001, max: 1_000_000 };

describe("parseNumber: one syntax for every number a user types", () => {
  test.each([
    ["10", whole, 10],
    [" 10 ", whole, 10],
    ["+7", whole, 7],
    ["1", whole, 1],
    ["1000", whole, 1000],
    ["0.5", share, 0.5],
    [".25", share, 0.25],
    ["0.05", share, 0.05],
    ["3.", speed, 3],
    ["0.001", speed, 0.001],
  ] as const)("%p is accepted", (text, rule, expected) => {
    expect(parseNumber(text, rule)).toBe(expected);
  });

  test.each([
    ["", whole, "empty"],
    ["   ", whole, "blank"],
    ["0x10", whole, "hex"],
    ["1e3", whole, "exponent"],
    ["1e-1", share, "exponent in a fraction"],
    ["Infinity", speed, "infinity"],
    ["NaN", speed, "not a number"],
    ["12.5", whole, "a fraction where a whole number is due"],
    ["10.0", whole, "a written fraction, even zero, where a whole number is due"],
    ["0", whole, "below the minimum"],
    ["-3", whole, "negative"],
    ["1001", whole, "above the maximum"],
    ["0", share, "the excluded minimum"],
    ["0.51", share, "above the maximum"],
    ["1,000", whole, "a thousands separator"],
    ["10 s", whole, "a unit"],
    ["99999999999999999999", { integer: true, min: 0, max: Number.MAX_VALUE }, "beyond a safe integer"],
  ] as const)("%p is refused (%s)", (text, rule) => {
    expect(parseNumber(text, rule)).toBeUndefined();
  });
});

test.each([
  [{ integer: true, min: 10, max: 86_400, unit: "seconds" }, "a whole number from 10 to 86400 (seconds)"],
  [{ integer: false, min: 0, max: 1, minExclusive: true }, "a number in (0, 1]"],
  [{ integer: false, min: 0.001, max: 1_000_000 }, "a number from 0.001 to 1000000"],
] as const)("describeNumber(%o) says %p", (rule, text) => {
  expect(describeNumber(rule)).toBe(text);
});

test("the error line writes a flag as typed on the command line and a variable as in the environment", () => {
  expect(notAllowedMessage("--limit", '"0"', "a whole number")).toBe('--limit "0" is not allowed: expected a whole number');
  expect(notAllowedMessage("NIGHTOWL_PAGE_SIZE", '"0"', "a whole number")).toBe('NIGHTOWL_PAGE_SIZE="0" is not allowed: expected a whole number');
});
