/**
 * Household water demand of one site for one local day, as discrete draw events (flushes,
 * showers, faucets, appliances) plus scheduled long draws (irrigation, softener regeneration,
 * pool fill). A pure function of (seed, site, day), so any day regenerates identically.
 */
import { hash32, mulberry32, poisson, uniform } from "./random.ts";
import type { SimDeviceSpec } from "./site.ts";

/** One draw: seconds after local midnight (may exceed a day), duration in seconds, gal/min. */
export interface DrawEvent {
  start: number;
  duration: number;
  gpm: number;
}

export const DAY_MS = 86_400_000;
const DAY_S = 86_400;

/** Day of the week of local day `day` (days since the epoch), 0 = Sunday. */
export function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Calendar month 1..12 of local day `day`. */
export function monthOf(day: number): number {
  return new Date(day * DAY_MS).getUTCMonth() + 1;
}

/** The draw events that start during local day `day`. */
export function dayEvents(spec: SimDeviceSpec, seed: number, day: number): DrawEvent[] {
  const rng = mulberry32(hash32(seed, spec.hashId, day, 0xd1a7));
  const dow = dayOfWeek(day);
  const weekend = dow === 0 || dow === 6;
  const month = monthOf(day);
  const events: DrawEvent[] = [];
  const at = (hours: number) => hours * 3600;
  const flush = (t: number) => events.push({ start: t, duration: uniform(rng, 30, 45), gpm: 1.6 / 0.6 });
  const faucet = (t: number) => events.push({ start: t, duration: uniform(rng, 15, 120), gpm: uniform(rng, 1, 2.2) });
  const shower = (t: number) => events.push({ start: t, duration: uniform(rng, 5, 12) * 60, gpm: uniform(rng, 1.8, 2.5) });

  for (let person = 0; person < spec.occupants; person++) {
    const wake = weekend ? uniform(rng, 7.5, 9.5) : uniform(rng, 5.75, 7.25);
    flush(at(wake) + uniform(rng, 0, 600));
    faucet(at(wake) + uniform(rng, 300, 900));
    if (rng() < (weekend ? 0.5 : 0.7)) shower(at(wake) + uniform(rng, 600, 1800));
    const dayFlushes = poisson(rng, weekend ? 3 : 1);
    for (let i = 0; i < dayFlushes; i++) flush(at(uniform(rng, 10, 17)));
    const dayFaucets = poisson(rng, weekend ? 4 : 1.5);
    for (let i = 0; i < dayFaucets; i++) faucet(at(uniform(rng, 9, 17)));
    const eveningFlushes = poisson(rng, 2);
    for (let i = 0; i < eveningFlushes; i++) flush(at(uniform(rng, 17, 22.5)));
    const eveningFaucets = poisson(rng, 3);
    for (let i = 0; i < eveningFaucets; i++) faucet(at(uniform(rng, 17, 21)));
    if (rng() < 0.25) shower(at(uniform(rng, 19, 22)));
    const bed = uniform(rng, 22, 23.5);
    flush(at(bed));
    faucet(at(bed) - 120);
    if (rng() < 0.12) flush(at(uniform(rng, 0.5, 5)));
  }
  if (rng() < 0.6) {
    // Dishwasher: four fills of about 1.5 gallons, twelve minutes apart.
    const t = at(uniform(rng, 19.5, 21.5));
    for (let i = 0; i < 4; i++) events.push({ start: t + i * 720, duration: 45, gpm: 2 });
  }
  if (rng() < (weekend ? 0.7 : 0.25) * Math.min(1, spec.occupants / 2)) {
    // Washing machine: three fills of 3 gal/min, twenty minutes apart (about 40 gallons).
    const t = at(uniform(rng, 9, 16));
    for (let i = 0; i < 3; i++) events.push({ start: t + i * 1200, duration: uniform(rng, 240, 300), gpm: 3 });
  }
  const irrigation = spec.irrigation;
  if (irrigation && irrigation.days.includes(dow) && month >= irrigation.fromMonth && month <= irrigation.toMonth) {
    events.push({ start: irrigation.startMinute * 60, duration: irrigation.minutes * 60, gpm: irrigation.gpm });
  }
  events.push(...softenerEvents(spec, day));
  if (spec.pool && month >= 5 && month <= 9 && rng() < 0.08) {
    events.push({ start: at(uniform(rng, 9, 13)), duration: uniform(rng, 2, 4) * 3600, gpm: uniform(rng, 5, 7) });
  }
  return events;
}

/** The softener's regeneration draws of local day `day` (none on other days). */
export function softenerEvents(spec: SimDeviceSpec, day: number): DrawEvent[] {
  const softener = spec.softener;
  if (!softener || (((day % softener.everyDays) + softener.everyDays) % softener.everyDays) !== softener.phase) return [];
  // Regeneration: backwash, brine draw and slow rinse, fast rinse, brine refill (≈ 50 gal / 90 min).
  const t = softener.startMinute * 60;
  return [
    { start: t, duration: 600, gpm: 2 },
    { start: t + 600, duration: 3600, gpm: 0.35 },
    { start: t + 4200, duration: 600, gpm: 1.5 },
    { start: t + 4800, duration: 600, gpm: 0.5 },
  ];
}

/** The draws that start during one local day (`dayEvents`, or a household's). */
export type DayEvents = (spec: SimDeviceSpec, seed: number, day: number) => DrawEvent[];

/**
 * Demand of local day `day` as average gal/min per step of `stepSeconds`, including draws
 * that began the day before and run past midnight. `eventsOf` other than `dayEvents` may
 * shift draws before midnight (wall-clock time across DST), so the next day's are read too.
 */
export function dayDemand(spec: SimDeviceSpec, seed: number, day: number, stepSeconds: number, eventsOf: DayEvents = dayEvents): Float64Array {
  const steps = DAY_S / stepSeconds;
  const demand = new Float64Array(steps);
  const add = (e: DrawEvent, shift: number) => {
    const from = e.start + shift;
    const to = from + e.duration;
    if (to <= 0 || from >= DAY_S) return;
    const a = Math.max(0, from);
    const b = Math.min(DAY_S, to);
    for (let i = Math.floor(a / stepSeconds); i < steps && i * stepSeconds < b; i++) {
      const s0 = i * stepSeconds;
      const overlap = Math.min(b, s0 + stepSeconds) - Math.max(a, s0);
      if (overlap > 0) demand[i] += (e.gpm * overlap) / stepSeconds;
    }
  };
  for (const e of eventsOf(spec, seed, day - 1)) if (e.start + e.duration > DAY_S) add(e, -DAY_S);
  for (const e of eventsOf(spec, seed, day)) add(e, 0);
  if (eventsOf !== dayEvents) for (const e of eventsOf(spec, seed, day + 1)) if (e.start < 0) add(e, DAY_S);
  return demand;
}
