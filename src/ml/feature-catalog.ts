/**
 * Which features exist, what they are called, and which telemetry they need. The order here
 * is the order of the engine's working vector (see feature-stream.ts) and of `featureNames`.
 */
import { NightowlError } from "../errors.ts";

const MINUTE = 60_000;

/** Rolling windows: label and span in milliseconds. */
export const WINDOWS = [
  ["5m", 5 * MINUTE],
  ["15m", 15 * MINUTE],
  ["1h", 60 * MINUTE],
  ["6h", 360 * MINUTE],
  ["24h", 1440 * MINUTE],
] as const;

/** Rates of change: label and look-back in milliseconds. */
export const RATES = [
  ["1m", MINUTE],
  ["5m", 5 * MINUTE],
  ["60m", 60 * MINUTE],
] as const;

/** Which of WINDOWS give `gallons_*`. */
export const GALLON_WINDOWS = [0, 2, 4] as const;
/** The window whose gallons decide "no flow" for `minutes_since_zero_flow` (15 min). */
export const ZERO_FLOW_WINDOW = 1;

/**
 * Base signals. Several keys mean "the mean of those present" (three-phase current and
 * voltage); `flow_gpm` is the counter's increase per minute between readings.
 */
export const SIGNALS = [
  { id: "pressure_s1", keys: ["S1"], unit: "PSI" },
  { id: "pressure_s2", keys: ["S2"], unit: "PSI" },
  { id: "pump_current", keys: ["P1C1", "P1C2", "P1C3"], unit: "A" },
  { id: "pump_voltage", keys: ["P1V1", "P1V2", "P1V3"], unit: "V" },
  { id: "tank_level", keys: ["Level1_precent"], unit: "%" },
  { id: "flow_gpm", keys: ["Pulse_TotalGallons"], unit: "gal/min" },
] as const;

export type SignalId = (typeof SIGNALS)[number]["id"];
export const SIGNAL_INDEX: Record<SignalId, number> = Object.fromEntries(SIGNALS.map((s, i) => [s.id, i])) as Record<SignalId, number>;
export const FLOW = SIGNAL_INDEX.flow_gpm;
export const CURRENT = SIGNAL_INDEX.pump_current;
export const PRESSURE = SIGNAL_INDEX.pressure_s1;
export const LEVEL = SIGNAL_INDEX.tank_level;

/** Slots per signal block: value, then mean/std/range per window, then rates. */
export const SIGNAL_SLOTS = 1 + 3 * WINDOWS.length + RATES.length;
/** First slot after the signal blocks. */
export const TIME_SLOT = SIGNALS.length * SIGNAL_SLOTS;
export const PUMP_SLOT = TIME_SLOT + 6;
export const PRESSURE_DROP_SLOT = PUMP_SLOT + 2;
export const LEVEL_DROP_SLOT = PRESSURE_DROP_SLOT + 1;
export const GALLONS_SLOT = LEVEL_DROP_SLOT + 1;
export const ZERO_FLOW_SLOT = GALLONS_SLOT + GALLON_WINDOWS.length;

export interface FeatureDef {
  name: string;
  /** Signal indices this feature cannot do without. */
  needs: number[];
}

function buildCatalog(): FeatureDef[] {
  const out: FeatureDef[] = [];
  SIGNALS.forEach(({ id }, s) => {
    out.push({ name: id, needs: [s] });
    for (const [label] of WINDOWS) for (const stat of ["mean", "std", "range"]) out.push({ name: `${id}_${stat}_${label}`, needs: [s] });
    for (const [label] of RATES) out.push({ name: `${id}_rate_${label}`, needs: [s] });
  });
  for (const name of ["hour_sin", "hour_cos", "dow_sin", "dow_cos", "is_night", "is_weekend"]) out.push({ name, needs: [] });
  out.push({ name: "pump_running", needs: [CURRENT] }, { name: "pump_starts_1h", needs: [CURRENT] });
  out.push({ name: "pressure_drop_rate_pump_off", needs: [PRESSURE, CURRENT] });
  out.push({ name: "level_drop_rate_pump_off", needs: [LEVEL, CURRENT] });
  for (const w of GALLON_WINDOWS) out.push({ name: `gallons_${WINDOWS[w][0]}`, needs: [FLOW] });
  out.push({ name: "minutes_since_zero_flow", needs: [FLOW] });
  return out;
}

/** Every feature this version computes, in working-vector order. */
export const CATALOG: readonly FeatureDef[] = buildCatalog();
const CATALOG_INDEX = new Map(CATALOG.map((f, i) => [f.name, i]));

/** Pumps a site may report (P1C1… P3V3); the features watch one of them. */
export const WATCHABLE_PUMPS = ["P1", "P2", "P3"] as const;
export type WatchedPump = (typeof WATCHABLE_PUMPS)[number];

/**
 * The device's keys as the catalogue reads them when the features watch `pump`: that pump's
 * current and voltage keys stand in for the `P1…` keys the pump signals name, and P1's own are
 * set aside. The pump signals describe the pump that answers house pressure (pump-roles.ts),
 * which on a cistern site is the booster P2, not the fill pump P1.
 */
export function keysAsWatched(keys: readonly string[], pump: WatchedPump = "P1"): string[] {
  if (pump === "P1") return [...keys];
  const pumpKey = /^P([123])([CV][123])$/;
  return keys.map((k) => {
    const m = pumpKey.exec(k);
    if (!m) return k;
    if (`P${m[1]}` === pump) return `P1${m[2]}`;
    return m[1] === "1" ? `${pump}${m[2]}` : k;
  });
}

/** Signals with at least one of their keys among `keys`. */
export function availableSignals(keys: readonly string[]): boolean[] {
  const have = new Set(keys);
  return SIGNALS.map((s) => s.keys.some((k) => have.has(k)));
}

/** All features computable from these telemetry keys, in catalogue order. */
export function namesForKeys(keys: readonly string[]): string[] {
  const available = availableSignals(keys);
  return CATALOG.filter((f) => f.needs.every((s) => available[s])).map((f) => f.name);
}

/**
 * Working-vector slots for the requested names. Throws E_MODEL for a name this version does
 * not know, and E_DATA naming the missing telemetry when `keys` cannot feed a requested feature
 * (a model trained with a flow meter must not score a site without one as if it had no flow).
 */
export function resolveNames(names: readonly string[], keys: readonly string[], device?: string): Int32Array {
  const unknown = names.filter((n) => !CATALOG_INDEX.has(n));
  if (unknown.length) {
    throw new NightowlError("E_MODEL", `unknown feature${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}: the model was made by another version of nightowl`);
  }
  const available = availableSignals(keys);
  const lacking = new Map<number, string[]>();
  for (const name of names) {
    for (const s of CATALOG[CATALOG_INDEX.get(name)!]!.needs) {
      if (!available[s]) lacking.set(s, [...(lacking.get(s) ?? []), name]);
    }
  }
  if (lacking.size) {
    const parts = [...lacking].map(([s, feats]) => {
      const keysText = SIGNALS[s]!.keys.join(" or ");
      const shown = feats.slice(0, 3).join(", ") + (feats.length > 3 ? ` and ${feats.length - 3} more` : "");
      return `${keysText} (for ${shown})`;
    });
    throw new NightowlError("E_DATA", `${device ? `device ${device}` : "the data"} has no values for ${parts.join("; ")}, which the model's features need`);
  }
  return Int32Array.from(names, (n) => CATALOG_INDEX.get(n)!);
}

/** Which signals the given slots need. */
export function signalsFor(slots: Int32Array): boolean[] {
  const used = SIGNALS.map(() => false);
  for (const slot of slots) for (const s of CATALOG[slot]!.needs) used[s] = true;
  return used;
}
