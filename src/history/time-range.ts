/**
 * The time range of a history fetch: `--days N` back from now (or from `--until`), or
 * `--since/--until` given as ISO dates, ISO date-times or epoch milliseconds. The range is
 * half-open, [startMs, endMs): a point at exactly `endMs` belongs to the next fetch.
 */
import { NightowlError } from "../errors.ts";

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

/**
 * Parses one instant: all digits = epoch milliseconds; `YYYY-MM-DD` = midnight UTC; anything
 * else an ISO 8601 date-time (a time without an offset is read as UTC).
 * @throws NightowlError E_USAGE naming the flag, the value and what is allowed
 */
export function parseInstant(flag: string, value: string): number {
  const s = value.trim();
  let ms = NaN;
  if (/^[0-9]+$/.test(s)) ms = Number(s);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) ms = Date.parse(`${s}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) ms = Date.parse(s.replace(" ", "T") + "Z");
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) ms = Date.parse(s.replace(" ", "T"));
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new NightowlError(
      "E_USAGE",
      `${flag} ${JSON.stringify(value)} is not a time: expected epoch milliseconds, a date (2024-06-01) or an ISO date-time (2024-06-01T12:00:00Z)`,
    );
  }
  return ms;
}

/**
 * Resolves the flags into a range. `--days` and `--since` exclude each other; `--until`
 * defaults to `nowMs`; without either, the last {@link DEFAULT_DAYS} days.
 * @throws NightowlError E_USAGE when a value is malformed or since ≥ until
 */
export function resolveRange(request: RangeRequest, nowMs: number): TimeRange {
  if (request.days !== undefined && request.since !== undefined) {
    throw new NightowlError("E_USAGE", "--days and --since exclude each other: give --days N (optionally with --until), or --since with --until");
  }
  const endMs = request.until !== undefined ? parseInstant("--until", request.until) : Math.floor(nowMs);
  let startMs: number;
  if (request.since !== undefined) {
    startMs = parseInstant("--since", request.since);
  } else {
    const raw = request.days ?? String(DEFAULT_DAYS);
    const days = /^\s*[0-9]*\.?[0-9]+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!(days > 0) || days > 36_500) {
      throw new NightowlError("E_USAGE", `--days ${JSON.stringify(raw)} is not allowed: expected a number of days above 0 and at most 36500`);
    }
    startMs = endMs - Math.round(days * DAY_MS);
  }
  if (!(startMs < endMs)) {
    throw new NightowlError(
      "E_USAGE",
      `the range is empty: --since ${new Date(startMs).toISOString()} is not before --until ${new Date(endMs).toISOString()}`,
    );
  }
  if (startMs < 0) throw new NightowlError("E_USAGE", `--days reaches before 1970 (start ${startMs} ms): expected fewer days`);
  return { startMs, endMs };
}

/** `YYYYMMDD` of an instant in UTC, as history file names carry it. */
export function compactDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}
