/**
 * A rule that fired: what a user reads beside the forest's anomaly score ("continuous flow for
 * 3 h at 0.4 gal/min"), with its time span so a report can draw it on a timeline.
 */

export type Severity = "info" | "warning" | "critical";

export interface Trigger {
  /** Rule name, e.g. "continuous_flow"; the `rule` label of `nightowl_rule_triggered`. */
  rule: string;
  deviceId: string;
  /** Epoch ms the condition began; `endMs` when it ended, absent while it goes on. */
  startMs: number;
  endMs?: number;
  /** One plain-language sentence with the figures and units. */
  message: string;
  severity: Severity;
}

/** Every rule name, for the metric's label values and the README. */
export const RULE_NAMES = [
  "continuous_flow", "night_flow", "night_refills", "night_meter_hours", "burst", "sustained_flow", "night_pump_starts", "short_cycling", "dry_run",
  "unusual_daily_use", "unusual_off_hours_use", "unusual_duty_cycle", "unusual_night_pressure_drop", "unusual_night_level_drop",
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** "3.2 h" or "45 min". */
export function formatDuration(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 90 ? `${(minutes / 60).toFixed(1)} h` : `${Math.round(minutes)} min`;
}

/** "the quiet hours 00:00–05:00 America/Denver", as the night rules name the hours they read. */
export function quietHoursText(fromHour: number, toHour: number, timeZone: string): string {
  const hh = (h: number) => String(h).padStart(2, "0");
  return `the quiet hours ${hh(fromHour)}:00–${hh(toHour)}:00 ${timeZone}`;
}
