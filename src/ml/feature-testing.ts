/**
 * Small frames for the feature engine's tests (features.test.ts, feature-stream.test.ts):
 * rows given by minute, a feature read back by minute, and a messy seeded history; and a
 * simulated history's rows between two times (the guards' tests on simulator history).
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { FeatureMatrix, FeatureOptions } from "./features.ts";
import { Random } from "./random.ts";

export const MIN = 60_000;
/** A Monday, 00:00 UTC. */
export const T0 = Date.UTC(2024, 5, 3);

/** A frame from [minute, {key: value}] rows (keys absent in a row are NaN). */
export function frameOf(rows: Array<[number, Record<string, number>]>, t0 = T0): HistoryFrame {
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
export function series(key: string, points: Array<[number, number]>): Array<[number, Record<string, number>]> {
  return points.map(([m, v]) => [m, { [key]: v }]);
}

/** Feature `name` at minute `m` (undefined when that row was not emitted). */
export function at(matrix: FeatureMatrix, m: number, name: string, t0 = T0): number | undefined {
  const col = matrix.names.indexOf(name);
  if (col < 0) throw new Error(`no feature ${name}`);
  const row = matrix.ts.indexOf(t0 + m * MIN);
  return row < 0 ? undefined : matrix.data[row * matrix.cols + col];
}

export const noWarmup: FeatureOptions = { warmupMs: 0 };

/** The rows of `frame` from `from` (inclusive) to `to` (exclusive), epoch ms: views, not copies. */
export function sliceFrame(frame: HistoryFrame, from: number, to: number): HistoryFrame {
  const a = frame.ts.findIndex((t) => t >= from);
  const b = frame.ts.findIndex((t) => t >= to);
  const end = b < 0 ? frame.ts.length : b;
  return { ...frame, ts: frame.ts.subarray(a, end), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(a, end)])) };
}

/** Irregular multi-key history with split rows, silent keys, short and long gaps, meter swaps. */
export function messyFrame(n: number, seed: number): HistoryFrame {
  const generator = new Random(seed);
  const rnd = () => generator.uniform();
  const rows: Array<[number, Record<string, number>]> = [];
  let minute = 0;
  let gallons = 500;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    minute += r < 0.01 ? 15 + rnd() * 30 : r < 0.05 ? 2 + rnd() * 6 : 0.5 + rnd();
    const row: Record<string, number> = {};
    if (rnd() < 0.9) row.S1 = 1000 + 40 + 10 * Math.sin(minute / 50) + rnd();
    if (rnd() < 0.8) row.P1C1 = rnd() < 0.3 ? 8 + rnd() : 0.1;
    if (rnd() < 0.5) row.P1C2 = rnd() < 0.3 ? 8 + rnd() : 0.1;
    if (rnd() < 0.7) row.Level1_precent = 60 + 20 * Math.cos(minute / 300);
    if (rnd() < 0.8) {
      gallons = rnd() < 0.002 ? rnd() * 3 : gallons + (rnd() < 0.4 ? rnd() * 3 : 0);
      row.Pulse_TotalGallons = gallons;
    }
    rows.push([minute, row]);
  }
  return frameOf(rows);
}
