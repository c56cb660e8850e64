/**
 * A household as people: they live by the wall clock of their zone, so their mornings move by
 * an hour against standard time when daylight saving starts or ends; they go away on vacation
 * (only the softener, the irrigation controller and the animals draw water) and have guests.
 */
import { dayEvents, softenerEvents, type DrawEvent } from "./demand.ts";
import { plannedDraws, type DrawPlan } from "./draws.ts";
import type { SimDeviceSpec } from "./site.ts";

/** Local days [fromDay, toDay) (days since the epoch in the site's standard time). */
export interface DayRange {
  fromDay: number;
  toDay: number;
}

export interface HouseholdPlan {
  /** IANA zone whose wall clock the household keeps (the site's standard offset is `tzOffsetHours`). */
  timeZone: string;
  vacations?: DayRange[];
  guests?: (DayRange & { extra: number })[];
  draws?: DrawPlan;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset of `timeZone` at epoch ms `ms`, hours. */
export function zoneOffsetHours(timeZone: string, ms: number): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    formats.set(timeZone, format);
  }
  const name = format.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) + Number(m[3]) / 60) : 0;
}

/**
 * Seconds to add to a wall-clock time of local day `day` to place it in the site's standard
 * time: −3600 while daylight saving is on (07:00 on the clock is 06:00 standard).
 */
export function wallClockShiftSeconds(spec: SimDeviceSpec, timeZone: string, day: number): number {
  const noon = day * 86_400_000 + (12 - spec.tzOffsetHours) * 3_600_000;
  return Math.round((spec.tzOffsetHours - zoneOffsetHours(timeZone, noon)) * 3600);
}

function within<R extends DayRange>(ranges: readonly R[] | undefined, day: number): R[] {
  return (ranges ?? []).filter((r) => day >= r.fromDay && day < r.toDay);
}

/** The draws that start on local day `day` for a site with a household plan, in standard time. */
export function householdEvents(spec: SimDeviceSpec, seed: number, day: number): DrawEvent[] {
  const plan = spec.household;
  if (!plan) return dayEvents(spec, seed, day);
  const away = within(plan.vacations, day).length > 0;
  const extra = within(plan.guests, day).reduce((n, g) => n + g.extra, 0);
  const routine = away ? softenerEvents(spec, day) : dayEvents({ ...spec, occupants: spec.occupants + extra }, seed, day);
  const events = plan.draws ? [...routine, ...plannedDraws(spec, plan.draws, seed, day, away)] : routine;
  const shift = wallClockShiftSeconds(spec, plan.timeZone, day);
  return shift === 0 ? events : events.map((e) => ({ ...e, start: e.start + shift }));
}
