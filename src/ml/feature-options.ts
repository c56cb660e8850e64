/**
 * The feature engine's settings: what a caller may set (site zone, night hours, pump threshold,
 * carry-forward and warm-up), their defaults, and the one check that refuses a value out of
 * range with a message naming the option.
 */
import { NightowlError } from "../errors.ts";
import type { WatchedPump } from "./feature-catalog.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface FeatureOptions {
  /** IANA zone of the site, for hour, weekday, night and weekend. Default "UTC". */
  timeZone?: string;
  /** Local hour night starts (inclusive), 0–24, fractions allowed. Default 23. */
  nightStartHour?: number;
  /** Local hour night ends (exclusive). Default 5. */
  nightEndHour?: number;
  /** Mean pump current (A) above which the pump counts as running. Default 1.0. */
  pumpCurrentThreshold?: number;
  /** Longest silence (ms) a value is carried over; a longer one is a gap, which the windows' coverage counts as empty. Default 10 min. */
  maxCarryForwardMs?: number;
  /** History (ms) since a needed signal's first reading before a row is emitted (the start only, not after a gap). Default 1 h. */
  warmupMs?: number;
  /** Exactly these features, in this order (a model's list); default: all the keys allow. */
  featureNames?: readonly string[];
  /** The pump the pump features describe (the one answering house pressure). Default "P1". */
  pump?: WatchedPump;
}

/** The checked numeric settings, defaults filled in. */
export interface Settings {
  nightStart: number;
  nightEnd: number;
  threshold: number;
  carry: number;
  warmup: number;
}

export function settingsFrom(options: FeatureOptions): Settings {
  const check = (name: keyof FeatureOptions, value: number, min: number, max: number): number => {
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new NightowlError("E_CONFIG", `feature option ${name} is ${value}; allowed: ${min} to ${max}`);
    }
    return value;
  };
  return {
    nightStart: check("nightStartHour", options.nightStartHour ?? 23, 0, 24),
    nightEnd: check("nightEndHour", options.nightEndHour ?? 5, 0, 24),
    threshold: check("pumpCurrentThreshold", options.pumpCurrentThreshold ?? 1, 0, 1e6),
    carry: check("maxCarryForwardMs", options.maxCarryForwardMs ?? 10 * MINUTE, 1, 365 * 24 * HOUR),
    warmup: check("warmupMs", options.warmupMs ?? HOUR, 0, 365 * 24 * HOUR),
  };
}
