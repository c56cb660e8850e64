/**
 * History as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`:
 *
 *     # TYPE nightowl_telemetry_value gauge
 *     nightowl_telemetry_value{user_label="dgorman",device_id="…",device_name="3701155",key="S1"} 52.4 1717200000.5
 *     …
 *     # EOF
 *
 * One metric family, declared once; every series (device × key) contiguous and in time
 * order, as the OpenMetrics text format requires; timestamps in seconds with up to three
 * decimals (the portal's milliseconds). The same series in Prometheus text with millisecond
 * timestamps is what VictoriaMetrics' `/api/v1/import/prometheus` takes (vm-import.ts).
 */
import type { DeviceMeta } from "./device-meta.ts";
import type { SeriesChunk } from "./window-planner.ts";

/** The metric family every history sample belongs to, as the live exporter names it. */
export const METRIC_NAME = "nightowl_telemetry_value";

export const OPENMETRICS_HEADER = `# TYPE ${METRIC_NAME} gauge\n`;
export const OPENMETRICS_EOF = "# EOF\n";

/** A label value escaped for the text formats (backslash, double quote, line feed). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : "\\" + c));
}

/** `nightowl_telemetry_value{user_label="..",device_id="..",device_name="..",key=".."}` */
export function seriesName(device: DeviceMeta, key: string): string {
  const labels: [string, string][] = [
    ["user_label", device.userLabel],
    ["device_id", device.id],
    ["device_name", device.name],
    ["key", key],
  ];
  return `${METRIC_NAME}{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/** Epoch milliseconds as OpenMetrics seconds: `1717200000`, `1717200000.5`, `1717200000.123`. */
export function secondsText(ms: number): string {
  const rest = ((ms % 1000) + 1000) % 1000;
  const whole = (ms - rest) / 1000;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(3, "0").replace(/0+$/, "")}`;
}

/**
 * Emits one series' samples of one chunk, `name value timestamp` per line, in pieces of about
 * 1 MiB; `unit` chooses OpenMetrics seconds or Prometheus-text milliseconds.
 */
export function writeSamples(name: string, chunk: SeriesChunk, unit: "seconds" | "milliseconds", emit: (text: string) => void): void {
  let text = "";
  const prefix = name + " ";
  for (let i = 0; i < chunk.ts.length; i++) {
    const ts = chunk.ts[i]!;
    text += `${prefix}${chunk.values[i]} ${unit === "seconds" ? secondsText(ts) : ts}\n`;
    if (text.length >= 1 << 20) {
      emit(text);
      text = "";
    }
  }
  if (text.length > 0) emit(text);
}
