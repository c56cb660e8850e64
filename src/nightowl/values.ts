/**
 * One rule for the numbers, timestamps and strings nightowl takes from outside — the portal's
 * live answers and history CSV files alike — so `"0x10"` is not 16 in one place and an error
 * in the other, and a timestamp of `1e309` or a device name of 100 MB stops at the door.
 */
import { escapeControl } from "../log.ts";

/** Earliest plausible reading: 2000-01-01T00:00:00Z, epoch ms (well systems report nothing older). */
export const MIN_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
/** Latest plausible reading: 2100-01-01T00:00:00Z, epoch ms (a microsecond or seconds·10⁹ stamp lands far beyond). */
export const MAX_PLAUSIBLE_MS = Date.UTC(2100, 0, 1);

/** Whether `ts` is an epoch-millisecond time in [2000, 2100) (false for NaN and ±Infinity). */
export function isPlausibleTimestamp(ts: number): boolean {
  return ts >= MIN_PLAUSIBLE_MS && ts < MAX_PLAUSIBLE_MS;
}

/** What the timestamp checks say when one is out of range. */
export const PLAUSIBLE_RANGE = "epoch milliseconds from 2000-01-01 to 2100-01-01";

/**
 * A decimal number from text ("52.4", "-1", "1e3", " 7 "), or null for anything else: blanks,
 * words, ±Infinity and radix literals (`0x10`, `0b1`, `0o7`), which JavaScript's `Number`
 * would read but no telemetry means.
 */
export function decimalNumber(text: string): number | null {
  const s = text.trim();
  if (s === "" || isRadixLiteral(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** 0x1f, 0b1, 0o7 (after an optional sign). */
export function isRadixLiteral(cell: string): boolean {
  const start = cell.charCodeAt(0) === 43 || cell.charCodeAt(0) === 45 ? 1 : 0;
  if (cell.length < start + 3 || cell.charCodeAt(start) !== 48) return false;
  const c = cell.charCodeAt(start + 1) | 32;
  return c === 120 || c === 98 || c === 111;
}

/** Longest text kept from the portal for a name, label or attribute; longer is cut with "…". */
export const MAX_TEXT_CHARS = 256;

/**
 * Portal text as nightowl keeps it: control characters escaped (a line break in a device name
 * would split a report or log line into a forged one) and cut to {@link MAX_TEXT_CHARS}
 * characters, so label values, files and log lines stay bounded.
 */
export function boundedText(text: string): string {
  const clean = escapeControl(text.length > 4 * MAX_TEXT_CHARS ? text.slice(0, 4 * MAX_TEXT_CHARS) : text);
  return clean.length > MAX_TEXT_CHARS ? `${clean.slice(0, MAX_TEXT_CHARS - 1)}…` : clean;
}

/** The portal's entity ids are UUIDs; anything else could be a path (`..`) when put in a URL. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the portal's UUID shape. */
export function isPortalId(id: string): boolean {
  return UUID.test(id);
}

/** `text` cut to {@link MAX_TEXT_CHARS} and quoted as JSON (control characters escaped), for messages. */
export function quotedText(text: string): string {
  return JSON.stringify(text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 1)}…` : text);
}
