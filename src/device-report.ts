/**
 * The original monitor's per-device report (what `poll-once` prints), and the plain object
 * printed by `--json`. Pure: a snapshot in, text or data out.
 */
import { numericValue, type DeviceSnapshot, type RawValue, type Reading } from "./nightowl/snapshot.ts";

/** Value shown for a summary key the device did not report. */
const MISSING = "-";

/**
 * The report of one device:
 * ```
 * Device: 3701155 (784f3940-…)
 * ----------------------------
 * Summary:
 *   Level1_precent     : 63.2
 *   Pulse_TotalGallons : -
 *
 * Telemetry:
 *   S1 : 52.4
 *
 * Attributes:
 *   (none)
 * ```
 * Keys are padded to the longest key of their section. The summary lists `summaryKeys` with `-`
 * for a missing value; when none of them has a value it falls back to all telemetry. Telemetry
 * and attributes list the keys present, requested keys first in their requested order, then
 * any other key the portal sent. Lines are joined by "\n" without a trailing newline.
 */
export function formatDeviceReport(
  device: DeviceSnapshot,
  summaryKeys: readonly string[],
  telemetryKeys: readonly string[],
  attributeKeys: readonly string[],
): string {
  const header = `Device: ${device.name} (${device.id})`;
  const telemetry = presentEntries(device.telemetry, telemetryKeys);
  const hasSummary = summaryKeys.some((key) => device.telemetry[key] !== undefined);
  const summary: [string, string][] = hasSummary
    ? summaryKeys.map((key) => [key, device.telemetry[key] ? show(device.telemetry[key].value) : MISSING])
    : telemetry;
  return [
    header,
    "-".repeat(header.length),
    ...section("Summary", summary),
    "",
    ...section("Telemetry", telemetry),
    "",
    ...section("Attributes", presentEntries(device.attributes, attributeKeys)),
  ].join("\n");
}

/**
 * The `--json` form of one device: telemetry as numbers (the portal sends strings; a value
 * that is not a number stays as sent), with each telemetry key's reading time in epoch ms
 * under `telemetry_ts`; attributes as the portal sent them.
 */
export function deviceJson(device: DeviceSnapshot) {
  return {
    id: device.id,
    name: device.name,
    type: device.type,
    user_label: device.userLabel,
    telemetry: Object.fromEntries(Object.entries(device.telemetry).map(([key, r]) => [key, numericValue(r.value) ?? r.value])),
    telemetry_ts: Object.fromEntries(Object.entries(device.telemetry).map(([key, r]) => [key, r.ts])),
    attributes: valuesOf(device.attributes),
  };
}

function valuesOf(readings: Record<string, Reading>): Record<string, RawValue> {
  return Object.fromEntries(Object.entries(readings).map(([key, reading]) => [key, reading.value]));
}

function presentEntries(readings: Record<string, Reading>, order: readonly string[]): [string, string][] {
  const listed = new Set(order);
  const keys = [...order.filter((key) => readings[key] !== undefined), ...Object.keys(readings).filter((key) => !listed.has(key))];
  return [...new Set(keys)].map((key) => [key, show(readings[key]!.value)]);
}

function section(title: string, entries: [string, string][]): string[] {
  if (entries.length === 0) return [`${title}:`, "  (none)"];
  const width = Math.max(...entries.map(([key]) => key.length));
  return [`${title}:`, ...entries.map(([key, value]) => `  ${key.padEnd(width)} : ${value}`)];
}

function show(value: RawValue): string {
  // A value with a line break would break the report's layout.
  return String(value).replace(/\r?\n/g, " ");
}
