/**
 * The core names its options (`since`, `port`, `auth`); a command names them as its user gave
 * them (`--since`, `NIGHTOWL_METRICS_PORT`). One translation serves every command.
 */
import { NightowlError } from "../errors.ts";
import { OptionError } from "../option-error.ts";

/** An `OptionError` of the core worded with these flags (`names`: option → flag); anything else as it is. */
export function withFlagNames(error: unknown, names: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof OptionError)) return error;
  return new NightowlError(error.code, error.messageWith((option) => names[option] ?? option), { cause: error });
}
