/**
 * CPU of a poll's export step alone, in one process: the telemetry families' update, the ML
 * verdict and feature families' record, series set in place like the analytics', and the page's
 * rendering into gzip, for `--devices` synthetic devices over `--polls` polls (every poll's
 * readings and verdicts change, as live scoring's do). No portal, no analytics, no model: this
 * isolates what src/metrics costs from what computes the values.
 *
 *   bun bench/export-cpu.ts [--devices 2000] [--polls 8]
 *
 * Reports CPU milliseconds a poll (user + system, this process, best and median of the polls
 * after the first) per step, and the heap the families hold after the last poll (after a full
 * collection, above the heap before the first; the last verdicts they keep included). Figures
 * are reported, never asserted.
 */
import { heapStats } from "bun:jsc";
import { numberArg } from "./child-log.ts";
import { DeviceFamily, seriesDevice } from "../src/metrics/device-family.ts";
import { renderGzipped } from "../src/metrics/exposition.ts";
import { registerMlMetrics, type InferenceRecord } from "../src/metrics/ml.ts";
import { createRegistry } from "../src/metrics/registry.ts";
import { SeriesSlots } from "../src/metrics/series-slots.ts";
import { registerTelemetryMetrics } from "../src/metrics/telemetry.ts";
import type { DeviceSnapshot } from "../src/nightowl/snapshot.ts";

const DEVICES = numberArg("--devices", 2000);
const POLLS = numberArg("--polls", 8);
const KEYS = ["S1", "S2", "P1V1", "P1V2", "P1V3", "P1C1", "P1C2", "P1C3", "P1F", "Tank", "Level1", "Meter", "Temp"];
const FEATURES = Array.from({ length: 47 }, (_, i) => `feature_${i}`);

/** The live heap, after a full collection. */
const liveHeap = () => {
  Bun.gc(true);
  return heapStats().heapSize;
};
const heapAtStart = liveHeap();
const registry = createRegistry();
const telemetry = registerTelemetryMetrics(registry);
const ml = registerMlMetrics(registry);
const analytics = Array.from({ length: 24 }, (_, i) => new DeviceFamily({ name: `nightowl_bench_${i}`, help: "analytics-like", type: "gauge", deviceLabels: ["user_label", "device_id", "device_name"], extra: "rule", registers: [registry] }));
const slots: SeriesSlots[] = [];

function snapshots(poll: number): DeviceSnapshot[] {
  return Array.from({ length: DEVICES }, (_, d) => ({
    id: `0f3c${String(d).padStart(4, "0")}-8a1b-11ee-9c2d-0242ac120002`,
    name: `Well ${d}`,
    type: "well",
    userLabel: `customer-${d % 40}`,
    telemetry: Object.fromEntries(KEYS.map((k, i) => [k, { ts: 1_764_000_000_000 + poll * 10_000, value: String(Math.round((50 + i + Math.sin(d + poll + i) * 3) * 100) / 100) }])),
    attributes: { active: { ts: 0, value: "true" } },
  })) as unknown as DeviceSnapshot[];
}

function inference(d: number, poll: number): InferenceRecord {
  const shift = (d + poll) % 5;
  return {
    probability: ((d * 7 + poll) % 100) / 1.7,
    decision: Math.sin(d + poll) / 10,
    isAnomaly: false,
    confidence: 2,
    contributions: FEATURES.slice(shift, shift + 10).map((f, i) => [f, (10 - i) / 100 + poll / 1e4] as const),
    values: FEATURES.slice(shift, shift + 20).map((f, i) => [f, i * 3.7 + poll / 3] as const),
    timestampMs: 1_764_000_000_000 + poll * 10_000,
  };
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times: Record<string, number[]> = { telemetry: [], ml: [], analytics: [], render: [] };
let size = 0;
for (let poll = 0; poll < POLLS; poll++) {
  const devices = snapshots(poll);
  let t = cpu();
  telemetry.update(devices);
  times.telemetry!.push(cpu() - t);
  t = cpu();
  devices.forEach((d, i) => ml.record({ user_label: d.userLabel, device_id: d.id, device_name: d.name }, inference(i, poll)));
  times.ml!.push(cpu() - t);
  t = cpu();
  devices.forEach((d, i) => {
    const s = (slots[i] ??= new SeriesSlots(seriesDevice({ user_label: d.userLabel, device_id: d.id, device_name: d.name })));
    analytics.forEach((g, k) => s.set(k, g, (i * k + poll) / 3, `r${k}`));
  });
  times.analytics!.push(cpu() - t);
  t = cpu();
  size = (await renderGzipped(registry, { pause: async () => {} })).length;
  times.render!.push(cpu() - t);
}
const stat = (xs: number[]) => {
  const s = xs.slice(1).sort((a, b) => a - b);
  return `best ${s[0]!.toFixed(0)} ms, median ${s[s.length >> 1]!.toFixed(0)} ms`;
};
console.log(`${DEVICES} devices, ${POLLS} polls; gzip page ${(size / 1024).toFixed(0)} KiB`);
for (const [step, xs] of Object.entries(times)) console.log(`${step.padEnd(10)} ${stat(xs)}`);
const held = liveHeap() - heapAtStart;
console.log(`heap held ${(held / 1e6).toFixed(1)} MB, ${(held / DEVICES / 1024).toFixed(1)} KiB a device`);
