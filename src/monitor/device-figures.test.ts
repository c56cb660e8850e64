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
