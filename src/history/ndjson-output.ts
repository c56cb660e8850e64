/**
 * History as newline-delimited JSON, one line per (device, key, window) chunk, in the JSON
 * line format of VictoriaMetrics' `/api/v1/import` (so a file can be imported as it is):
 *
 *     {"metric":{"__name__":"nightowl_telemetry_value","user_label":"dgorman","device_id":"…",
 *      "device_name":"3701155","key":"S1"},"values":[52.4,53.1],"timestamps":[1717200000000,1717200060000]}
 *
 * `timestamps` are epoch milliseconds, strictly increasing within a line; the lines of one
 * device file come window by window, keys in the order asked for.
 */
import type { DeviceMeta } from "./device-meta.ts";
import { METRIC_NAME } from "./openmetrics-writer.ts";
import type { SeriesChunk } from "./window-planner.ts";

/** One chunk as one JSON line, with its line break. */
export function ndjsonChunkLine(device: DeviceMeta, key: string, chunk: SeriesChunk): string {
  const metric = JSON.stringify({ __name__: METRIC_NAME, user_label: device.userLabel, device_id: device.id, device_name: device.name, key });
  let values = "";
  let timestamps = "";
  for (let i = 0; i < chunk.ts.length; i++) {
    const sep = i === 0 ? "" : ",";
    values += sep + chunk.values[i];
    timestamps += sep + chunk.ts[i];
  }
  return `{"metric":${metric},"values":[${values}],"timestamps":[${timestamps}]}\n`;
}
