import { expect, test } from "bun:test";
import { escapeLabelValue, secondsText, seriesName, writeSamples } from "./openmetrics-writer.ts";
import { ndjsonChunkLine } from "./ndjson-output.ts";

const device = { id: "dev-1", name: 'Well "A"\\1', type: "NightOwl Flex", userLabel: "dgorman", attributes: {} };

test.each([
  [1717200000000, "1717200000"],
  [1717200000500, "1717200000.5"],
  [1717200000123, "1717200000.123"],
  [1717200000050, "1717200000.05"],
])("secondsText(%p) = %p", (ms, text) => {
  expect(secondsText(ms)).toBe(text);
});

test("label values escape backslash, quote and line feed", () => {
  expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  expect(seriesName(device, "S1")).toBe('nightowl_telemetry_value{user_label="dgorman",device_id="dev-1",device_name="Well \\"A\\"\\\\1",key="S1"}');
});

test("samples in seconds for OpenMetrics, milliseconds for Prometheus text", () => {
  const chunk = { ts: new Float64Array([1717200000000, 1717200060500]), values: new Float64Array([52.4, -0.5]) };
  const om: string[] = [];
  writeSamples("m", chunk, "seconds", (t) => om.push(t));
  expect(om.join("")).toBe("m 52.4 1717200000\nm -0.5 1717200060.5\n");
  const prom: string[] = [];
  writeSamples("m", chunk, "milliseconds", (t) => prom.push(t));
  expect(prom.join("")).toBe("m 52.4 1717200000000\nm -0.5 1717200060500\n");
});

test("an NDJSON line is one VictoriaMetrics import object", () => {
  const line = ndjsonChunkLine(device, "S1", { ts: new Float64Array([1, 2]), values: new Float64Array([3.5, 4]) });
  expect(line.endsWith("\n")).toBe(true);
  expect(JSON.parse(line)).toEqual({
    metric: { __name__: "nightowl_telemetry_value", user_label: "dgorman", device_id: "dev-1", device_name: 'Well "A"\\1', key: "S1" },
    values: [3.5, 4],
    timestamps: [1, 2],
  });
});
