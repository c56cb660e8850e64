import { expect, test } from "bun:test";
import { buildDeviceReport } from "../analytics/report-data.ts";
import { renderReportHtml } from "../analytics/report-html.ts";
import { trainLeakModel } from "../ml/leak-model.ts";
import { simulateHistory } from "../sim/history.ts";
import { deviceSpec } from "../sim/site.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import { reportTimeline } from "./report-timeline.ts";
import { scoreReplay } from "./score-replay.ts";
import { replayRules } from "./replay.ts";

const DAY = 86_400_000;

/** A model trained on four quiet days, and two days after them with a burst at the start of the second. */
function burstDays() {
  const spec = deviceSpec(7, 0, 0);
  const start = Date.UTC(2026, 0, 5);
  const train = simulateHistory({ seed: 7, device: 0, startMs: start - 4 * DAY, endMs: start });
  const { model } = trainLeakModel([train], { userLabel: "global", source: "simulated", nEstimators: 25, seed: 1 });
  const week = simulateHistory({ seed: 7, device: 0, startMs: start, endMs: start + 2 * DAY, scenarios: [{ deviceId: spec.id, kind: "burst", startMs: start + DAY }] });
  return { spec, start, model, week };
}

test("with a model, score's alarm episodes and their top features join the timeline; each rule starts where the replay first fires it", () => {
  const { start, model, week } = burstDays();
  const timeZone = model.featureOptions.timeZone;
  const timeline = reportTimeline(week, { timeZone }, model);
  const spans = timeline.anomalies!;
  const during = spans.filter((s) => s.endMs >= start + DAY);
  expect(during.length).toBeGreaterThanOrEqual(1);
  expect(during[0]!.topFeatures.length).toBeGreaterThan(0);
  // Every alarm row of score lies in a span, and every span starts and ends on one.
  const alarms = scoreReplay(model, [week], { timeZone, topFeatures: 0 }).filter((r) => r.isAnomaly).map((r) => r.ts);
  expect(alarms.every((ts) => spans.some((s) => s.startMs <= ts && ts <= s.endMs))).toBe(true);
  expect(spans.every((s) => alarms.includes(s.startMs) && alarms.includes(s.endMs))).toBe(true);
  // A rule's trigger starts at the first row the replay fires it at, not earlier.
  const rules = replayRules(week, { timeZone });
  expect(timeline.triggers.length).toBeGreaterThan(0);
  for (const t of timeline.triggers) {
    const i = week.ts.indexOf(t.startMs);
    expect(rules[i]).toContain(t.rule);
    if (i > 0) expect(rules[i - 1]).not.toContain(t.rule);
  }
  const report = buildDeviceReport(week, { timeZone }, timeline);
  expect(report.anomalies!.length).toBe(spans.length);
  expect(renderReportHtml([report], start)).toContain('data-name="alarm"');
}, 30_000);

test("with events, an expected draw silences score's alarm over it as score --events does, and the report lists the event and its effect", () => {
  const { spec, start, model, week } = burstDays();
  const bare = reportTimeline(week, { timeZone: "UTC" }, model).anomalies!;
  const during = bare.find((s) => s.endMs >= start + DAY)!;
  const pool: OwnerEvent = { id: "pool", device_id: spec.id, kind: "expected", start: during.startMs, end: during.endMs + 1, note: "pool fill" };
  const other: OwnerEvent = { id: "elsewhere", device_id: "another", kind: "away", start, end: start + DAY };
  const timeline = reportTimeline(week, { timeZone: "UTC", events: [pool, other] }, model);
  expect(timeline.anomalies!.filter((s) => s.startMs >= pool.start && s.endMs < pool.end)).toEqual([]);
  expect(timeline.effects!.get("pool")!.silencedRows).toBeGreaterThan(0);
  const report = buildDeviceReport(week, { timeZone: "UTC" }, timeline, [pool, other]);
  expect(report.events).toEqual([{ id: "pool", kind: "expected", note: "pool fill", startMs: pool.start, endMs: pool.end, silencedRows: timeline.effects!.get("pool")!.silencedRows, sharpenedRows: 0 }]);
  expect(report.summary.some((l) => l.includes("The owner marked 1 event(s) in this period (expected)"))).toBe(true);
  const html = renderReportHtml([report], start);
  expect(html).toContain('data-name="owner&#39;s events"');
  expect(html).toMatch(/<tr data-event="pool"><td>pool<\/td><td>expected<\/td>.*<td>pool fill<\/td><td>alarm silenced on \d+ reading\(s\)<\/td><\/tr>/);
}, 30_000);
