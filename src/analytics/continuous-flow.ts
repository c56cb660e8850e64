/**
 * continuous_flow: the flow has not returned to zero for 2 h (Flume's default). A run's ends
 * are uncertain by the meter's joining distance (see usage-curve.ts), so a coarse meter must
 * show 2 h plus twice the excess of that distance over 15 minutes, and hold two hours of the
 * household's quiet hours (see {@link quietMsIn}).
 */
import type { LocalClock } from "./local-time.ts";
import { RULE_DEFAULTS, type RuleOptions } from "./rules.ts";
import { formatDuration, type Trigger } from "./trigger.ts";
import { rollingFlow, type UsageCurve } from "./usage-curve.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * How much of a coarse meter's run must fall in the quiet hours: two hours, the length of the
 * 02:00–04:00 window the rule first asked such a run to span. A coarse meter's steps join a busy
 * day's draws into one run, so only flow while the household sleeps tells a slow leak from a
 * busy morning; but a fixed window missed a leak that began inside it (a 0.5 gal/min leak from
 * 02:30 could not span it that night, and a 24-hour leak ended before the next night's did).
 * Two hours of sleep-time flow anywhere in the quiet hours is the same evidence, wherever it
 * falls; a softener's regeneration (about 90 minutes) is shorter, and the run must still be
 * long enough as a whole.
 */
export const COARSE_QUIET_MS = 2 * HOUR_MS;

/**
 * continuous_flow: runs of the usage curve long enough for the meter's resolution, not counting
 * time at burst-level flow (a pool fill is the burst rule's business, not a leak).
 */
export function continuousFlowTriggers(deviceId: string, curve: UsageCurve, clock: LocalClock, lastMs: number, options: RuleOptions = {}): Trigger[] {
  const required = (options.continuousFlowMs ?? RULE_DEFAULTS.continuousFlowMs) + 2 * Math.max(0, curve.smearMs - 15 * MINUTE_MS);
  const coarse = curve.smearMs > 15 * MINUTE_MS;
  const burstGpm = options.burstGpm ?? RULE_DEFAULTS.burstGpm;
  const quiet = { fromHour: options.quietFromHour ?? RULE_DEFAULTS.quietFromHour, toHour: options.quietToHour ?? RULE_DEFAULTS.quietToHour };
  const out: Trigger[] = [];
  for (const run of curve.runs) {
    const ongoing = lastMs - run.endMs <= curve.smearMs;
    const end = ongoing ? lastMs : run.endMs;
    if (end - run.startMs < required) continue;
    // A coarse meter cannot tell a slow leak from a busy morning; it must flow while the house sleeps.
    if (coarse && quietMsIn(clock, run.startMs, end, quiet) < COARSE_QUIET_MS) continue;
    const window = Math.max(15 * MINUTE_MS, curve.smearMs);
    const rolling = rollingFlow(curve, run.startMs, run.endMs, window, 5 * MINUTE_MS);
    let floor = Infinity;
    let highMs = 0;
    for (const g of rolling.gpm) {
      floor = Math.min(floor, g);
      if (g >= burstGpm) highMs += 5 * MINUTE_MS;
    }
    if (end - run.startMs - highMs < required) continue;
    const mean = (run.gallons / (run.endMs - run.startMs)) * MINUTE_MS;
    const rate = Number.isFinite(floor) ? floor : mean;
    out.push({
      rule: "continuous_flow", deviceId, startMs: run.startMs, endMs: ongoing ? undefined : run.endMs, severity: "warning",
      message: `continuous flow for ${formatDuration(end - run.startMs)} at ${rate.toFixed(2)} gal/min or more (${run.gallons.toFixed(0)} gal)`,
    });
  }
  return out;
}

/** Milliseconds of [from, to] inside the quiet hours [fromHour, toHour) counted from each local midnight. */
export function quietMsIn(clock: LocalClock, from: number, to: number, quiet: { fromHour: number; toHour: number }): number {
  let total = 0;
  for (let day = clock.dayIndex(from); day <= clock.dayIndex(to); day++) {
    const start = clock.startOfDay(day) + quiet.fromHour * HOUR_MS;
    const stop = clock.startOfDay(day) + quiet.toHour * HOUR_MS;
    total += Math.max(0, Math.min(to, stop) - Math.max(from, start));
  }
  return total;
}
