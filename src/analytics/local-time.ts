/**
 * Local wall-clock time of a site, for day and hour buckets and the night window. The offset
 * from UTC comes from the process's one cache per zone (src/physics/zone-offsets.ts), shared with the
 * feature engine: about one `Intl` call per day of data.
 */
import { shortZoneName } from "../physics/zone-label.ts";
import { zoneOffsets } from "../physics/zone-offsets.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface LocalClock {
  readonly timeZone: string;
  /** Local time minus UTC at `ts`, milliseconds (e.g. −21 600 000 for CST). */
  offsetMs(ts: number): number;
  /** Days since 1970-01-01 in local time: the index of the local day holding `ts`. */
  dayIndex(ts: number): number;
  /** Local hour of day at `ts` as a fraction, 0 ≤ h < 24. */
  hourOfDay(ts: number): number;
  /** Epoch ms at which the local day holding `ts` starts (local midnight). */
  dayStart(ts: number): number;
  /** Epoch ms of local midnight starting local day `day` (see `dayIndex`). */
  startOfDay(day: number): number;
  /** Epoch ms at which the local hour holding `ts` starts. */
  hourStart(ts: number): number;
  /** "YYYY-MM-DD" of the local day holding `ts`. */
  dateLabel(ts: number): string;
  /**
   * "YYYY-MM-DD HH:MM" on the site's wall clock at `ts`; with `withZone`, followed by the zone's
   * short name then ("2026-11-01 01:30 MDT"), for text read without the zone beside it: it also
   * tells apart the hour the autumn change repeats.
   */
  stamp(ts: number, withZone?: boolean): string;
}

/** Tells a time as `stamp(ts, true)` does in `timeZone`: what an owner's messages and errors print. */
export function zonedStamp(timeZone: string): (ts: number) => string {
  const clock = localClock(timeZone);
  return (ts) => clock.stamp(ts, true);
}

/** One clock per zone for the process: its offset cache is shared by every analysis. */
const clocks = new Map<string, LocalClock>();

/** The clock of an IANA time zone; throws `E_CONFIG` for an unknown zone. */
export function localClock(timeZone = "UTC"): LocalClock {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = newClock(timeZone);
    // Zones are few (one per setting); the bound keeps a hostile caller from growing the map.
    if (clocks.size >= 64) clocks.clear();
    clocks.set(timeZone, clock);
  }
  return clock;
}

function newClock(timeZone: string): LocalClock {
  const zone = zoneOffsets(timeZone);
  const offsetMs = (ts: number): number => zone.offsetAt(ts);

  const dayStarts = new Map<number, number>();
  function startOfDay(day: number): number {
    let start = dayStarts.get(day);
    if (start === undefined) {
      const guess = day * DAY_MS - offsetMs(day * DAY_MS);
      start = day * DAY_MS - offsetMs(guess);
      if (dayStarts.size >= 100_000) dayStarts.clear();
      dayStarts.set(day, start);
    }
    return start;
  }

  /** The zone's short name at `ts` ("MST", "MDT", "UTC"; "UTC+5:30" where the zone has no common one). */
  let names: Intl.DateTimeFormat | undefined;
  function zoneName(ts: number): string {
    names ??= new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" });
    return shortZoneName(names.formatToParts(ts).find((p) => p.type === "timeZoneName")?.value ?? timeZone);
  }

  return {
    timeZone,
    offsetMs,
    dayIndex: (ts) => Math.floor((ts + offsetMs(ts)) / DAY_MS),
    hourOfDay: (ts) => {
      const local = ts + offsetMs(ts);
      return (local - Math.floor(local / DAY_MS) * DAY_MS) / HOUR_MS;
    },
    dayStart: (ts) => startOfDay(Math.floor((ts + offsetMs(ts)) / DAY_MS)),
    startOfDay,
    hourStart: (ts) => {
      const off = offsetMs(ts);
      return Math.floor((ts + off) / HOUR_MS) * HOUR_MS - off;
    },
    dateLabel: (ts) => new Date(Math.floor((ts + offsetMs(ts)) / DAY_MS) * DAY_MS).toISOString().slice(0, 10),
    stamp: (ts, withZone) => {
      const wall = new Date(ts + offsetMs(ts)).toISOString().slice(0, 16).replace("T", " ");
      return withZone ? `${wall} ${zoneName(ts)}` : wall;
    },
  };
}
