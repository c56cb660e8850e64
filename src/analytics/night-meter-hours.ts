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
 * A toilet flapper (about 4.8 gal an hour) steps a 10-gallon meter only every two hours or so:
 * 2–3 steps in the quiet hours, too few hours on its own. What tells it is that its steps are
 * separate draws (further apart than the joining distance, so no flow ran between them), while
 * a sleeping household's night is one long draw at most (a softener's regeneration, whose steps
 * join) and a step or so from its flushes and a stock waterer's float, each well under 10 gal.
 * So the rule also fires at the third separate draw of one night's quiet hours: 20 gallons or
 * more beyond one draw, drawn in pieces while the house sleeps.
 *
 * Only for a coarse meter, one whose pulse is large enough that the usage curve cannot join a
 * slow flow's steps (its joining distance over 15 minutes; the resolution is read from the
 * counter's own steps, see consumption.ts): a fine meter shows a night's flow directly, and one
 * flush an hour would turn it.
 */
import type { LocalClock } from "./local-time.ts";
import { forEachCounterStep, inQuiet } from "./night-refills.ts";
import { quietHoursText, type Trigger } from "./trigger.ts";
import { isCoarse } from "./usage-curve.ts";


export const NIGHT_METER_HOURS = {
  rule: "night_meter_hours",
  /** Quiet hours with a counter step that fire the rule. */
  hours: 4,
  /** Separate draws (steps further apart than the joining distance) in one night's quiet hours that fire it. */
  draws: 3,
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
  if (!isCoarse(smearMs)) return [];
  const out: Trigger[] = [];
  let night: { day: number; hours: Set<number>; draws: number; firedAt: number; last: number; gallons: number } | undefined;
  let lastStep = -Infinity;
  const close = () => {
    if (night && !Number.isNaN(night.firedAt)) {
      const ongoing = clock.dayIndex(lastMs) === night.day && inQuiet(clock, lastMs, quiet);
      out.push({
        rule: NIGHT_METER_HOURS.rule, deviceId, startMs: night.firedAt, endMs: ongoing ? undefined : night.last, severity: "warning",
        message: `${clock.dateLabel(night.firedAt)}: the meter turned in ${night.hours.size} of ${quietHoursText(quiet.fromHour, quiet.toHour, clock.timeZone)}, in ${night.draws} separate draw${night.draws === 1 ? "" : "s"} (${night.gallons.toFixed(0)} gal) — water drawn all night, a slow leak or a toilet flapper?`,
      });
    }
    night = undefined;
  };
  forEachCounterStep(ts, used, (t, step, stood) => {
    // A step within the joining distance of the one before continues its draw, whether or not that one fell in the quiet hours.
    const newDraw = stood && t - lastStep > smearMs;
    lastStep = t;
    const hour = clock.hourOfDay(t);
    if (hour < quiet.fromHour || hour >= quiet.toHour) return;
    const day = clock.dayIndex(t);
    if (night && night.day !== day) close();
    if (!night) night = { day, hours: new Set(), draws: 0, firedAt: Number.NaN, last: t, gallons: 0 };
    night.hours.add(Math.floor(hour));
    if (newDraw || night.draws === 0) night.draws++;
    night.last = t;
    night.gallons += step;
    const fires = night.hours.size >= NIGHT_METER_HOURS.hours || night.draws >= NIGHT_METER_HOURS.draws;
    if (fires && Number.isNaN(night.firedAt)) night.firedAt = t;
  });
  close();
  return out;
}
