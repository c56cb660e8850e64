import { expect, test } from "bun:test";
import { analyzeFrame } from "../analytics/analyze.ts";
import { flowBetween } from "../analytics/usage-curve.ts";
import { simulateHistory } from "../sim/history.ts";
import { summarizeAnalysis } from "./analysis-summary.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4);

test("a metered site's summary keeps the readers' figures and the flow per row, exactly, without the per-row arrays", () => {
  const frame = simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 26 * HOUR });
  const a = analyzeFrame(frame, { timeZone: "America/Denver" });
  const s = summarizeAnalysis(a);
  expect([s.fromMs, s.toMs]).toEqual([a.fromMs, a.toMs]);
  expect(s.triggers).toBe(a.triggers);
  expect(s.flowGpm).toBe(Math.max(0, flowBetween(a.curve!, a.toMs - Math.max(15 * 60_000, a.curve!.smearMs), a.toMs)));
  expect(s.nightFlowMinGpm).toBe(a.nights.at(-1)!.minGpm);
  expect(s.todayGallons).toBe(a.consumption!.daily.at(-1)!.value);
  expect(s.rowSeries!.kind).toBe("flow");
  expect(Array.from(s.rowSeries!.values.read(0, s.rowSeries!.rows))).toEqual(Array.from(a.consumption!.intervalGallons));
  // Whole gallons a minute, each a small step from the last: at most a byte a row, where the
  // analysis held its curve and a dozen Float64 arrays.
  expect(s.rowSeries!.values.bytesPerRow).toBeLessThanOrEqual(1);
  expect(s.pumps.map((p) => [p.pump, p.running])).toEqual(a.pumps.map((p) => [p.pump, p.running.at(-1)!]));
  expect(Object.keys(s)).not.toContain("curve");
});

test("a site without a meter keeps its first pump's running per row for the duty sparkline", () => {
  const frame = simulateHistory({ seed: 42, device: 2, startMs: T0, endMs: T0 + 6 * HOUR });
  const a = analyzeFrame(frame);
  expect(a.consumption).toBeUndefined();
  const s = summarizeAnalysis(a);
  expect(s.rowSeries!.kind).toBe("pumpDuty");
  const p1 = a.pumps.find((p) => p.pump === "P1")!;
  expect(Array.from(s.rowSeries!.values.read(0, s.rowSeries!.rows))).toEqual(Array.from(p1.running));
  expect(Number.isNaN(s.flowGpm) && Number.isNaN(s.todayGallons)).toBe(true);
  // Six hours of readings: rates over them, not NaN.
  expect(s.pumps[0]!.startsPerHour).toBeGreaterThan(0);
});
