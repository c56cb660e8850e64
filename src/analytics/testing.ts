/**
 * Hand-made history frames for the analytics tests: rows from plain objects, so a test reads
 * as the readings it feeds in.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";

/** A frame from rows `{ ts, key: value, ... }`; a key missing from a row is NaN there. */
export function frameOf(rows: Array<Record<string, number>>, meta: Partial<HistoryFrame> = {}): HistoryFrame {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (k !== "ts") keys.add(k);
  const columns: Record<string, Float64Array> = {};
  for (const k of keys) columns[k] = Float64Array.from(rows, (r) => (r[k] === undefined ? NaN : r[k]!));
  return {
    deviceId: meta.deviceId ?? "dev-1",
    deviceName: meta.deviceName ?? "3701155",
    userLabel: meta.userLabel ?? "dgorman",
    customer: meta.customer,
    site: meta.site,
    ts: Float64Array.from(rows, (r) => r.ts!),
    columns,
  };
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-01-01T00:00:00Z, a Thursday. */
export const JAN1 = Date.UTC(2026, 0, 1);
