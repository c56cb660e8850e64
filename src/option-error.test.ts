import { expect, test } from "bun:test";
import { NightowlError } from "./errors.ts";
import { OptionError } from "./option-error.ts";

test("the core's message names the option; a command renders the same sentence with its flag", () => {
  const error = new OptionError("E_USAGE", (n) => `${n("limit")} 0 is not allowed: expected a whole number ≥ 1`);
  expect(error).toBeInstanceOf(NightowlError);
  expect(error.code).toBe("E_USAGE");
  expect(error.message).toBe("limit 0 is not allowed: expected a whole number ≥ 1");
  expect(error.messageWith((o) => `--${o}`)).toBe("--limit 0 is not allowed: expected a whole number ≥ 1");
});
