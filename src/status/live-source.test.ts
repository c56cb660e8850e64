import { expect, test } from "bun:test";
import type { DeviceAnalysis } from "../analytics/analyze.ts";
import type { Trigger } from "../analytics/trigger.ts";
import type { AnalyticsMetrics } from "../metrics/analytics.ts";
import type { LiveScorer } from "../metrics/live-scorer.ts";
import { createLiveStatusSource, ruleReasons } from "./live-source.ts";
import type { DeviceStatus, DeviceVerdict } from "./source.ts";

const H = 3_600_000;
const t = (rule: string, startH: number, endH: number | undefined, message: string): Trigger => ({
  rule, deviceId: "d1", startMs: startH * H, ...(endH === undefined ? {} : { endMs: endH * H }), message, severity: "warning",
});

test("one reason per firing rule: the latest sentence, since the start of its unbroken chain of triggers", () => {
  const analysis = {
    triggers: [
      t("night_pump_starts", 0, 5, "night 1"),
      t("night_pump_starts", 24, 29, "night 2"), // within a day of night 1's end: the same episode
      t("night_pump_starts", 48, 53, "night 3"),
      t("continuous_flow", 10, 11, "old run"),
      t("continuous_flow", 40, undefined, "continuous flow for 14 h at 0.50 gal/min or more (420 gal)"), // 29 h after the old run ended: a new episode
      t("burst", 50, 51, "not firing"),
    ],
  } as unknown as DeviceAnalysis;
  expect(ruleReasons(analysis, ["night_pump_starts", "continuous_flow"])).toEqual([
    { rule: "night_pump_starts", sentence: "night 3", sinceMs: 0, endedMs: 53 * H },
    { rule: "continuous_flow", sentence: "continuous flow for 14 h at 0.50 gal/min or more (420 gal)", sinceMs: 40 * H },
  ]);
  expect(ruleReasons(analysis, ["dry_run"])).toEqual([]);
});

test("the model's verdict scored after the poll is on the card and in its sparkline alike", async () => {
  const at = Date.UTC(2026, 10, 25, 12);
  let latest: ReturnType<LiveScorer["latest"]>;
  const scorer = { latest: () => latest } as unknown as LiveScorer;
  const analytics = { devices: () => new Map() } as unknown as AnalyticsMetrics;
  const source = createLiveStatusSource({ analytics, scorer, now: () => at });
  const snapshot = { id: "d1", name: "Well 1", type: "NightOwl Flex", userLabel: "me", telemetry: { S1: { ts: at, value: 55 } }, attributes: {} };
  await source.observe({ ok: true, devices: [snapshot], startedAt: at, durationMs: 1 });
  // Scoring observes the same poll after the status source.
  latest = { ts: at, decision: 0.1, verdict: { probability: 13, isAnomaly: false } } as ReturnType<LiveScorer["latest"]>;
  const [status] = source.statuses(24 * H);
  expect(status!.leakProbability).toBe(13);
  expect(status!.series.leakProbability!.map((p) => p.v).filter((v) => !Number.isNaN(v))).toEqual([13]);
});

test("the fleet's verdicts and statuses, and each device's alone, in the poll's order", async () => {
  const at = Date.UTC(2026, 10, 25, 12);
  // "a" has a rule firing and a customer; "b" has neither (no figures yet).
  const figures = { rules: { continuous_flow: 1, dry_run: 0 }, silenced: [], pumps: [{ pump: "P1", running: 1 }], nightFlowMinGpm: 0.4 };
  const a = { figures: () => figures, pipeline: { rules: { latest: () => undefined } } };
  const analytics = { devices: () => new Map([["a", a]]) } as unknown as AnalyticsMetrics;
  const source = createLiveStatusSource({ analytics, now: () => at });
  const snapshot = (id: string, psi: number, readAt: number, attributes = {}) => ({ id, name: `Well ${id}`, type: "NightOwl Flex", userLabel: "me", telemetry: { S1: { ts: readAt, value: psi } }, attributes });
  await source.observe({ ok: true, devices: [snapshot("b", 55, at - 55_000), snapshot("a", 48, at - 48_000, { CustomerInfo: { ts: at, value: " Dan Gorman " } })], startedAt: at, durationMs: 1 });
  const b = { id: "b", name: "Well b", customer: "me", userLabel: "me", level: "fine", alarms: new Set(), leakProbability: Number.NaN, readingAt: at - 55_000 };
  const aVerdict = { id: "a", name: "Well a", customer: "Dan Gorman", userLabel: "me", level: "leak", alarms: new Set(["leak"]), leakProbability: Number.NaN, readingAt: at - 48_000 };
  expect(source.deviceIds()).toEqual(["b", "a"]);
  expect(source.verdicts()).toEqual([b, aVerdict] as DeviceVerdict[]);
  expect(source.deviceVerdict("a")).toEqual(aVerdict as DeviceVerdict);
  const bStatus = { ...b, reasons: [], pressurePsi: 55, tankPercent: Number.NaN, pumps: [], todayGallons: Number.NaN, lastNightMinGpm: Number.NaN, series: { pressure: [] }, fromMs: at - 55_000, toMs: at - 55_000 };
  const aStatus = { ...aVerdict, reasons: [], pressurePsi: 48, tankPercent: Number.NaN, pumps: [{ pump: "P1", running: 1 }], todayGallons: Number.NaN, lastNightMinGpm: 0.4, series: { pressure: [] }, fromMs: at - 48_000, toMs: at - 48_000 };
  expect(source.statuses(0)).toEqual([bStatus, aStatus] as DeviceStatus[]);
  expect(source.deviceStatus("b", 0)).toEqual(bStatus as DeviceStatus);
  expect(source.deviceVerdict("gone")).toBeUndefined();
  expect(source.deviceStatus("gone", 0)).toBeUndefined();
});

test("a score newer than the rule stage's analysed rows (right after start) is in the sparkline, not only on the card", async () => {
  const at = Date.UTC(2026, 10, 25, 12);
  const analysedTo = at - 10 * 60_000;
  const scorer = { latest: () => ({ ts: at, decision: 0.1, verdict: { probability: 6, isAnomaly: false } }) } as unknown as LiveScorer;
  const rows = new Float64Array([analysedTo - 60_000, analysedTo]);
  const device = {
    pipeline: { rules: { latest: () => ({ fromMs: analysedTo - 60_000, toMs: analysedTo }) }, buffer: { times: () => rows, values: () => new Float64Array([50, 51]) } },
    figures: () => undefined,
  };
  const analytics = { devices: () => new Map([["d1", device]]) } as unknown as AnalyticsMetrics;
  const source = createLiveStatusSource({ analytics, scorer, now: () => at });
  const snapshot = { id: "d1", name: "Well 1", type: "NightOwl Flex", userLabel: "me", telemetry: { S1: { ts: at, value: 55 } }, attributes: {} };
  await source.observe({ ok: true, devices: [snapshot], startedAt: at, durationMs: 1 });
  const [status] = source.statuses(48 * H);
  expect(status!.leakProbability).toBe(6);
  expect(status!.series.leakProbability!.map((p) => p.v).filter((v) => !Number.isNaN(v))).toEqual([6]);
});
