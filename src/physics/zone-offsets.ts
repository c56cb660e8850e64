/**
 * The one cache of UTC offsets per IANA time zone, shared by the analytics' local clock and
 * the feature engine. Intl is asked for a UTC day's offsets at its first and last quarter hour,
 * and only when they differ (a change of offset that day) is the change found by bisection to
 * the quarter hour — every offset change in use today happens on a quarter hour. About one
 * Intl call per day of data, whoever asks.
 */
import { NightowlError } from "../errors.ts";

const SLOT_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

/** One UTC day of a zone: the offset before and from `change` (epoch ms; the day's start when none). */
export interface ZoneDay {
  start: number;
  change: number;
  before: number;
  after: number;
}

export interface ZoneOffsets {
  readonly timeZone: string;
  /** Local time minus UTC at `t` (epoch ms), ms. */
  offsetAt(t: number): number;
  /** The UTC day holding `t`. */
  day(t: number): ZoneDay;
}

const zones = new Map<string, ZoneOffsets>();

/** The zone's offsets; throws `E_CONFIG` for a zone Intl does not know. */
export function zoneOffsets(timeZone: string): ZoneOffsets {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = timeZone === "UTC" || timeZone === "Etc/UTC" ? utc(timeZone) : intlZone(timeZone);
    // Zones are few (one per setting); the bound keeps a caller naming many from growing the map.
    if (zones.size >= 64) zones.clear();
    zones.set(timeZone, zone);
  }
  return zone;
}

function utc(timeZone: string): ZoneOffsets {
  return { timeZone, offsetAt: () => 0, day: (t) => ({ start: Math.floor(t / DAY_MS) * DAY_MS, change: Math.floor(t / DAY_MS) * DAY_MS, before: 0, after: 0 }) };
}

function intlZone(timeZone: string): ZoneOffsets {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  } catch (error) {
    throw new NightowlError("E_CONFIG", `time zone ${JSON.stringify(timeZone)} is not known: expected an IANA time zone such as UTC or America/Chicago`, { cause: error });
  }
  const compute = (t: number): number => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(t)) if (part.type !== "literal") parts[part.type] = Number(part.value);
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(t / 1000) * 1000;
  };
  const days = new Map<number, ZoneDay>();
  // Callers walk time in order (a row loop asks several times per row): the last day answers
  // most questions without the map.
  let last: ZoneDay | undefined;
  const day = (t: number): ZoneDay => {
    const start = Math.floor(t / DAY_MS) * DAY_MS;
    if (last !== undefined && last.start === start) return last;
    let d = days.get(start);
    if (d) return (last = d);
    const before = compute(start);
    const after = compute(start + DAY_MS - SLOT_MS);
    let change = start;
    if (before !== after) {
      let lo = 0;
      let hi = DAY_MS / SLOT_MS - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (compute(start + mid * SLOT_MS) === before) lo = mid;
        else hi = mid;
      }
      change = start + hi * SLOT_MS;
    }
    // Decades of days are a few hundred kB; past that, start again rather than grow.
    if (days.size >= 100_000) days.clear();
    days.set(start, (d = { start, change, before, after }));
    return (last = d);
  };
  return {
    timeZone,
    day,
    offsetAt(t) {
      const d = day(t);
      return t < d.change ? d.before : d.after;
    },
  };
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
