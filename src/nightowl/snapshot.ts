/**
 * What one poll learns of one device: the domain type every consumer (report, metrics,
 * live scoring, analytics) reads. The client builds it from the entity-data query.
 */

import type { PortalValue } from "./schemas.ts";
import { decimalNumber } from "./values.ts";

/** A value as the portal sent it: a number, or a string such as "52.4", "true" or "Dan Gorman". */
export type RawValue = number | string;

export interface Reading {
  /** Epoch milliseconds of the reading. */
  ts: number;
  value: RawValue;
}

export interface DeviceSnapshot {
  id: string;
  name: string;
  /** Device profile, e.g. "NightOwl Flex". */
  type: string;
  /** From `CustomerInfo` by the original rule (see `userLabelFor`). */
  userLabel: string;
  /** Latest telemetry by key; a key with no value (absent or "") is left out. */
  telemetry: Record<string, Reading>;
  /** Latest attributes by key; a key with no value is left out. */
  attributes: Record<string, Reading>;
}

/**
 * A value as a number for Prometheus: numbers and decimal strings as they are (the CSV
 * reader's rule: no `0x10`, no Infinity), "true"/"false" as 1/0, anything else (names, empty) as null.
 */
export function numericValue(value: RawValue | undefined): number | null {
  if (value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  const lower = value.trim().toLowerCase();
  if (lower === "true") return 1;
  if (lower === "false") return 0;
  return decimalNumber(value);
}

/** A portal value as the snapshot keeps it: booleans as "true"/"false", null and "" as no value. */
export function rawValueOf(value: PortalValue | null): RawValue | undefined {
  if (value === null) return undefined;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}
