/**
 * Every number flag of every command that is not a setting (settings carry their rule in
 * src/config.ts), one row per flag name: a name means the same thing and takes the same
 * values in every command that offers it. Parsed by the one rule of src/number-rule.ts.
 */
import { NightowlError } from "../errors.ts";
import { DAYS_RULE } from "../history/time-range.ts";
import { describeNumber, notAllowedMessage, parseNumber, type NumberRule } from "../number-rule.ts";

const SPEED: NumberRule = { integer: false, min: 0.001, max: 1_000_000, unit: "simulated seconds per real second" };

export const NUMBER_FLAGS = {
  // History ranges and sources (fetch-history, train, score, report).
  "--days": DAYS_RULE,
  "--step": { integer: false, min: 0, max: 86_400, minExclusive: true, unit: "seconds" },
  "--window-days": { integer: false, min: 0.001, max: 3650, unit: "days" },
  "--limit": { integer: true, min: 1, max: 10_000_000, unit: "points per key per call" },
  "--concurrency": { integer: true, min: 1, max: 64, unit: "calls in flight" },
  // The forest (train).
  "--contamination": { integer: false, min: 0, max: 0.5, minExclusive: true },
  "--n-estimators": { integer: true, min: 1, max: 10_000, unit: "trees" },
  "--seed": { integer: true, min: 0, max: 2 ** 32 - 1 },
  // The simulator (simulate, run --demo).
  "--speed": SPEED,
  "--demo-speed": SPEED,
  "--port": { integer: true, min: 0, max: 65_535 },
  "--accounts": { integer: true, min: 1, max: 1000 },
  "--devices": { integer: true, min: 0, max: 10_000 },
  "--history-days": { integer: false, min: 0, max: 3650, unit: "days" },
  "--token-ttl": { integer: true, min: 1, max: 10_000_000, unit: "seconds" },
  "--refresh-ttl": { integer: true, min: 1, max: 100_000_000, unit: "seconds" },
  "--sample-interval": { integer: true, min: 1, max: 3600, unit: "seconds" },
  "--dense-devices": { integer: true, min: 0, max: 10_000_000 },
  "--chaos": { integer: false, min: 0, max: 1 },
} as const satisfies Record<string, NumberRule>;

export type NumberFlag = keyof typeof NUMBER_FLAGS;

/**
 * The number `text` gives `flag`.
 * @throws NightowlError E_USAGE: `--flag "text" is not allowed: expected …`
 */
export function numberFlag(flag: NumberFlag, text: string): number {
  const rule = NUMBER_FLAGS[flag];
  const n = parseNumber(text, rule);
  if (n === undefined) throw new NightowlError("E_USAGE", notAllowedMessage(flag, JSON.stringify(text), describeNumber(rule)));
  return n;
}

/** `numberFlag` as a commander option parser, so a bad value fails before the action runs. */
export function numberOption(flag: NumberFlag): (text: string) => number {
  return (text) => numberFlag(flag, text);
}
