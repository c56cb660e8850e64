/**
 * Times the owner types for an event: epoch milliseconds, ISO 8601 with an offset, or a local
 * date and time without one ("2026-07-04 08:00"), read in the sites' zone — a pool fill is
 * booked by the wall clock. A wall time the spring change skips is refused (moving it an hour
 * silently books another hour than the owner meant); one the autumn change repeats is its first.
 */
import { NightowlError } from "../errors.ts";
import { zoneLabel } from "../physics/zone-label.ts";
import { zoneOffsets } from "../physics/zone-offsets.ts";

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of `text`; throws `E_USAGE` naming `what` (e.g. "--start") for anything else. */
export function parseEventTime(text: string, timeZone: string, what: string): number {
  const s = text.trim();
  const fail = () =>
    new NightowlError("E_USAGE", `${what} ${JSON.stringify(text.slice(0, 60))} is not a time: expected epoch milliseconds, 2026-07-04T08:00:00-06:00, or 2026-07-04 08:00 in ${zoneLabel(timeZone)}`);
  if (/^\d{12,14}$/.test(s)) return Number(s);
  if (WITH_OFFSET.test(s)) {
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
    throw fail();
  }
  const m = LOCAL.exec(s);
  if (!m) throw fail();
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) throw fail();
  const wall = Date.UTC(y, mo - 1, d, h, mi, se);
  if (new Date(wall).getUTCDate() !== d) throw fail();
  const zone = zoneOffsets(timeZone);
  // The offset at the wall time read as UTC is a first guess; the offset at that instant settles it.
  const guess = wall - zone.offsetAt(wall);
  const guessOffset = zone.offsetAt(guess);
  const at = wall - guessOffset;
  const atOffset = zone.offsetAt(at);
  if (at + atOffset === wall) return at;
  // The clock never shows `wall` that day: the offset grows by the gap there, so of the two
  // offsets around it the smaller tells the instant just after it.
  // A date alone means the day's start, which in a zone changing at midnight is the gap's end.
  if (m[4] === undefined) return wall - Math.min(guessOffset, atOffset);
  const skipped = Math.round(Math.abs(guessOffset - atOffset) / 60_000);
  const error = new NightowlError("E_USAGE", `${what} ${JSON.stringify(text.slice(0, 60))} does not exist in ${zoneLabel(timeZone)}: the clocks skip ${skipped} minutes there that day (a daylight-saving change); expected a time before or after the gap`);
  SKIPPED.add(error);
  throw error;
}

const SKIPPED = new WeakSet<Error>();

/** Whether `error` is the refusal of a skipped wall time, which callers wording "not a time" their own way pass on as it is. */
export function isSkippedWallTime(error: unknown): boolean {
  return error instanceof Error && SKIPPED.has(error);
}
