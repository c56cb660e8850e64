import { expect, test } from "bun:test";
import { NightowlError } from "../errors.ts";
import { NUMBER_FLAGS, numberFlag, type NumberFlag } from "./number-flags.ts";

const rows = Object.entries(NUMBER_FLAGS) as [NumberFlag, (typeof NUMBER_FLAGS)[NumberFlag]][];

test.each(rows)("%s takes its bounds and refuses just beyond them", (flag, rule) => {
  if (!("minExclusive" in rule)) expect(numberFlag(flag, String(rule.min))).toBe(rule.min);
  expect(numberFlag(flag, String(rule.max))).toBe(rule.max);
  const step = rule.integer ? 1 : rule.max / 1000;
  expect(() => numberFlag(flag, String(rule.max + step))).toThrow(`${flag} "${rule.max + step}" is not allowed: expected `);
  const below = "minExclusive" in rule ? rule.min : rule.integer ? rule.min - 1 : rule.min > 0 ? rule.min / 2 : -0.5;
  expect(() => numberFlag(flag, String(below))).toThrow(NightowlError);
});

test.each(rows)("%s refuses hex, exponents and the empty string", (flag) => {
  for (const text of ["0x10", "1e3", "", "ten"]) expect(() => numberFlag(flag, text)).toThrow(`${flag} ${JSON.stringify(text)} is not allowed`);
});

test("the error is a usage error with one line naming the flag, the value and what is allowed", () => {
  let error: unknown;
  try {
    numberFlag("--contamination", "0.7");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NightowlError);
  expect((error as NightowlError).code).toBe("E_USAGE");
  expect((error as Error).message).toBe('--contamination "0.7" is not allowed: expected a number in (0, 0.5]');
  expect(() => numberFlag("--limit", "1e3")).toThrow('--limit "1e3" is not allowed: expected a whole number from 1 to 10000000 (points per key per call)');
});
