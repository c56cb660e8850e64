import { expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { Counter, Gauge, Registry } from "prom-client";
import { DeviceFamily, seriesDevice, type SeriesDevice } from "./device-family.ts";
import { familyExcluder } from "./exclude.ts";
import { renderExposition, renderGzipped } from "./exposition.ts";

const LABELS = ["user_label", "device_id", "device_name"];
const pause = async () => {};

/** A small deterministic generator, so a failure repeats. */
function random(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

test("a story of adds, writes in place, removals and re-adds gives prom-client's page byte for byte, through growth and compaction", async () => {
  const flat = new Registry();
  const plain = new Registry();
  const gauge = new DeviceFamily({ name: "x_value", help: 'help with "quotes" and \\ and\nnewline', type: "gauge", deviceLabels: LABELS, extra: "key", registers: [flat] });
  const counter = new DeviceFamily({ name: "x_total", help: "count", type: "counter", deviceLabels: LABELS, registers: [flat] });
  const plainGauge = new Gauge({ name: "x_value", help: 'help with "quotes" and \\ and\nnewline', labelNames: [...LABELS, "key"], registers: [plain] });
  const plainCounter = new Counter({ name: "x_total", help: "count", labelNames: LABELS, registers: [plain] });
  const names = ["Well 1", 'Brunnen "Süd"\nBäckerei – 井戸 🌊', "back\\slash"];
  const keys = ["S1", "P1C1", 'k"ey\\', "Level1"];
  const devices: SeriesDevice[] = Array.from({ length: 40 }, (_, i) => seriesDevice({ user_label: `u${i % 3}`, device_id: `d${i}`, device_name: names[i % 3]! }));
  const handles = new Map<string, number>();
  const counted = new Map<number, number>();
  const next = random(7);
  for (let step = 0; step < 6000; step++) {
    const d = Math.floor(next() * devices.length);
    const device = devices[d]!;
    const key = keys[Math.floor(next() * keys.length)]!;
    const id = `${d}/${key}`;
    const value = [1.5, -0, NaN, Infinity, -Infinity, 1e21, step / 7][step % 7]!;
    const h = handles.get(id);
    if (next() < 0.3) {
      if (h !== undefined) gauge.remove(h);
      handles.delete(id);
      plainGauge.remove({ ...device.labels, key });
    } else {
      if (h === undefined) handles.set(id, gauge.add(device, key, value));
      else gauge.set(h, value);
      plainGauge.set({ ...device.labels, key }, value);
    }
    if (step % 5 === 0) {
      const c = counted.get(d);
      const delta = step % 3;
      if (c === undefined) counted.set(d, counter.add(device, undefined, delta));
      else counter.inc(c, delta);
      plainCounter.inc({ ...device.labels }, delta);
    }
    if (step % 1500 === 1499) {
      const expected = await plain.metrics();
      expect(await flat.metrics()).toBe(expected);
      expect(await renderExposition(flat, { pause })).toBe(expected);
      expect(gunzipSync(await renderGzipped(flat, { pause })).toString("utf8")).toBe(expected);
    }
  }
  expect(gauge.size).toBe(handles.size);
  // Everything removed: an empty family, as prom-client's.
  for (const h of handles.values()) gauge.remove(h);
  plainGauge.reset();
  expect(await renderExposition(flat, { pause })).toBe(await plain.metrics());
});

test("the page in slices: a family longer than a slice is cut where the whole text is, and a series removed meanwhile is left out", async () => {
  const registry = new Registry();
  const family = new DeviceFamily({ name: "x_value", help: "x", type: "gauge", deviceLabels: LABELS, extra: "feature", registers: [registry] });
  const handles = Array.from({ length: 4500 }, (_, i) => family.add(seriesDevice({ user_label: "u", device_id: `d${i}`, device_name: "n" }), `f${i % 20}`, i));
  new Gauge({ name: "x_after", help: "after", registers: [registry] }).set(3);
  const whole = await registry.metrics();
  let pauses = 0;
  expect(await renderExposition(registry, { pause: async () => void pauses++ })).toBe(whole);
  expect(pauses).toBe(2);
  // Removed while the first slice is out: the rendering goes on without it.
  const text = await renderExposition(registry, {
    pause: async () => {
      family.remove(handles[4400]!);
      family.add(seriesDevice({ user_label: "u", device_id: "late", device_name: "n" }), "f0", 1);
    },
  });
  expect(text).not.toContain('device_id="d4400"');
  expect(text).not.toContain('device_id="late"');
  expect(text).toContain('x_value{user_label="u",device_id="d4399",device_name="n",feature="f19"} 4399\n');
  expect(await renderExposition(registry, { pause })).toBe(await registry.metrics());
});

test("the exclusion by family reads a device family's labels, and prom-client's registry holds it as any metric", async () => {
  const registry = new Registry();
  const telemetry = new DeviceFamily({ name: "nightowl_telemetry_value", help: "t", type: "gauge", deviceLabels: LABELS, extra: "key", registers: [registry] });
  telemetry.add(seriesDevice({ user_label: "u", device_id: "d1", device_name: "n" }), "S1", 50);
  new Gauge({ name: "nightowl_last_poll_success", help: "p", registers: [registry] }).set(1);
  const exclude = familyExcluder(registry, ["telemetry"], new Set());
  const text = await renderExposition(registry, { pause, exclude });
  expect(text).not.toContain("nightowl_telemetry_value");
  expect(text).toContain("nightowl_last_poll_success 1\n");
  expect(registry.getSingleMetric("nightowl_telemetry_value")).toBe(telemetry as never);
  expect(() => new Gauge({ name: "nightowl_telemetry_value", help: "again", registers: [registry] })).toThrow("already been registered");
  expect(await registry.getSingleMetricAsString("nightowl_telemetry_value")).toBe('# HELP nightowl_telemetry_value t\n# TYPE nightowl_telemetry_value gauge\nnightowl_telemetry_value{user_label="u",device_id="d1",device_name="n",key="S1"} 50');
  registry.resetMetrics();
  expect(telemetry.size).toBe(0);
});

test("a counter refuses what prom-client's refuses, and adds NaN as it does", () => {
  const family = new DeviceFamily({ name: "x_total", help: "x", type: "counter", deviceLabels: LABELS, registers: [] });
  const h = family.add(seriesDevice({ user_label: "u", device_id: "d", device_name: "n" }), undefined, 1);
  expect(() => family.inc(h, -1)).toThrow("It is not possible to decrease a counter");
  expect(() => family.inc(h, Infinity)).toThrow("Value is not a valid number: Infinity");
  family.inc(h, NaN);
  expect(family.get().values[0]!.value).toBeNaN();
});
