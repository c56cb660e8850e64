/**
 * Local wall-clock time of a site, for day and hour buckets and the night window. The offset
 * from UTC is looked up once per UTC hour and cached, so a year of minute rows costs about
 * nine thousand `Intl` calls, not half a million.
 */
import { NightowlError } from "../errors.ts";

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
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
  } catch (error) {
    throw new NightowlError("E_CONFIG", `time zone ${JSON.stringify(timeZone)} is not known: expected an IANA time zone such as UTC or America/Chicago`, { cause: error });
  }
  const utc = timeZone === "UTC" || timeZone === "Etc/UTC";
  const cache = new Map<number, number>();

  function offsetMs(ts: number): number {
    if (utc) return 0;
    const hour = Math.floor(ts / HOUR_MS);
    let off = cache.get(hour);
    if (off === undefined) {
      const at = hour * HOUR_MS;
      const p: Record<string, number> = {};
      for (const part of format.formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
      cache.set(hour, off);
    }
    return off;
  }

  function startOfDay(day: number): number {
    const guess = day * DAY_MS - offsetMs(day * DAY_MS);
    return day * DAY_MS - offsetMs(guess);
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
  };
}
