import { expect, test } from "bun:test";
import { Gauge, type Registry } from "prom-client";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";
import { renderExposition } from "./exposition.ts";
import { createRegistry } from "./registry.ts";
import { registerTelemetryMetrics } from "./telemetry.ts";

function snapshot(id: string, telemetry: Record<string, number | string>, attributes: Record<string, number | string> = {}, name = `Pump ${id}`): DeviceSnapshot {
  const wrap = (o: Record<string, number | string>) => Object.fromEntries(Object.entries(o).map(([k, value]) => [k, { ts: 1_700_000_000_000, value }]));
  return { id, name, type: "NightOwl Flex", userLabel: "dgorman", telemetry: wrap(telemetry), attributes: wrap(attributes) };
}

async function series(registry: ReturnType<typeof createRegistry>, name: string): Promise<Record<string, string | number>[]> {
  const metric = await registry.getSingleMetric(name)!.get();
  return metric.values.map((v) => ({ ...(v.labels as Record<string, string | number>), value: v.value }));
}

test("telemetry values are exported per device and key, numeric strings as numbers", async () => {
  const registry = createRegistry();
  const metrics = registerTelemetryMetrics(registry);
  metrics.update([snapshot("d1", { S1: "52.4", P1C1: 0, Level1_precent: "71" })]);
  expect(await series(registry, "nightowl_telemetry_value")).toEqual([
    { user_label: "dgorman", device_id: "d1", device_name: "Pump d1", key: "S1", value: 52.4 },
    { user_label: "dgorman", device_id: "d1", device_name: "Pump d1", key: "P1C1", value: 0 },
    { user_label: "dgorman", device_id: "d1", device_name: "Pump d1", key: "Level1_precent", value: 71 },
  ]);
  expect(await series(registry, "nightowl_device_info")).toEqual([
    { user_label: "dgorman", device_id: "d1", device_name: "Pump d1", device_type: "NightOwl Flex", value: 1 },
  ]);
});

test("last seen is the newest telemetry reading's time in seconds; a device without telemetry has none", async () => {
  const registry = createRegistry();
  const d1 = snapshot("d1", { S1: 50, S2: 51 });
  d1.telemetry.S2!.ts = 1_700_000_060_500;
  registerTelemetryMetrics(registry).update([d1, snapshot("d2", {}, { active: "true" })]);
  expect(await series(registry, "nightowl_device_last_seen_timestamp_seconds")).toEqual([
    { user_label: "dgorman", device_id: "d1", device_name: "Pump d1", value: 1_700_000_060.5 },
  ]);
});

test("attributes: booleans become 1/0, numbers stay, text is skipped", async () => {
  const registry = createRegistry();
  registerTelemetryMetrics(registry).update([snapshot("d1", {}, { active: "true", edgedata_status: "FALSE", SiteInfo: "North well", Level1_Name: 3, CustomerInfo: "Dan Gorman" })]);
  const values = Object.fromEntries((await series(registry, "nightowl_attribute_value")).map((s) => [s.key, s.value]));
  expect(values).toEqual({ active: 1, edgedata_status: 0, Level1_Name: 3 });
});

test("a device or key that disappears loses its series; a failed poll keeps the last values", async () => {
  const registry = createRegistry();
  const metrics = registerTelemetryMetrics(registry);
  metrics.observe({ ok: true, devices: [snapshot("d1", { S1: 50, S2: 49 }), snapshot("d2", { S1: 41 })], startedAt: 0, durationMs: 1 });
  metrics.observe({ ok: true, devices: [snapshot("d1", { S1: 51 })], startedAt: 1, durationMs: 1 });
  expect((await series(registry, "nightowl_telemetry_value")).map((s) => `${s.device_id}/${s.key}=${s.value}`)).toEqual(["d1/S1=51"]);
  expect((await series(registry, "nightowl_device_info")).map((s) => s.device_id)).toEqual(["d1"]);
  metrics.observe({ ok: false, error: new Error("down"), startedAt: 2, durationMs: 1 });
  expect((await series(registry, "nightowl_telemetry_value")).map((s) => `${s.device_id}/${s.key}=${s.value}`)).toEqual(["d1/S1=51"]);
  metrics.observe({ ok: true, devices: [], startedAt: 3, durationMs: 1 });
  expect(await series(registry, "nightowl_telemetry_value")).toEqual([]);
  expect(await series(registry, "nightowl_device_info")).toEqual([]);
  expect(await series(registry, "nightowl_device_last_seen_timestamp_seconds")).toEqual([]);
});

test("label values with quotes, backslashes, newlines and non-ASCII are escaped in the exposition", async () => {
  const registry = createRegistry();
  registerTelemetryMetrics(registry).update([snapshot("d\\1", { S1: 50 }, {}, 'Brunnen "Süd"\nBäckerei – 井戸')]);
  const text = await registry.metrics();
  expect(text).toContain('nightowl_telemetry_value{user_label="dgorman",device_id="d\\\\1",device_name="Brunnen \\"Süd\\"\\nBäckerei – 井戸",key="S1"} 50\n');
  expect(text.split("\n").filter((l) => l.startsWith("nightowl_device_info{"))).toHaveLength(1);
});

const promtool = Bun.which("promtool");
if (!promtool) console.warn("skip: promtool not installed (Debian package prometheus)");
test.skipIf(!promtool)("promtool accepts the exposition with escaped, non-ASCII label values", async () => {
  const registry = createRegistry();
  registerTelemetryMetrics(registry).update([snapshot("d\\1", { S1: 50, P1C1: "0" }, { active: "false" }, 'Brunnen "Süd"\nBäckerei – 井戸')]);
  const proc = Bun.spawn([promtool!, "check", "metrics"], { stdin: new Blob([await registry.metrics()]), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, output: out + err }).toEqual({ code: 0, output: "" });
});

test("with a pause between devices the page is the one the single pass gives, a dropped key gone", async () => {
  const polls = [
    [snapshot("d1", { S1: 50, S2: 51 }, { active: "true" }), snapshot("d2", { S1: 40 })],
    [snapshot("d2", { S1: 41 }), snapshot("d1", { S1: 49 })],
  ];
  const whole = createRegistry();
  const sliced = createRegistry();
  const wholeMetrics = registerTelemetryMetrics(whole);
  let pauses = 0;
  const slicedMetrics = registerTelemetryMetrics(sliced, { pause: () => Promise.resolve().then(() => void pauses++) });
  for (const devices of polls) {
    wholeMetrics.update(devices);
    await slicedMetrics.observe({ ok: true, devices, startedAt: 0, durationMs: 1 });
    expect(await sliced.metrics()).toBe(await whole.metrics());
  }
  // Before each device of each poll.
  expect(pauses).toBe(4);
  expect(await sliced.metrics()).not.toContain('key="S2"');
});

/** The families as prom-client's own gauges hold them when every poll resets them and sets each series. */
function plainTelemetry(like: Registry, devices: readonly DeviceSnapshot[]): Registry {
  const registry = createRegistry();
  const gauge = (name: string, extra?: string) => new Gauge({ name, help: (like.getSingleMetric(name) as unknown as { help: string }).help, labelNames: ["user_label", "device_id", "device_name", ...(extra ? [extra] : [])], registers: [registry] });
  // Registered in the order telemetry.ts registers them: the families' order on the page.
  const telemetry = gauge("nightowl_telemetry_value", "key");
  const attribute = gauge("nightowl_attribute_value", "key");
  const info = gauge("nightowl_device_info", "device_type");
  const lastSeen = gauge("nightowl_device_last_seen_timestamp_seconds");
  for (const d of devices) {
    const device = { user_label: d.userLabel, device_id: d.id, device_name: d.name };
    info.set({ ...device, device_type: d.type }, 1);
    let newest = -Infinity;
    for (const [key, reading] of Object.entries(d.telemetry)) {
      newest = Math.max(newest, reading.ts);
      const value = numericValue(reading.value);
      if (value !== null) telemetry.set({ ...device, key }, value);
    }
    if (newest > -Infinity) lastSeen.set(device, newest / 1000);
    for (const [key, attr] of Object.entries(d.attributes)) {
      const value = numericValue(attr.value);
      if (value !== null) attribute.set({ ...device, key }, value);
    }
  }
  return registry;
}

test("poll after poll the page is byte for byte what prom-client's gauges give for the same devices, rendered either way", async () => {
  const d = (id: string, telemetry: Record<string, number | string>, attributes: Record<string, number | string> = {}, name?: string) => snapshot(id, telemetry, attributes, name);
  const polls: DeviceSnapshot[][] = [
    [d("d1", { S1: 50, S2: 51 }, { active: "true" }), d("d2", { S1: 40 })],
    [d("d1", { S1: 52, S2: 50.5 }, { active: "false" }), d("d2", { S1: 41 })], // same series, new values
    [d("d1", { S1: 52, S2: "n/a" }, { active: "false" }), d("d2", { S1: 41 })], // a value no longer numeric
    [d("d1", { S1: 53, S2: 1 }, { active: "false" }), d("d3", { S1: 3 }), d("d2", { S1: 42 })], // a device between
    [d("d1", { S1: 53, S2: 1 }, { active: "false" }, "Renamed"), d("d3", { S1: 3 }), d("d2", { S1: 42 })],
    [d("d1", { S1: 54, S2: 2 }, { active: "false" }, "Renamed"), d("d3", { S1: 4 }), d("d2", { S1: 43 })],
    [d("d2", { S1: 44 }), d("d2", { S1: 45 })], // a device twice: the later value, one series
    [d("d2", { S1: 46, S2: 1 }), d("d1", { S1: 1 }), d("d2", { S3: 47, S1: 2 }, { active: "true" })], // twice, with a key only the second has
    [d("d2", { S1: 46 }), d("d2", { S1: 47 }, {}, "Other name"), d("d2", { S1: 48 })], // the same id under two names
    // Three times, each listing with a key of its own, others between: the third finds the second's key too.
    [d("d2", { S1: 1 }), d("d1", { S1: 2 }), d("d2", { S2: 3 }, { active: "true" }), d("d3", { S1: 4 }), d("d2", { S2: 5, S3: 6, S1: 7 }, { active: "false" })],
    // A whole fleet listed twice, the second time in another order with other values.
    [...["a", "b", "c", "d"].map((id, i) => d(id, { S1: i, S2: i })), ...["c", "a", "d", "b"].map((id, i) => d(id, { S2: 10 + i, S1: 20 + i }))],
    [d("d2", { S1: 48 })],
    [],
    [d("d4", {}, { active: "true" }), d('d"5\\', { S1: Infinity, S2: -Infinity }, {}, "Brunnen Süd\n🌊")],
  ];
  const kept = createRegistry();
  const metrics = registerTelemetryMetrics(kept);
  for (const devices of polls) {
    metrics.update(devices);
    const expected = await plainTelemetry(kept, devices).metrics();
    expect(await kept.metrics()).toBe(expected);
    expect(await renderExposition(kept, { pause: async () => {} })).toBe(expected);
  }
  metrics.update(polls[6]!);
  expect(await kept.metrics()).toContain('key="S1"} 45\n');
  expect((await kept.metrics()).match(/nightowl_device_info\{/g)).toHaveLength(1);
});
