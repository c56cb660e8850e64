import { expect, test } from "bun:test";
import { Registry } from "prom-client";
import { analyzeFrame } from "../analytics/analyze.ts";
import { registerAnalyticsMetrics } from "./analytics.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { simulateHistory } from "../sim/history.ts";
import { deviceSpec } from "../sim/site.ts";
import { DAY, HOUR } from "../analytics/testing.ts";

const promtool = Bun.which("promtool");
if (!promtool) console.warn("skip: promtool not installed (Debian package prometheus); the analytics exposition is not linted");

/** Row `i` of `frame` as the snapshot a poll would return. */
function snapshotAt(frame: HistoryFrame, i: number): DeviceSnapshot {
  const telemetry: DeviceSnapshot["telemetry"] = {};
  for (const [k, col] of Object.entries(frame.columns)) if (!Number.isNaN(col[i])) telemetry[k] = { ts: frame.ts[i], value: String(col[i]) };
  return { id: frame.deviceId, name: frame.deviceName, type: "NightOwl Flex", userLabel: frame.userLabel, telemetry, attributes: {} };
}

function value(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return NaN;
}

test("poll by poll, the families follow a leak and count water across a meter replacement", async () => {
  const spec = deviceSpec(7, 0, 0);
  const start = Date.UTC(2026, 0, 5);
  const frame = simulateHistory({
    seed: 7, device: 0, startMs: start, endMs: start + 2 * DAY,
    scenarios: [
      { deviceId: spec.id, kind: "leak", startMs: start + 18 * HOUR },
      { deviceId: spec.id, kind: "meter_replacement", startMs: start + 30 * HOUR },
    ],
  });
  const registry = new Registry();
  // Recomputing the windows every 30 simulated minutes instead of 5 keeps the test quick.
  const observer = registerAnalyticsMetrics(registry, { timeZone: "Etc/GMT+7", cadenceMs: 30 * 60_000 });
  for (let i = 0; i < frame.ts.length; i++) {
    await observer.observe({ ok: true, devices: [snapshotAt(frame, i)], startedAt: frame.ts[i], durationMs: 5 });
  }
  await observer.observe({ ok: false, error: new Error("portal down"), startedAt: 0, durationMs: 5 });
  const text = await registry.metrics();
  const batch = analyzeFrame(frame, { timeZone: "Etc/GMT+7" });
  const labels = { device_id: spec.id };
  expect(batch.consumption!.replacements.length).toBe(1);
  expect(value(text, "nightowl_water_used_gallons_total", labels)).toBeCloseTo(batch.consumption!.totalGallons, 6);
  expect(value(text, "nightowl_night_flow_min_gallons_per_minute", labels)).toBeCloseTo(0.5, 1);
  expect(value(text, "nightowl_continuous_flow_seconds", labels)).toBeGreaterThan(20 * 3600);
  expect(value(text, "nightowl_flow_gallons_per_minute", labels)).toBeGreaterThanOrEqual(0.4);
  expect(value(text, "nightowl_rule_triggered", { ...labels, rule: "continuous_flow" })).toBe(1);
  expect(value(text, "nightowl_rule_triggered", { ...labels, rule: "night_flow" })).toBe(1);
  expect(value(text, "nightowl_rule_triggered", { ...labels, rule: "dry_run" })).toBe(0);
  const p1 = batch.pumps.find((p) => p.pump === "P1")!;
  expect(value(text, "nightowl_pump_energy_kwh_total", { ...labels, pump: "P1" })).toBeCloseTo(p1.energyKwh, 6);
  expect(value(text, "nightowl_pump_voltage_unbalance_percent", { ...labels, pump: "P1" })).toBeGreaterThan(0);
  expect(value(text, "nightowl_pump_starts_per_hour", { ...labels, pump: "P1" })).toBeGreaterThan(0);
  expect(value(text, "nightowl_pump_duty_cycle_ratio", { ...labels, pump: "P1" })).toBeLessThan(1);
  expect(text).toContain('user_label="' + frame.userLabel + '"');
  if (promtool) {
    const check = Bun.spawnSync([promtool, "check", "metrics"], { stdin: new TextEncoder().encode(text) });
    expect(check.stderr.toString() + check.stdout.toString()).toBe("");
    expect(check.exitCode).toBe(0);
  }

  // A device that disappears loses its series.
  await observer.observe({ ok: true, devices: [], startedAt: 0, durationMs: 5 });
  expect(await registry.metrics()).not.toContain(spec.id);
}, 30_000);
