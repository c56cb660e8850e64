import { expect, test } from "bun:test";
import { simulateHistory } from "../sim/history.ts";
import { deviceSpec } from "../sim/site.ts";
import { newDeviceBuffer, replayRules, replayRuleTimeline } from "./replay.ts";
import { ANALYSIS_CADENCE_MS, ANALYSIS_WINDOW_MS, RuleStage } from "./rule-stage.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4);

/** The first row time at or after `fromMs` at which `rule` fires, in a replay. */
function firstFiring(frame: ReturnType<typeof simulateHistory>, rule: string, fromMs: number): number {
  const rules = replayRules(frame);
  for (let i = 0; i < frame.ts.length; i++) if (frame.ts[i]! >= fromMs && rules[i]!.includes(rule)) return frame.ts[i]!;
  return Number.NaN;
}

test("a rule fires once the data proves it, within one cadence slot, never before", () => {
  const spec = deviceSpec(42, 0, 0);
  const leak = T0 + 30 * HOUR + 7 * 60_000;
  const frame = simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: leak + 4 * HOUR, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leak, size: 3 }] });
  const sustained = firstFiring(frame, "sustained_flow", leak);
  // The meter must already show 45 minutes at 1.5 gal/min or more (the household's own draws
  // may have begun the stretch before the leak did), and the rule follows within a slot.
  const counter = frame.columns.Pulse_TotalGallons!;
  const at = (t: number) => counter[frame.ts.indexOf(t)]!;
  expect((at(sustained) - at(sustained - 45 * 60_000)) / 45).toBeGreaterThanOrEqual(1.5 - 2 / 45);
  expect(sustained).toBeLessThanOrEqual(leak + 45 * 60_000 + ANALYSIS_CADENCE_MS);
  // Continuous flow: the meter moved in every 5 minutes of the 2 hours before it fires.
  const continuous = firstFiring(frame, "continuous_flow", leak);
  for (let t = continuous - 2 * HOUR + 5 * 60_000; t <= continuous; t += 5 * 60_000) expect(at(t)).toBeGreaterThan(at(t - 5 * 60_000));
  expect(continuous).toBeLessThanOrEqual(leak + 2 * HOUR + ANALYSIS_CADENCE_MS);
});

test("the rules of a row do not change when later rows are added", () => {
  const spec = deviceSpec(42, 0, 1);
  const leak = T0 + 22 * HOUR;
  const frame = simulateHistory({ seed: 42, device: 1, startMs: T0, endMs: leak + 14 * HOUR, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leak, size: 0.5 }] });
  const full = replayRules(frame);
  const onset = full.findIndex((r) => r.includes("continuous_flow"));
  for (const cut of [onset, onset - 1, onset + 3, frame.ts.length - 200]) {
    const prefix = { ...frame, ts: frame.ts.subarray(0, cut + 1), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(0, cut + 1)])) };
    expect(replayRules(prefix).at(-1)).toEqual(full[cut]!);
  }
  expect(full.some((r) => r.includes("continuous_flow"))).toBe(true);
});

test("5-minute readings with a second of jitter still show a steady leak as continuous flow", () => {
  const spec = deviceSpec(42, 0, 0);
  const leak = T0 + 30 * HOUR;
  const frame = simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: leak + 4 * HOUR, stepSeconds: 300, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leak, size: 0.5 }] });
  // Every other reading a second early or late: intervals of 5 min ± 2 s.
  for (let i = 0; i < frame.ts.length; i++) frame.ts[i]! += i % 2 ? 1000 : -1000;
  const continuous = firstFiring(frame, "continuous_flow", leak);
  expect(continuous).toBeGreaterThanOrEqual(leak + 2 * HOUR - 10 * 60_000);
  expect(continuous).toBeLessThanOrEqual(leak + 2 * HOUR + 15 * 60_000);
});

test("a leak older than the analysis window is told from where it began, not from the window's start", () => {
  const spec = deviceSpec(42, 0, 0);
  const leak = T0 + 30 * HOUR;
  const end = leak + 40 * HOUR; // 40 h of flow, the window is 26 h
  const frame = simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: end, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leak, size: 0.8 }] });
  const { triggers } = replayRuleTimeline(frame);
  const flow = triggers.filter((t) => t.rule === "continuous_flow" && t.startMs >= leak);
  expect(flow.length).toBe(1);
  const hours = Number(/continuous flow for ([\d.]+) h/.exec(flow[0]!.message)?.[1]);
  // The run began at the leak (or with a household draw that ran into it): about 40 h, not 26.
  expect(hours).toBeGreaterThan(ANALYSIS_WINDOW_MS / HOUR + 10);
  expect(hours).toBeLessThanOrEqual(40.5);
  const stage = new RuleStage();
  const buffer = newDeviceBuffer(frame.deviceId);
  for (let i = 0; i < frame.ts.length; i++) if (buffer.pushFrameRow(frame, i) !== undefined) stage.update(buffer);
  expect(stage.latest()!.continuousFlowMinutes / 60).toBeCloseTo(hours, 0);
  expect(stage.firing().find((t) => t.rule === "continuous_flow")!.startMs).toBeLessThanOrEqual(leak + 5 * 60_000);
});
