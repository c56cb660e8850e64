import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerAnalyticsMetrics } from "./metrics/analytics.ts";
import { fetchDeviceHistory } from "./history/device-history.ts";
import { createRegistry } from "./metrics/registry.ts";
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_TIMESERIES_KEYS } from "./nightowl/keys.ts";
import { clientFor, recordingLogger } from "./nightowl/test-support.ts";
import type { DeviceSnapshot } from "./nightowl/snapshot.ts";
import type { PollResult } from "./nightowl/poll-result.ts";
import { startSimulator, type Simulator } from "./sim/server.ts";
import { prometheusHistorySource } from "./history/prometheus-source.ts";
import { createWarmUp, type WarmTarget } from "./warm-up.ts";

let sim: Simulator;
let devices: DeviceSnapshot[];
beforeAll(async () => {
  sim = await startSimulator({ devices: 2, seed: 11, historyDays: 3 });
  devices = await clientFor(sim).devices({ timeseriesKeys: DEFAULT_TIMESERIES_KEYS, attributeKeys: DEFAULT_ATTRIBUTE_KEYS, pageSize: 5 });
});
afterAll(() => sim.stop());

const ok = (list: DeviceSnapshot[]): PollResult => ({ ok: true, devices: list, startedAt: 0, durationMs: 1 });
const SPAN_MS = 48 * 3_600_000;

test("a restarted monitor knows last night's minimum flow from the first poll on", async () => {
  const client = clientFor(sim);
  const registry = createRegistry();
  const analytics = registerAnalyticsMetrics(registry);
  const log = recordingLogger();
  const warmUp = createWarmUp({
    sources: [{ name: "the portal", read: (device, startMs, endMs) => fetchDeviceHistory(client, device, { keys: DEFAULT_TIMESERIES_KEYS, startMs, endMs }) }],
    targets: [analytics],
    spanMs: SPAN_MS,
    log,
  });

  // Without the warm-up, one poll is not a night.
  const cold = registerAnalyticsMetrics(createRegistry());
  await cold.observe(ok(devices));
  for (const d of devices) expect(cold.devices().get(d.id)!.figures().nightFlowMinGpm).toBeNaN();

  await warmUp.observe(ok(devices));
  await analytics.observe(ok(devices));
  for (const d of devices) {
    const figures = analytics.devices().get(d.id)!.figures();
    if (d.telemetry.Pulse_TotalGallons) expect(figures.nightFlowMinGpm).toBeGreaterThanOrEqual(0);
    expect(figures.pumps[0]!.startsPerHour).toBeGreaterThan(0);
    const frame = analytics.devices().get(d.id)!.frame();
    // At least the analysis window (26 h) of 1-minute rows, ending at the newest reading.
    expect(frame.ts.length).toBeGreaterThanOrEqual(26 * 60);
    expect(frame.ts[frame.ts.length - 1]).toBe(Math.max(...Object.values(d.telemetry).map((r) => r.ts)));
  }
  expect(log.lines.filter((l) => /^info warmed device .* rows of history from the portal$/.test(l))).toHaveLength(devices.length);
  expect(await registry.getSingleMetricAsString("nightowl_night_flow_min_gallons_per_minute")).toMatch(/device_id="[^"]+"[^}]*\} \d/);
});

test("each device is warmed once; a history that cannot be read is one warning, and polls go on", async () => {
  const calls: string[] = [];
  const warmed: string[] = [];
  const target: WarmTarget = { warm: (device) => void warmed.push(device.id) };
  const log = recordingLogger();
  const warmUp = createWarmUp({
    sources: [
      {
        name: "the portal",
        read: async (device) => {
          calls.push(device.id);
          if (device.id === devices[0]!.id) throw new Error("portal said 503");
          return fetchDeviceHistory(clientFor(sim), device, { keys: ["S1"], startMs: Date.now() - 3_600_000, endMs: Date.now() + 60_000 });
        },
      },
    ],
    targets: [target],
    spanMs: 3_600_000,
    log,
  });
  await warmUp.observe(ok(devices));
  await warmUp.observe(ok(devices));
  await warmUp.observe({ ok: false, error: new Error("down"), startedAt: 0, durationMs: 1 });
  expect(calls.sort()).toEqual(devices.map((d) => d.id).sort());
  expect(warmed).toEqual([devices[1]!.id]);
  const warnings = log.lines.filter((l) => l.includes("could not read the recent history"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain("the portal: portal said 503");
});

test("a history read but empty is one info line for the device, and no warming", async () => {
  const warmed: string[] = [];
  const log = recordingLogger();
  const warmUp = createWarmUp({
    sources: [{ name: "the portal", read: async (device) => ({ deviceId: device.id, deviceName: device.name, userLabel: device.userLabel, ts: new Float64Array(0), columns: {} }) }],
    targets: [{ warm: (device) => void warmed.push(device.id) }],
    spanMs: 26 * 3_600_000,
    log,
  });
  await warmUp.observe(ok(devices.slice(0, 1)));
  expect(warmed).toEqual([]);
  expect(log.lines).toEqual([`info no history in the 26 h before the newest reading of device ${devices[0]!.name}; its windows fill from polls`]);
});

test("Prometheus fills a device the portal cannot; a device neither can give is one warning naming both", async () => {
  // A loopback stand-in for Prometheus' query_range, serving what the simulator's portal holds
  // for the first device only, as series of nightowl_telemetry_value.
  const [known, unknown] = devices as [DeviceSnapshot, DeviceSnapshot];
  const newest = Math.max(...Object.values(known.telemetry).map((r) => r.ts));
  const held = (await fetchDeviceHistory(clientFor(sim), known, { keys: ["S1", "S2"], startMs: newest + 1 - 3_600_000, endMs: newest + 1 }))!;
  const queries: string[] = [];
  const prometheus = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const query = new URL(request.url).searchParams.get("query")!;
      queries.push(query);
      const result = query.includes(JSON.stringify(known.id))
        ? Object.entries(held.columns).map(([key, column]) => ({
            metric: { user_label: known.userLabel, device_id: known.id, device_name: known.name, key },
            values: Array.from(held.ts, (t, i) => [t / 1000, String(column[i])]).filter(([, value]) => value !== "NaN"),
          }))
        : [];
      return Response.json({ status: "success", data: { resultType: "matrix", result } });
    },
  });
  try {
    const warmed = new Map<string, number>();
    const log = recordingLogger();
    const warmUp = createWarmUp({
      sources: [
        {
          name: "the portal",
          read: async () => {
            throw new Error("portal said 503");
          },
        },
        prometheusHistorySource(`http://127.0.0.1:${prometheus.port}`),
      ],
      targets: [{ warm: (device, frame) => void warmed.set(device.id, frame.ts.length) }],
      spanMs: 3_600_000,
      log,
    });
    await warmUp.observe(ok([known, unknown]));
    expect(queries.sort()).toEqual([`nightowl_telemetry_value{device_id=${JSON.stringify(known.id)}}`, `nightowl_telemetry_value{device_id=${JSON.stringify(unknown.id)}}`].sort());
    // One-minute steps over the hour the stand-in holds.
    expect(warmed.get(known.id)).toBeGreaterThanOrEqual(59);
    expect(warmed.has(unknown.id)).toBe(false);
    expect(log.lines.filter((l) => l.startsWith(`info warmed device ${known.name} from `) && l.endsWith(" rows of history from Prometheus"))).toHaveLength(1);
    // Prometheus answering nothing for the other device is no failure; the portal's 503 is.
    expect(log.lines.filter((l) => l.includes("could not read the recent history"))).toEqual([
      `warn could not read the recent history of device ${unknown.name}; its windows fill from polls instead: the portal: portal said 503`,
    ]);
  } finally {
    prometheus.stop(true);
  }

  const log = recordingLogger();
  const down = createWarmUp({
    sources: [{ name: "the portal", read: async () => Promise.reject(new Error("portal said 503")) }, prometheusHistorySource("http://127.0.0.1:9")],
    targets: [],
    spanMs: 3_600_000,
    log,
  });
  await down.observe(ok([known]));
  const warnings = log.lines.filter((l) => l.includes("could not read the recent history"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/: the portal: portal said 503; Prometheus: Prometheus http:\/\/127\.0\.0\.1:9\/api\/v1\/query_range: /);
});
