/**
 * Local time of day and week at a site, for the cyclical and calendar features. The UTC
 * offset comes from Intl (IANA zones, daylight saving included) and is cached per UTC day:
 * Intl is asked for the offsets at the day's first and last quarter hour, and only when they
 * differ (a change of offset that day) is the change found by bisection to the quarter hour —
 * every offset change in use today happens on a quarter hour. About one Intl call per day of
 * data instead of one per row.
 */
import { NightowlError } from "../errors.ts";

const SLOT_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** UTC offset of an IANA time zone at any instant, cached per quarter hour. */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat | undefined;
  private dayStart = NaN;
  private change = NaN;
  private before = 0;
  private after = 0;

  constructor(readonly timeZone: string) {
    if (timeZone === "UTC" || timeZone === "Etc/UTC") return;
    try {
      this.format = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (error) {
      throw new NightowlError("E_CONFIG", `timeZone "${timeZone}" is not an IANA time zone (for example America/Chicago or UTC)`, { cause: error });
    }
  }

  /** Local time minus UTC at instant `t` (epoch ms), in milliseconds. */
  offsetAt(t: number): number {
    if (!this.format) return 0;
    if (!(t >= this.dayStart && t < this.dayStart + DAY_MS)) this.cacheDay(Math.floor(t / DAY_MS) * DAY_MS);
    return t < this.change ? this.before : this.after;
  }

  private cacheDay(day: number): void {
    this.dayStart = day;
    this.before = this.compute(day);
    this.after = this.compute(day + DAY_MS - SLOT_MS);
    if (this.before === this.after) {
      this.change = day;
      return;
    }
    let lo = 0;
    let hi = DAY_MS / SLOT_MS - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.compute(day + mid * SLOT_MS) === this.before) lo = mid;
      else hi = mid;
    }
    this.change = day + hi * SLOT_MS;
  }

  /** Milliseconds since the local midnight of 1970-01-01 at instant `t`. */
  local(t: number): number {
    return t + this.offsetAt(t);
  }

  private compute(t: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format!.formatToParts(t)) if (part.type !== "literal") parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return wall - Math.floor(t / 1000) * 1000;
  }
}

/** Local hour of day, 0 ≤ h < 24 with minutes as a fraction, from local epoch ms. */
export function localHour(local: number): number {
  const inDay = local - Math.floor(local / DAY_MS) * DAY_MS;
  return inDay / HOUR_MS;
}

/** Local day of week, 0 = Sunday … 6 = Saturday, from local epoch ms (1970-01-01 was a Thursday). */
export function localWeekday(local: number): number {
  return (((Math.floor(local / DAY_MS) + 4) % 7) + 7) % 7;
}

/** True when `hour` lies in [start, end), wrapping past midnight when start > end (23 → 5). */
export function inHours(hour: number, start: number, end: number): boolean {
  return start <= end ? hour >= start && hour < end : hour >= start || hour < end;
}
