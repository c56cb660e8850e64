/**
 * The time range of a history fetch: `--days N` back from now (or from `--until`), or
 * `--since/--until` given as ISO dates, ISO date-times or epoch milliseconds. The range is
 * half-open, [startMs, endMs): a point at exactly `endMs` belongs to the next fetch.
 */
import { describeNumber, notAllowedMessage, parseNumber, type NumberRule } from "../number-rule.ts";
import { OptionError } from "../option-error.ts";

/** A half-open range of epoch milliseconds. */
export interface TimeRange {
  /** Inclusive, epoch milliseconds. */
  startMs: number;
  /** Exclusive, epoch milliseconds. */
  endMs: number;
}

export interface RangeRequest {
  /** Days back from `until` (or now); may be fractional. */
  days?: string;
  since?: string;
  until?: string;
}

const DAY_MS = 86_400_000;
/** Days fetched when neither `--days` nor `--since` is given. */
export const DEFAULT_DAYS = 90;
/** What `days` accepts: a positive number of days, up to a century. */
export const DAYS_RULE: NumberRule = { integer: false, min: 0, max: 36_500, minExclusive: true, unit: "days" };

/**
 * Parses one instant: all digits = epoch milliseconds; `YYYY-MM-DD` = midnight UTC; anything
 * else an ISO 8601 date-time (a time without an offset is read as UTC).
 * @throws OptionError E_USAGE naming the option (`since`, `until`), the value and what is allowed
 */
export function parseInstant(option: "since" | "until", value: string): number {
  const s = value.trim();
  let ms = NaN;
  if (/^[0-9]+$/.test(s)) ms = Number(s);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) ms = Date.parse(`${s}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) ms = Date.parse(s.replace(" ", "T") + "Z");
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) ms = Date.parse(s.replace(" ", "T"));
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new OptionError(
      "E_USAGE",
      (n) => `${n(option)} ${JSON.stringify(value)} is not a time: expected epoch milliseconds, a date (2024-06-01) or an ISO date-time (2024-06-01T12:00:00Z)`,
    );
  }
  return ms;
}

/**
 * Resolves the flags into a range. `--days` and `--since` exclude each other; `--until`
 * defaults to `nowMs`; without either, the last {@link DEFAULT_DAYS} days.
 * @throws OptionError E_USAGE when a value is malformed or since ≥ until
 */
export function resolveRange(request: RangeRequest, nowMs: number): TimeRange {
  if (request.days !== undefined && request.since !== undefined) {
    throw new OptionError("E_USAGE", (n) => `${n("days")} and ${n("since")} exclude each other: give ${n("days")} N (optionally with ${n("until")}), or ${n("since")} with ${n("until")}`);
  }
  const endMs = request.until !== undefined ? parseInstant("until", request.until) : Math.floor(nowMs);
  let startMs: number;
  if (request.since !== undefined) {
    startMs = parseInstant("since", request.since);
  } else {
    const raw = request.days ?? String(DEFAULT_DAYS);
    const days = parseNumber(raw, DAYS_RULE);
    if (days === undefined) throw new OptionError("E_USAGE", (n) => notAllowedMessage(n("days"), JSON.stringify(raw), describeNumber(DAYS_RULE)));
    startMs = endMs - Math.round(days * DAY_MS);
  }
  if (!(startMs < endMs)) {
    throw new OptionError(
      "E_USAGE",
      (n) => `the range is empty: ${n("since")} ${new Date(startMs).toISOString()} is not before ${n("until")} ${new Date(endMs).toISOString()}`,
    );
  }
  if (startMs < 0) throw new OptionError("E_USAGE", (n) => `${n("days")} reaches before 1970 (start ${startMs} ms): expected fewer days`);
  return { startMs, endMs };
}

/** `YYYYMMDD` of an instant in UTC, as history file names carry it. */
export function compactDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}
