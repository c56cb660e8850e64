/**
 * night_refills: a toilet flapper lets the tank drain slowly and the fill valve tops it up —
 * about 1.6 gallons every 20 minutes, day and night. No flow runs continuously (so neither
 * `continuous_flow` nor `night_flow` fires: many 15-minute windows read zero), yet the meter
 * moves again and again while the house sleeps. The rule reads the counter's steps directly:
 * separate draws (steps further apart than the usage curve's joining distance: 5 minutes on a
 * fine meter, more on a coarse one, whose steps of one steady draw are far apart) in the quiet
 * hours, chained while each follows the previous within `chainGapMs`; a chain of `draws` fires. A sleeping household
 * draws a few times a night (a flush, a stock waterer's float); a softener's regeneration is one
 * draw of 90 minutes; a periodic refill is six draws in about two hours.
 *
 * The chain needs the meter to show each refill: a 10-gallon meter steps once every couple of
 * hours under a flapper, and this rule cannot see it there.
 */
import type { LocalClock } from "./local-time.ts";
import { formatDuration, type Trigger } from "./trigger.ts";

const MINUTE_MS = 60_000;

export const NIGHT_REFILLS = {
  rule: "night_refills",
  /** Draws in one chain that fire the rule. */
  draws: 6,
  /** Longest pause between two draws of a chain: twice a flapper's period. */
  chainGapMs: 40 * MINUTE_MS,
} as const;

/**
 * Triggers for `used` (gallons drawn since the first reading, per row; NaN where no reading),
 * in local quiet hours [fromHour, toHour). A chain still growing at `lastMs` has no end.
 */
export function nightRefillTriggers(
  deviceId: string, ts: ArrayLike<number>, used: ArrayLike<number>, clock: LocalClock, lastMs: number,
  quiet: { fromHour: number; toHour: number }, separationMs: number,
): Trigger[] {
  const out: Trigger[] = [];
  let chain: { start: number; last: number; draws: number; gallons: number; day: number } | undefined;
  let lastStep = -Infinity;
  const close = () => {
    if (chain && chain.draws >= NIGHT_REFILLS.draws) {
      const ongoing = lastMs - chain.last <= NIGHT_REFILLS.chainGapMs && inQuiet(clock, lastMs, quiet);
      out.push({
        rule: NIGHT_REFILLS.rule, deviceId, startMs: chain.start, endMs: ongoing ? undefined : chain.last, severity: "warning",
        message: `${clock.dateLabel(chain.start)}: ${chain.draws} separate draws of ${(chain.gallons / chain.draws).toFixed(1)} gal on average over ${formatDuration(chain.last - chain.start)} while the house sleeps — a toilet flapper refilling?`,
      });
    }
    chain = undefined;
  };
  // Not only after a reading that saw the meter still (night_meter_hours asks that): a small
  // continuous leak read every 5 minutes never reads still, and this rule is what finds it at
  // night. The cost: a softener's regeneration read so, its steps spread by the polling's
  // jitter, may read as several draws.
  forEachCounterStep(ts, used, (t, step) => {
    const newDraw = t - lastStep > separationMs;
    lastStep = t;
    if (!inQuiet(clock, t, quiet)) {
      close();
      return;
    }
    const day = clock.dayIndex(t);
    if (chain && (t - chain.last > NIGHT_REFILLS.chainGapMs || day !== chain.day)) close();
    if (!chain) chain = { start: t, last: t, draws: 1, gallons: step, day };
    else {
      if (newDraw) chain.draws++;
      chain.last = t;
      chain.gallons += step;
    }
  });
  close();
  return out;
}

/**
 * Calls `onStep` with the time and the gallons of each reading at which the counter rose, and
 * whether a reading since the previous rise showed it standing still (`stood`); `used`: gallons
 * drawn since the first reading, per row, NaN where no reading.
 *
 * Only a meter read standing still tells that a draw stopped: under 5-minute polling (with its
 * jitter) a steady draw's steps can lie further apart than the joining distance, but every
 * reading still shows the counter risen. `night_meter_hours` asks for it (a softener read so is
 * one draw); `night_refills` does not (a small leak read so is a chain of draws).
 */
export function forEachCounterStep(ts: ArrayLike<number>, used: ArrayLike<number>, onStep: (t: number, gallons: number, stood: boolean) => void): void {
  let prevU = Number.NaN;
  let stood = true;
  for (let i = 0; i < ts.length; i++) {
    const u = used[i]!;
    if (u !== u) continue;
    const step = prevU === prevU ? u - prevU : 0;
    prevU = u;
    if (step > 0) {
      onStep(ts[i]!, step, stood);
      stood = false;
    } else stood = true;
  }
}

/** Whether `t` falls in the local quiet hours [fromHour, toHour). */
export function inQuiet(clock: LocalClock, t: number, quiet: { fromHour: number; toHour: number }): boolean {
  const h = clock.hourOfDay(t);
  return h >= quiet.fromHour && h < quiet.toHour;
}
