import { describe, expect, test } from "bun:test";
import { DeviceAnalytics } from "./device-figures.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { RULE_NAMES } from "../analytics/trigger.ts";
import { EventIndex } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import { DAY, frameOf, HOUR, JAN1, MINUTE } from "../analytics/testing.ts";

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

describe("a rule's firing and the owner's events", () => {
  // Three days of a household's morning and evening draws on a 1-gallon meter, then on the
  // fourth an 8 gal/min pool fill from 08:00 to 14:00 and quiet until 20:00.
  const FILL_START = JAN1 + 3 * DAY + 8 * HOUR;
  const FILL_END = FILL_START + 6 * HOUR;
  function poolFillDay(): HistoryFrame {
    const rows: Record<string, number>[] = [];
    let counter = 1000;
    for (let t = JAN1; t <= JAN1 + 3 * DAY + 20 * HOUR; t += MINUTE) {
      const minute = ((t - JAN1) / MINUTE) % 1440;
      if (t >= FILL_START && t < FILL_END) counter += 8;
      else if (t < JAN1 + 3 * DAY && ((minute >= 420 && minute < 440) || (minute >= 1140 && minute < 1150))) counter += 2;
      rows.push({ ts: t, Pulse_TotalGallons: counter });
    }
    return frameOf(rows);
  }
  const event = (start: number, end: number): OwnerEvent => ({ id: "pool", device_id: "dev-1", kind: "expected", start, end });
  function held(events?: EventIndex) {
    const a = new DeviceAnalytics("dev-1", { timeZone: "UTC", ...(events ? { events } : {}) });
    a.warm(poolFillDay());
    const f = a.figures();
    return { on: RULE_NAMES.filter((r) => f.rules[r] === 1), silenced: f.silenced };
  }

  test("without an event the fill is reported for the day after it, so an alert on the rules would fire", () => {
    expect(held().on.length).toBeGreaterThan(0);
  });

  test("a firing an expected event covered whole is not reported, not even after the event ended", () => {
    const bare = held().on;
    const withEvent = held(new EventIndex([event(FILL_START - HOUR, FILL_END)]));
    expect(withEvent.on).toEqual([]);
    expect([...withEvent.silenced].sort()).toEqual([...bare].sort());
  });

  test("a draw that began before the owner's event is silenced while the event lasts, and alarms after it", () => {
    const late = held(new EventIndex([event(FILL_START + HOUR, FILL_END)]));
    expect(late.on.length).toBeGreaterThan(0);
    const stillOn = held(new EventIndex([event(FILL_START + HOUR, FILL_END + 8 * HOUR)]));
    expect(stillOn.on).toEqual([]);
  });
});
