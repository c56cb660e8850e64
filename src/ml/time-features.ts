/**
 * Local time of day and week at a site, for the cyclical and calendar features. The UTC
 * offset comes from the process's one cache per zone (src/physics/zone-offsets.ts), which the
 * analytics' local clock shares.
 */
import { NightowlError } from "../errors.ts";
import { zoneOffsets, type ZoneDay, type ZoneOffsets } from "../physics/zone-offsets.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * A zone's UTC offset for a stream of rows: the shared per-zone cache (src/physics/zone-offsets.ts),
 * with the current UTC day kept at hand, since rows come in time order.
 */
export class ZoneClock {
  private readonly zone: ZoneOffsets;
  private current: ZoneDay | undefined;

  constructor(readonly timeZone: string) {
    try {
      this.zone = zoneOffsets(timeZone);
    } catch (error) {
      throw new NightowlError("E_CONFIG", `timeZone "${timeZone}" is not an IANA time zone (for example America/Chicago or UTC)`, { cause: error });
    }
  }

  /** Local time minus UTC at instant `t` (epoch ms), in milliseconds. */
  offsetAt(t: number): number {
    let d = this.current;
    if (!d || !(t >= d.start && t < d.start + DAY_MS)) this.current = d = this.zone.day(t);
    return t < d.change ? d.before : d.after;
  }

  /** Milliseconds since the local midnight of 1970-01-01 at instant `t`. */
  local(t: number): number {
    return t + this.offsetAt(t);
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
