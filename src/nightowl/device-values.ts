/**
 * The per-device value endpoints of the telemetry plugin: history (`values/timeseries`) as
 * numeric points per key, and server attributes (`values/attributes`).
 */
import { NightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { PortalCall } from "./http.ts";
import { AttributesSchema, TimeseriesSchema } from "./schemas.ts";
import { numericValue, rawValueOf, type RawValue } from "./snapshot.ts";
import { isPlausibleTimestamp, isPortalId, PLAUSIBLE_RANGE, quotedText } from "./values.ts";

export type Aggregation = "NONE" | "AVG" | "MIN" | "MAX" | "SUM" | "COUNT";

export interface TimeseriesOptions {
  /** Points per key at most (the portal cuts silently beyond it). Default 50 000. */
  limit?: number;
  agg?: Aggregation;
  /** Aggregation bucket in milliseconds (with `agg` other than NONE). */
  intervalMs?: number;
  orderBy?: "ASC" | "DESC";
  signal?: AbortSignal;
}

/** A numeric history point: epoch milliseconds and the value. */
export interface Point {
  ts: number;
  value: number;
}

/** One history call: numeric points per key, and the number of points the portal sent per key. */
export interface TimeseriesPage {
  points: Record<string, Point[]>;
  /** Points per key as sent, including those dropped as non-numeric; keys the portal left out are absent. */
  received: Record<string, number>;
}

/**
 * One call of the history endpoint: numeric points per key (strings parsed, "true"/"false" as
 * 1/0, empty and non-numeric strings dropped; keys with no points absent), plus how many points
 * the portal sent per key before dropping: `received[key] >= limit` means the page was cut and
 * the window must be split.
 */
export async function fetchTimeseriesPage(
  call: PortalCall,
  log: Logger,
  deviceId: string,
  keys: readonly string[],
  startTs: number,
  endTs: number,
  options: TimeseriesOptions = {},
): Promise<TimeseriesPage> {
  const agg = options.agg ?? "NONE";
  const result = await call(
    {
      method: "GET",
      path: `/api/plugins/telemetry/DEVICE/${devicePathSegment(deviceId)}/values/timeseries`,
      query: {
        keys: keys.join(","),
        startTs: Math.floor(startTs),
        endTs: Math.floor(endTs),
        limit: options.limit ?? 50_000,
        agg,
        interval: agg !== "NONE" && options.intervalMs !== undefined ? Math.floor(options.intervalMs) : undefined,
        orderBy: options.orderBy ?? "ASC",
        useStrictDataTypes: true,
      },
      signal: options.signal,
    },
    TimeseriesSchema,
  );
  const points: Record<string, Point[]> = {};
  const received: Record<string, number> = {};
  for (const [key, raw] of Object.entries(result)) {
    received[key] = raw.length;
    const kept: Point[] = [];
    let text = 0;
    let badTime = 0;
    for (const point of raw) {
      const raw = rawValueOf(point.value);
      const value = numericValue(raw);
      if (value === null) text += raw === undefined ? 0 : 1;
      else if (!isPlausibleTimestamp(point.ts)) badTime++;
      else kept.push({ ts: point.ts, value });
    }
    if (text > 0) log.debug(`device ${deviceId} key ${key}: skipped ${text} value(s) that are not numbers`);
    if (badTime > 0) log.warn(`device ${deviceId} key ${key}: skipped ${badTime} point(s) whose ts is not ${PLAUSIBLE_RANGE}`);
    if (kept.length > 0) points[key] = kept;
  }
  return { points, received };
}

/** Server attributes of one device by key, leaving out keys without a value. */
export async function fetchAttributes(call: PortalCall, deviceId: string, keys: readonly string[]): Promise<Record<string, RawValue>> {
  const result = await call(
    {
      method: "GET",
      path: `/api/plugins/telemetry/DEVICE/${devicePathSegment(deviceId)}/values/attributes`,
      query: { keys: keys.join(",") },
    },
    AttributesSchema,
  );
  const out: Record<string, RawValue> = {};
  for (const { key, value } of result) {
    const raw = value !== null && typeof value === "object" ? JSON.stringify(value) : rawValueOf(value);
    if (raw !== undefined) out[key] = raw;
  }
  return out;
}

/**
 * A device id as one URL path segment. Ids come from the portal, which could send `..` or
 * `a/b`; the device list keeps only UUID-shaped ids, and this refuses anything else that reaches a URL.
 * @throws NightowlError E_DATA when `id` is not UUID-shaped
 */
export function devicePathSegment(id: string): string {
  if (!isPortalId(id)) throw new NightowlError("E_DATA", `device id ${quotedText(id)} is not a UUID, the portal's id shape; refusing to put it in a URL`);
  return encodeURIComponent(id);
}
