import { describe, expect, test } from "bun:test";
import { isNightowlError } from "../errors.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { FeatureStream, computeFeatures, featureNames, frameKeys, type FeatureMatrix, type FeatureOptions } from "./features.ts";

const MIN = 60_000;
/** A Monday, 00:00 UTC. */
const T0 = Date.UTC(2024, 5, 3);

/** A frame from [minute, {key: value}] rows (keys absent in a row are NaN). */
function frameOf(rows: Array<[number, Record<string, number>]>, t0 = T0): HistoryFrame {
  const keys = [...new Set(rows.flatMap(([, r]) => Object.keys(r)))];
  return {
    deviceId: "dev1",
    deviceName: "Well",
    userLabel: "u",
    ts: Float64Array.from(rows, ([m]) => t0 + m * MIN),
    columns: Object.fromEntries(keys.map((k) => [k, Float64Array.from(rows, ([, r]) => r[k] ?? NaN)])),
  };
}

/** Rows of one key from [minute, value] pairs. */
function series(key: string, points: Array<[number, number]>): Array<[number, Record<string, number>]> {
  return points.map(([m, v]) => [m, { [key]: v }]);
}

/** Feature `name` at minute `m` (undefined when that row was not emitted). */
function at(matrix: FeatureMatrix, m: number, name: string, t0 = T0): number | undefined {
  const col = matrix.names.indexOf(name);
  if (col < 0) throw new Error(`no feature ${name}`);
  const row = matrix.ts.indexOf(t0 + m * MIN);
  return row < 0 ? undefined : matrix.data[row * matrix.cols + col];
}

const noWarmup: FeatureOptions = { warmupMs: 0 };

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

describe("gaps", () => {
  const before: Array<[number, number]> = [[0, 10], [1, 10], [2, 10], [3, 10], [4, 10]];
  test("a gap up to maxCarryForwardMs keeps the windows", () => {
    const m = computeFeatures(frameOf(series("S1", [...before, [12, 40]])), noWarmup); // 8-minute gap
    expect(at(m, 12, "pressure_s1_mean_15m")).toBe(15); // (10·5 + 40) / 6
  });
  test("a longer gap restarts them: nothing from before it, warm-up again", () => {
    const rows = series("S1", [...before, [16, 40], [17, 50], [18, 60], [19, 70]]); // 12-minute gap
    const m = computeFeatures(frameOf(rows), noWarmup);
    expect(at(m, 16, "pressure_s1_mean_15m")).toBe(40);
    expect(at(m, 16, "pressure_s1_rate_1m")).toBe(0);
    const warm = computeFeatures(frameOf(rows), { warmupMs: 2 * MIN });
    expect(Array.from(warm.ts, (t) => (t - T0) / MIN)).toEqual([2, 3, 4, 18, 19]);
    expect(warm.skipped).toEqual({ warmup: 4, missingSignal: 0 });
  });
  test("a row where one key is silent carries its last value; longer silence drops the row", () => {
    const rows: Array<[number, Record<string, number>]> = [
      [0, { S1: 50, P1C1: 0 }],
      [1, { S1: 51, P1C1: 0 }],
      [2, { S1: 52 }],
      [13, { S1: 53 }],
    ];
    const m = computeFeatures(frameOf(rows), noWarmup);
    expect(at(m, 2, "pump_current")).toBe(0);
    expect(at(m, 13, "pressure_s1")).toBeUndefined();
    expect(m.skipped.missingSignal).toBe(1);
  });
  test("the default warm-up is one hour of contiguous data", () => {
    const m = computeFeatures(frameOf(series("S1", Array.from({ length: 70 }, (_, i) => [i, 50] as [number, number]))));
    expect((m.ts[0]! - T0) / MIN).toBe(60);
    expect(m.rows).toBe(10);
  });
});

describe("flow counter", () => {
  // Counter 100 → 101 → 103 → 2 (meter replaced) → 4 → 4 → 4, one reading a minute.
  const rows = series("Pulse_TotalGallons", [[0, 100], [1, 101], [2, 103], [3, 2], [4, 4], [5, 4], [6, 4]]);
  const m = computeFeatures(frameOf(rows), noWarmup);
  test("a counter reset is a new meter, counted from its first reading, never negative", () => {
    expect([1, 2, 3, 4].map((i) => at(m, i, "flow_gpm"))).toEqual([1, 2, 0, 2]);
    expect(at(m, 4, "gallons_5m")).toBe(5);
    expect(at(m, 6, "gallons_5m")).toBe(4); // (1, 6]: 2 + 0 + 2 + 0 + 0
    expect(at(m, 6, "gallons_1h")).toBe(5);
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
