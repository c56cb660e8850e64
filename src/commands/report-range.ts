/**
 * The reported range (`report --since/--until`) checked against the history before any work:
 * a range wholly before or after the readings would make a report of nothing, with a header
 * running backwards and "no leak was found", which reads as a clean bill of health.
 */
import { localClock } from "../analytics/local-time.ts";
import { zoneLabel } from "../physics/zone-label.ts";
import { NightowlError } from "../errors.ts";
import { isSkippedWallTime, parseEventTime } from "../events/event-time.ts";

/** The flags as the user typed them, to quote back. */
export interface RangeFlags {
  since?: string;
  until?: string;
}

/**
 * @throws NightowlError E_USAGE when `since` is not before `until`, or when the range holds no
 *   reading of any device, naming the history's first and last reading on the report's clock
 *   (`timeZone`, with the zone's name), the clock its pages are in
 */
export function checkReportRange(frames: readonly { ts: ArrayLike<number> }[], sinceMs: number | undefined, untilMs: number, flags: RangeFlags, timeZone = "UTC"): void {
  const given = [flags.since === undefined ? "" : `--since ${JSON.stringify(flags.since)}`, flags.until === undefined ? "" : `--until ${JSON.stringify(flags.until)}`].filter(Boolean).join(" ");
  if (sinceMs !== undefined && flags.until !== undefined && sinceMs >= untilMs) {
    throw new NightowlError("E_USAGE", `--since ${flags.since} is not before --until: expected an earlier time`);
  }
  let first = Infinity;
  let last = -Infinity;
  for (const f of frames) {
    if (f.ts.length === 0) continue;
    first = Math.min(first, f.ts[0]!);
    last = Math.max(last, f.ts[f.ts.length - 1]!);
  }
  if (first > last) return;
  if (untilMs < first || (sinceMs ?? -Infinity) > last) {
    const at = (ms: number) => localClock(timeZone).stamp(ms, true);
    throw new NightowlError("E_USAGE", `${given} holds no reading of the history: its readings run from ${at(first)} to ${at(last)}; expected a range that overlaps them`);
  }
}

/**
 * A `--since`/`--until` as typed: an offset back from `base` (7d, 36h, 90m), epoch ms, ISO 8601
 * with an offset, or a date or date and time without one read on the report's clock
 * (`timeZone`), as `events add` reads them: `--since 2026-07-04` is the sites' midnight, not
 * UTC's (nor, for a time, the machine's, as `Date.parse` would have it).
 * @throws NightowlError E_USAGE naming the flag
 */
export function parseReportTime(flag: string, text: string, base: number, timeZone: string): number {
  const s = text.trim();
  const offset = /^-?(\d+(?:\.\d+)?)(d|h|m)$/.exec(s);
  if (offset) return base - Number(offset[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[offset[2] as "d"];
  if (/^\d{10,}$/.test(s)) return Number(s);
  try {
    return parseEventTime(s, timeZone, flag);
  } catch (error) {
    if (isSkippedWallTime(error)) throw error;
    throw new NightowlError("E_USAGE", `${flag} ${JSON.stringify(text.slice(0, 60))} is not allowed: expected a date or date and time in ${zoneLabel(timeZone)} (2026-07-04, 2026-07-04 08:00), ISO 8601 with an offset, epoch milliseconds, or an offset such as 7d, 36h or 90m`);
  }
}
