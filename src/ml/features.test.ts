import { describe, expect, test } from "bun:test";
import { isNightowlError } from "../errors.ts";
import { computeFeatures, featureNames, frameKeys } from "./features.ts";
import { MIN, T0, at, frameOf, noWarmup, series } from "./feature-testing.ts";

describe("rolling windows are measured in time", () => {
  // S1 at irregular minutes 0, 1, 3, 7, 8 with values 10, 20, 30, 40, 60.
  const m = computeFeatures(frameOf(series("S1", [[0, 10], [1, 20], [3, 30], [7, 40], [8, 60]])), noWarmup);
  test.each([
    // (8−5, 8] holds minutes 7 and 8: 40, 60.
    ["pressure_s1_mean_5m", 8, 50],
    ["pressure_s1_std_5m", 8, 10],
    ["pressure_s1_range_5m", 8, 20],
    // (7−5, 7] holds 3 and 7: 30, 40.
    ["pressure_s1_mean_5m", 7, 35],
    ["pressure_s1_std_5m", 7, 5],
    // (−7, 8] holds all five: mean 32, population variance (484+144+4+64+784)/5 = 296.
    ["pressure_s1_mean_15m", 8, 32],
    ["pressure_s1_std_15m", 8, Math.sqrt(296)],
    ["pressure_s1_range_15m", 8, 50],
    ["pressure_s1_range_1h", 3, 20],
    ["pressure_s1", 8, 60],
  ])("%s at minute %d = %d", (name, minute, expected) => {
    expect(at(m, minute, name)).toBeCloseTo(expected, 9);
  });

  test("a 5m window over 5-minute data holds one sample, a 15m window three", () => {
    const five = computeFeatures(frameOf(series("S1", [[0, 1], [5, 2], [10, 3], [15, 4], [20, 5]])), noWarmup);
    expect([at(five, 20, "pressure_s1_mean_5m"), at(five, 20, "pressure_s1_std_5m"), at(five, 20, "pressure_s1_range_5m")]).toEqual([5, 0, 0]);
    expect(at(five, 20, "pressure_s1_mean_15m")).toBeCloseTo(4, 12);
    expect(at(five, 20, "pressure_s1_range_15m")).toBe(2);
  });

  test.each([
    // 1-minute data, value = minute²: rate over the last 1, 5 and 60 minutes, per minute.
    ["pressure_s1_rate_1m", 10, (100 - 81) / 1],
    ["pressure_s1_rate_5m", 10, (100 - 25) / 5],
    // Only 10 minutes of history: the 60m rate uses the oldest sample (minute 0).
    ["pressure_s1_rate_60m", 10, (100 - 0) / 10],
  ])("%s at minute %d = %d", (name, minute, expected) => {
    const quad = computeFeatures(frameOf(series("S1", Array.from({ length: 11 }, (_, i) => [i, i * i] as [number, number]))), noWarmup);
    expect(at(quad, minute, name)).toBeCloseTo(expected, 12);
  });

  test("a rate looks back to the newest sample at least the window ago", () => {
    // Samples at 0, 3, 4: the 1m rate at 4 uses minute 3; the 5m rate has nothing 5 min old and uses minute 0.
    const m2 = computeFeatures(frameOf(series("S1", [[0, 0], [3, 6], [4, 10]])), noWarmup);
    expect(at(m2, 4, "pressure_s1_rate_1m")).toBe(4);
    expect(at(m2, 4, "pressure_s1_rate_5m")).toBe(2.5);
  });
});

describe("flow counter", () => {
  // Counter 100 → 101 → 103 → 2 (meter replaced) → 4 → 4 → 4, one reading a minute.
  const rows = series("Pulse_TotalGallons", [[0, 100], [1, 101], [2, 103], [3, 2], [4, 4], [5, 4], [6, 4]]);
  const m = computeFeatures(frameOf(rows), noWarmup);
  test("a counter reset is a new meter whose reading is what it counted since the swap (the one meter rule), never negative", () => {
    expect([1, 2, 3, 4].map((i) => at(m, i, "flow_gpm"))).toEqual([1, 2, 2, 2]);
    expect(at(m, 4, "gallons_5m")).toBe(7);
    expect(at(m, 6, "gallons_5m")).toBe(6); // (1, 6]: 2 + 2 + 2 + 0 + 0
    expect(at(m, 6, "gallons_1h")).toBe(7);
    for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) if (m.names[c]!.startsWith("gallons")) expect(m.data[r * m.cols + c]!).toBeGreaterThanOrEqual(0);
  });
  test("the first reading only sets the baseline", () => {
    expect(at(m, 0, "flow_gpm")).toBeUndefined();
    expect(at(m, 1, "flow_gpm")).toBe(1);
  });
  test("flow over irregular readings is gallons per minute between them", () => {
    const m2 = computeFeatures(frameOf(series("Pulse_TotalGallons", [[0, 0], [4, 10]])), noWarmup);
    expect(at(m2, 4, "flow_gpm")).toBe(2.5);
  });
  test("minutes_since_zero_flow counts continuous flow, where no flow means nothing drawn in 15 min", () => {
    // No draw for 20 min, then 1 gal/min from minute 20 to 40, then none.
    const pts: Array<[number, number]> = [];
    let g = 0;
    for (let i = 0; i <= 70; i++) {
      if (i > 20 && i <= 40) g += 1;
      pts.push([i, g]);
    }
    const z = computeFeatures(frameOf(series("Pulse_TotalGallons", pts)), noWarmup);
    expect(at(z, 20, "minutes_since_zero_flow")).toBe(0);
    expect(at(z, 21, "minutes_since_zero_flow")).toBe(1);
    expect(at(z, 40, "minutes_since_zero_flow")).toBe(20);
    expect(at(z, 54, "minutes_since_zero_flow")).toBe(34); // the draw at minute 40 is in (39, 54]
    expect(at(z, 55, "minutes_since_zero_flow")).toBe(0); // (40, 55] drew nothing
  });
});

describe("local time", () => {
  // 2024-03-10: New York springs forward at 07:00 UTC (02:00 EST → 03:00 EDT); a Sunday.
  const spring = Date.UTC(2024, 2, 10, 6, 30);
  const rows = series("S1", [[0, 1], [60, 1]]); // 06:30 UTC = 01:30 EST, 07:30 UTC = 03:30 EDT
  const m = computeFeatures(frameOf(rows, spring), { ...noWarmup, timeZone: "America/New_York" });
  const hourSin = (h: number) => Math.sin((2 * Math.PI * h) / 24);
  const dowSin = (d: number, h: number) => Math.sin((2 * Math.PI * (d + h / 24)) / 7);
  test.each([
    [0, 1.5],
    [60, 3.5],
  ])("minute %d after 06:30 UTC on the DST day is %d h local", (minute, hour) => {
    expect(at(m, minute, "hour_sin", spring)).toBeCloseTo(hourSin(hour), 12);
    expect(at(m, minute, "hour_cos", spring)).toBeCloseTo(Math.cos((2 * Math.PI * hour) / 24), 12);
    expect(at(m, minute, "dow_sin", spring)).toBeCloseTo(dowSin(0, hour), 12);
    expect(at(m, minute, "is_weekend", spring)).toBe(1);
  });
  test("fall back: 05:30 and 06:30 UTC on 2024-11-03 are both 01:30 local", () => {
    const fall = Date.UTC(2024, 10, 3, 5, 30);
    const f = computeFeatures(frameOf(series("S1", [[0, 1], [60, 1]]), fall), { ...noWarmup, timeZone: "America/New_York" });
    expect(at(f, 0, "hour_sin", fall)).toBeCloseTo(hourSin(1.5), 12);
    expect(at(f, 60, "hour_sin", fall)).toBeCloseTo(hourSin(1.5), 12);
  });
  test.each([
    // [UTC hour on Monday 2024-06-03, zone, options, is_night, is_weekend]
    [3, "UTC", {}, 1, 0],
    [5, "UTC", {}, 0, 0],
    [23, "UTC", {}, 1, 0],
    [22, "UTC", {}, 0, 0],
    [3, "America/Chicago", {}, 1, 1], // 22:00 Sunday CDT: weekend, not yet night
    [4, "America/Chicago", {}, 1, 1], // 23:00 Sunday CDT
    [12, "UTC", { nightStartHour: 9, nightEndHour: 17 }, 1, 0],
  ] as const)("%d:00 UTC in %s %j: is_night %d, is_weekend %d", (hour, timeZone, opts, night, weekend) => {
    const t = T0 + hour * 60 * MIN;
    const f = computeFeatures(frameOf(series("S1", [[0, 1]]), t), { ...noWarmup, timeZone, ...opts });
    if (timeZone === "America/Chicago" && hour === 3) expect(at(f, 0, "is_night", t)).toBe(0);
    else expect(at(f, 0, "is_night", t)).toBe(night);
    expect(at(f, 0, "is_weekend", t)).toBe(weekend);
  });
});

describe("pump", () => {
  // Current per minute: off 0–4, on 5–9, off 10–19, on 20–24, off 25–…; three phases, P1C3 absent.
  const on = (i: number) => (i >= 5 && i < 10) || (i >= 20 && i < 25);
  const rows: Array<[number, Record<string, number>]> = [];
  for (let i = 0; i <= 90; i++) {
    rows.push([i, { P1C1: on(i) ? 8 : 0.2, P1C2: on(i) ? 10 : 0.4, S1: i >= 10 && i < 20 ? 60 - 0.5 * (i - 10) : 55, Level1_precent: 80 }]);
  }
  const m = computeFeatures(frameOf(rows), noWarmup);
  test("current is the mean of the phases present; running above the threshold", () => {
    expect(at(m, 6, "pump_current")).toBe(9);
    expect(at(m, 6, "pump_running")).toBe(1);
    expect(at(m, 12, "pump_current")).toBeCloseTo(0.3, 12);
    expect(at(m, 12, "pump_running")).toBe(0);
    const high = computeFeatures(frameOf(rows), { ...noWarmup, pumpCurrentThreshold: 9.5 });
    expect(at(high, 6, "pump_running")).toBe(0);
  });
  test.each([
    [4, 0],
    [5, 1],
    [20, 2],
    [64, 2], // start at 5 is within (4, 64]
    [65, 1], // start at 5 has left (5, 65]
    [79, 1], // start at 20 is within (19, 79]
    [80, 0],
  ])("pump_starts_1h at minute %d = %d", (minute, starts) => {
    expect(at(m, minute, "pump_starts_1h")).toBe(starts);
  });
  test("a pump already running at the first sample is not a start", () => {
    const r = computeFeatures(frameOf(series("P1C1", [[0, 9], [1, 9], [2, 0], [3, 9]])), noWarmup);
    expect([0, 1, 2, 3].map((i) => at(r, i, "pump_starts_1h"))).toEqual([0, 0, 0, 1]);
  });
  test.each([
    [6, 0], // running
    [10, 0], // first minute of the off spell: no minute yet to measure over
    [11, 0.5],
    [19, 0.5],
    [22, 0], // running again
    [26, 0], // off since 25, pressure flat
  ])("pressure_drop_rate_pump_off at minute %d = %d PSI/min", (minute, rate) => {
    expect(at(m, minute, "pressure_drop_rate_pump_off")).toBeCloseTo(rate, 12);
  });
  test("the drop rate looks back at most 15 minutes into a long off spell", () => {
    // Off throughout; pressure flat at 60 until minute 30, then falls 1 PSI/min.
    const pts: Array<[number, Record<string, number>]> = [];
    for (let i = 0; i <= 40; i++) pts.push([i, { P1C1: 0, S1: i <= 30 ? 60 : 60 - (i - 30), Level1_precent: i <= 30 ? 50 : 50 - 0.1 * (i - 30) }]);
    const r = computeFeatures(frameOf(pts), noWarmup);
    expect(at(r, 40, "pressure_drop_rate_pump_off")).toBeCloseTo(10 / 15, 12); // (60 − 50) over (25, 40]
    expect(at(r, 40, "level_drop_rate_pump_off")).toBeCloseTo(1 / 15, 12);
  });
});

describe("names and missing telemetry", () => {
  test("features need their inputs: a pressure-only site gets pressure and time features only", () => {
    const names = featureNames(["S1"]);
    expect(names.slice(0, 2)).toEqual(["pressure_s1", "pressure_s1_mean_5m"]);
    expect(names).toHaveLength(19 + 6);
    expect(names).toContain("is_night");
    expect(names).not.toContain("pump_running");
    expect(featureNames(["S1", "P1C2"])).toContain("pressure_drop_rate_pump_off");
    expect(featureNames(["Pulse_TotalGallons"])).toContain("minutes_since_zero_flow");
    expect(featureNames(["S1", "P1C1", "P1V1", "S2", "Level1_precent", "Pulse_TotalGallons"])).toHaveLength(6 * 19 + 6 + 2 + 2 + 3 + 1);
  });

  test("an all-empty column does not count as a key", () => {
    const f = frameOf(series("S1", [[0, 1]]));
    f.columns.S2 = Float64Array.of(NaN);
    expect(frameKeys(f)).toEqual(["S1"]);
  });

  test("a model's list is produced exactly, in its order", () => {
    const f = frameOf(series("S1", [[0, 1], [1, 3]]));
    const m = computeFeatures(f, { ...noWarmup, featureNames: ["is_night", "pressure_s1_rate_1m"] });
    expect(m.names).toEqual(["is_night", "pressure_s1_rate_1m"]);
    expect(Array.from(m.data)).toEqual([1, 0, 1, 2]);
  });

  test("a model needing telemetry the device lacks is an error naming keys and features", () => {
    const f = frameOf(series("S1", [[0, 1]]));
    const names = featureNames(["S1", "P1C1", "Pulse_TotalGallons"]);
    expect(() => computeFeatures(f, { featureNames: names })).toThrow(
      "device dev1 has no values for P1C1 or P1C2 or P1C3 (for pump_current, pump_current_mean_5m, pump_current_std_5m and 19 more); Pulse_TotalGallons (for flow_gpm, flow_gpm_mean_5m, flow_gpm_std_5m and 20 more), which the model's features need",
    );
    try {
      computeFeatures(f, { featureNames: names });
    } catch (error) {
      expect(isNightowlError(error, "E_DATA")).toBe(true);
    }
  });

  test("an unknown feature name is a model error", () => {
    expect(() => featureNames(["S1"], { featureNames: ["pressure_s1", "pressure_s9"] })).toThrow(
      'unknown feature "pressure_s9": the model was made by another version of nightowl',
    );
  });

});
