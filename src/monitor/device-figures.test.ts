import { expect, test } from "bun:test";
import { DeviceAnalytics } from "./device-figures.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { JAN1, MINUTE } from "../analytics/testing.ts";

function snap(ts: number, gallons: number, amps: number): DeviceSnapshot {
  const telemetry: DeviceSnapshot["telemetry"] = { Pulse_TotalGallons: { ts, value: String(gallons) } };
  for (const k of [1, 2, 3]) {
    telemetry[`P1V${k}`] = { ts, value: 240 };
    telemetry[`P1C${k}`] = { ts, value: amps };
  }
  return { id: "dev-1", name: "3701155", type: "NightOwl Flex", userLabel: "dgorman", telemetry, attributes: {} };
}

test("a poll that repeats the last readings adds nothing; a replacement continues the total", () => {
  const a = new DeviceAnalytics("dev-1", { powerFactor: 1 });
  a.observe(snap(JAN1, 500, 10));
  a.observe(snap(JAN1 + MINUTE, 502, 10));
  a.observe(snap(JAN1 + MINUTE, 502, 10)); // the device has not reported since
  a.observe(snap(JAN1 + 2 * MINUTE, 3, 10)); // new meter: 3 gal since the swap
  const f = a.figures();
  expect(f.waterUsedGallons).toBe(5);
  expect(a.frame().ts.length).toBe(3);
  // 3 × 240 V × 10 A = 7.2 kW for two minutes = 0.24 kWh.
  expect(f.pumps[0]!.energyKwh).toBeCloseTo(0.24, 12);
  expect(f.pumps[0]!.running).toBe(1);
  expect(f.rules.continuous_flow).toBe(0);
});

test("after a warm-up the total starts at the newest meter reading in the buffer, also when the newest row has none", () => {
  const a = new DeviceAnalytics("dev-1", { powerFactor: 1 });
  const n = 300;
  const ts = Float64Array.from({ length: n }, (_, i) => JAN1 + i * MINUTE);
  // The meter's last reading is 40 rows before the newest row; the pump reports on.
  const gallons = Float64Array.from({ length: n }, (_, i) => (i < n - 40 ? 500 + i : Number.NaN));
  const amps = Float64Array.from({ length: n }, () => 10);
  a.warm({ deviceId: "dev-1", deviceName: "3701155", userLabel: "", ts, columns: { Pulse_TotalGallons: gallons, P1C1: amps } });
  a.observe(snap(JAN1 + n * MINUTE, 500 + (n - 41) + 7, 10));
  // 7 gallons since the newest reading the history held; history rows add nothing to the total.
  expect(a.figures().waterUsedGallons).toBe(7);
});
