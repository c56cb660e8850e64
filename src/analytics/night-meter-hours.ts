/**
 * night_meter_hours: a coarse meter (10 gallons a pulse) steps once every 20–40 minutes under a
 * 0.25–0.5 gal/min leak and once every couple of hours under a toilet flapper. Its readings
 * show no continuous flow (the steps are too far apart to join), no night minimum above zero
 * and no chain of separate refills, so `continuous_flow`, `night_flow` and `night_refills` do
 * not see such leaks. What a coarse meter does show is *when* it steps: a sleeping household
 * turns it in two or three of the quiet hours at most (a softener's 90-minute regeneration
 * spans three clock hours), while water drawn all night long turns it in every hour. The rule
 * fires when the counter stepped in at least 4 of the 5 quiet hours of one night — the bar
 * `night_pump_starts` sets for the pump's starts.
 *
 * Only for a coarse meter, one whose pulse is large enough that the usage curve cannot join a
 * slow flow's steps (its joining distance over 15 minutes; the resolution is read from the
 * counter's own steps, see consumption.ts): a fine meter shows a night's flow directly, and one
 * flush an hour would turn it.
 */
import type { LocalClock } from "./local-time.ts";
import { forEachCounterStep, inQuiet } from "./night-refills.ts";
import type { Trigger } from "./trigger.ts";

const MINUTE_MS = 60_000;

export const NIGHT_METER_HOURS = {
  rule: "night_meter_hours",
  /** Quiet hours with a counter step that fire the rule. */
  hours: 4,
  /** A meter whose usage curve joins steps further apart than this is coarse. */
  coarseSmearMs: 15 * MINUTE_MS,
} as const;

/**
 * Triggers for `used` (gallons drawn since the first reading, per row; NaN where no reading) on
 * a meter whose usage curve joins steps `smearMs` apart, in local quiet hours [fromHour, toHour).
 * A night still in its quiet hours at `lastMs` has no end.
 */
export function nightMeterHourTriggers(
  deviceId: string, ts: ArrayLike<number>, used: ArrayLike<number>, clock: LocalClock, lastMs: number,
  quiet: { fromHour: number; toHour: number }, smearMs: number,
): Trigger[] {
  if (smearMs <= NIGHT_METER_HOURS.coarseSmearMs) return [];
  const out: Trigger[] = [];
  let night: { day: number; hours: Set<number>; firedAt: number; last: number; gallons: number } | undefined;
  const close = () => {
    if (night && !Number.isNaN(night.firedAt)) {
      const ongoing = clock.dayIndex(lastMs) === night.day && inQuiet(clock, lastMs, quiet);
      out.push({
        rule: NIGHT_METER_HOURS.rule, deviceId, startMs: night.firedAt, endMs: ongoing ? undefined : night.last, severity: "warning",
        message: `${clock.dateLabel(night.firedAt)}: the meter turned in ${night.hours.size} of the quiet hours ${pad(quiet.fromHour)}:00–${pad(quiet.toHour)}:00 ${clock.timeZone} (${night.gallons.toFixed(0)} gal) — water drawn all night, a slow leak or a toilet flapper?`,
      });
    }
    night = undefined;
  };
  forEachCounterStep(ts, used, (t, step) => {
    const hour = clock.hourOfDay(t);
    if (hour < quiet.fromHour || hour >= quiet.toHour) return;
    const day = clock.dayIndex(t);
    if (night && night.day !== day) close();
    if (!night) night = { day, hours: new Set(), firedAt: Number.NaN, last: t, gallons: 0 };
    night.hours.add(Math.floor(hour));
    night.last = t;
    night.gallons += step;
    if (night.hours.size >= NIGHT_METER_HOURS.hours && Number.isNaN(night.firedAt)) night.firedAt = t;
  });
  close();
  return out;
}

function pad(h: number): string {
  return String(h).padStart(2, "0");
}
