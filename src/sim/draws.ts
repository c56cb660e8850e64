/**
 * Legitimate draws beyond the household's daily routine, the ones that look like leaks to a
 * naive detector: livestock waterers refilling on a float day and night, an irrigation
 * schedule that begins partway through the history, one-off pool fills, garden-hose sessions.
 * Each is a pure function of (seed, site, day), in local wall-clock seconds.
 */
import type { DrawEvent } from "./demand.ts";
import { dayOfWeek } from "./demand.ts";
import { hash32, mulberry32, poisson, uniform } from "./random.ts";
import type { SimDeviceSpec } from "./site.ts";

/** An irrigation controller's schedule, running from local day `fromDay` on. */
export interface PlannedIrrigation {
  fromDay: number;
  /** Days of the week, 0 = Sunday. */
  days: number[];
  startMinute: number;
  minutes: number;
  gpm: number;
}

/** One draw on a given local day (a pool fill, a hose session). */
export interface PlannedDraw {
  day: number;
  startMinute: number;
  minutes: number;
  gpm: number;
}

export interface DrawPlan {
  irrigation?: PlannedIrrigation;
  poolFills?: PlannedDraw[];
  /** Explicit hose sessions, beside the random ones. */
  hoseSessions?: PlannedDraw[];
  /** Random hose sessions per week (afternoons, 10–40 min at 4–6 gal/min), not while away. */
  hosePerWeek?: number;
  /** A stock waterer refilled on a float: gallons drunk per day, four fifths of it by day. */
  livestockGallonsPerDay?: number;
}

const planned = (d: PlannedDraw): DrawEvent => ({ start: d.startMinute * 60, duration: d.minutes * 60, gpm: d.gpm });

/** The planned draws that start on local day `day`; `away`: nobody home (no hose). */
export function plannedDraws(spec: SimDeviceSpec, plan: DrawPlan, seed: number, day: number, away: boolean): DrawEvent[] {
  const rng = mulberry32(hash32(seed, spec.hashId, day, 0xd7a5));
  const events: DrawEvent[] = [];
  const irrigation = plan.irrigation;
  if (irrigation && day >= irrigation.fromDay && irrigation.days.includes(dayOfWeek(day))) {
    events.push({ start: irrigation.startMinute * 60, duration: irrigation.minutes * 60, gpm: irrigation.gpm });
  }
  for (const fill of plan.poolFills ?? []) if (fill.day === day) events.push(planned(fill));
  for (const hose of plan.hoseSessions ?? []) if (hose.day === day) events.push(planned(hose));
  const hoses = poisson(rng, (plan.hosePerWeek ?? 0) / 7);
  for (let i = 0; i < hoses && !away; i++) {
    events.push({ start: uniform(rng, 13, 19) * 3600, duration: uniform(rng, 10, 40) * 60, gpm: uniform(rng, 4, 6) });
  }
  const stock = plan.livestockGallonsPerDay ?? 0;
  // The float opens when the trough is about 3 gallons down and refills it at 3 gal/min.
  const refills = Math.round(stock / 3);
  for (let i = 0; i < refills; i++) {
    const hour = rng() < 0.8 ? uniform(rng, 6, 20) : (20 + uniform(rng, 0, 10)) % 24;
    events.push({ start: hour * 3600, duration: 60, gpm: 3 });
  }
  return events;
}
