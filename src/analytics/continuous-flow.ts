/**
 * continuous_flow: the flow has not returned to zero for 2 h (Flume's default). A run's ends
 * are uncertain by the meter's joining distance (see usage-curve.ts), so a coarse meter must
 * show 2 h plus twice the excess of that distance over 15 minutes, and hold two hours of the
 * household's quiet hours (see {@link quietMsIn}).
 */
import type { LocalClock } from "./local-time.ts";
import { RULE_DEFAULTS, type RuleOptions } from "./rules.ts";
import { formatDuration, type Trigger } from "./trigger.ts";
import { COARSE_SMEAR_MS, isCoarse, rollingFlow, type UsageCurve } from "./usage-curve.ts";

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
 * Those two hours are counted in the last three of the quiet hours (02:00–05:00 by default): a
 * household's evening runs into the first of them (a late wash, then a softener until 02:30,
 * which a coarse meter joins into one run holding 2.5 quiet hours), while by the deep night only
 * a leak still flows. A leak that began before it flows through all three.
 */
const DEEP_NIGHT_HOURS = 3;

/**
 * continuous_flow: runs of the usage curve long enough for the meter's resolution, not counting
 * time at burst-level flow (a pool fill is the burst rule's business, not a leak).
 */
export function continuousFlowTriggers(deviceId: string, curve: UsageCurve, clock: LocalClock, lastMs: number, options: RuleOptions = {}): Trigger[] {
  const required = (options.continuousFlowMs ?? RULE_DEFAULTS.continuousFlowMs) + 2 * Math.max(0, curve.smearMs - COARSE_SMEAR_MS);
  const coarse = isCoarse(curve.smearMs);
  const burstGpm = options.burstGpm ?? RULE_DEFAULTS.burstGpm;
  const toHour = options.quietToHour ?? RULE_DEFAULTS.quietToHour;
  const deep = { fromHour: Math.max(options.quietFromHour ?? RULE_DEFAULTS.quietFromHour, toHour - DEEP_NIGHT_HOURS), toHour };
  const out: Trigger[] = [];
  for (const run of curve.runs) {
    const ongoing = lastMs - run.endMs <= curve.smearMs;
    const end = ongoing ? lastMs : run.endMs;
    if (end - run.startMs < required) continue;
    // A coarse meter cannot tell a slow leak from a busy morning; it must flow while the house sleeps.
    if (coarse && quietMsIn(clock, run.startMs, end, deep) < COARSE_QUIET_MS) continue;
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

/** Milliseconds of [from, to] inside the quiet hours [fromHour, toHour) of each local day, on the site's wall clock. */
export function quietMsIn(clock: LocalClock, from: number, to: number, quiet: { fromHour: number; toHour: number }): number {
  let total = 0;
  for (let day = clock.dayIndex(from); day <= clock.dayIndex(to); day++) {
    const start = atLocalHour(clock, day, quiet.fromHour);
    const stop = atLocalHour(clock, day, quiet.toHour);
    total += Math.max(0, Math.min(to, stop) - Math.max(from, start));
  }
  return total;
}

/** Epoch ms at which local day `day`'s wall clock reads `hour`: midnight plus the hours, less any change of offset between. */
function atLocalHour(clock: LocalClock, day: number, hour: number): number {
  const midnight = clock.startOfDay(day);
  const naive = midnight + hour * HOUR_MS;
  return naive - (clock.offsetMs(naive) - clock.offsetMs(midnight));
}
