/**
 * The reported range (`report --since/--until`) checked against the history before any work:
 * a range wholly before or after the readings would make a report of nothing, with a header
 * running backwards and "no leak was found", which reads as a clean bill of health.
 */
import { localClock } from "../analytics/local-time.ts";
import { NightowlError } from "../errors.ts";

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
