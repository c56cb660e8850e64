import { expect, test } from "bun:test";
import type { OwnerEvent } from "../events/events-file.ts";
import { forestAnomalies, forestReview } from "../monitor/report-anomalies.ts";
import { buildDeviceReport } from "./report-data.ts";
import { renderReportHtml } from "./report-html.ts";
import { frameOf, DAY, HOUR, JAN1, MINUTE } from "./testing.ts";
import { trainLeakModel } from "../ml/leak-model.ts";
import { simulateHistory } from "../sim/history.ts";
import { deviceSpec } from "../sim/site.ts";

/** Three days of 10-minute readings: 10 gal an hour, no night use, a pump that runs 10 min an hour. */
function quietSite() {
  const rows: Array<Record<string, number>> = [];
  let total = 1000;
  for (let t = JAN1; t <= JAN1 + 3 * DAY; t += 10 * MINUTE) {
    const hour = ((t - JAN1) % DAY) / HOUR;
    const drawing = hour >= 6 && hour < 22;
    if (drawing && t > JAN1) total += 10 / 6;
    const running = drawing && (t / (10 * MINUTE)) % 6 === 0;
    const amps = running ? 10 : 0;
    rows.push({ ts: t, Pulse_TotalGallons: total, S1: running ? 60 : 50, P1V1: 240, P1V2: 240, P1V3: 240, P1C1: amps, P1C2: amps, P1C3: amps });
  }
  return frameOf(rows, { customer: "Dan Gorman", site: "Ranch" });
}

test("the range cuts days by their midpoint and the totals follow", () => {
  const r = buildDeviceReport(quietSite(), { sinceMs: JAN1 + DAY, untilMs: JAN1 + 3 * DAY });
  // Jan 2 and Jan 3 lie in the range; each drew 16 h × 10 gal.
  expect(r.water!.daily.map((d) => [d.date, +d.gallons.toFixed(6)])).toEqual([["2026-01-02", 160], ["2026-01-03", 160]]);
  expect(r.water!.totalGallons).toBeCloseTo(320, 6);
  expect(r.water!.nights.map((n) => n.minGpm)).toEqual([0, 0]);
  expect(r.fromMs).toBe(JAN1 + DAY);
  expect(r.pumps[0]!.starts).toBe(2 * 16);
  expect(r.pumps[0]!.voltageUnbalanceMeanPct).toBe(0);
  expect(r.triggers).toEqual([]);
  expect(r.summary[0]).toBe("No leak or pump fault was found in this period.");
  expect(r.summary[1]).toBe("The household used 320 gallons in 2.0 days, about 160 gallons a day.");
  expect(r.summary).toContain("Night flow (02:00–04:00 UTC) dropped to zero every night, as it should with no leak.");
});

test("the HTML escapes what the portal sends and names the device", () => {
  const frame = { ...quietSite(), deviceName: "Well <House> & \"Barn\"" };
  const html = renderReportHtml([buildDeviceReport(frame)], JAN1);
  expect(html).toContain("<h2>Well &lt;House&gt; &amp; &quot;Barn&quot; — Dan Gorman</h2>");
  expect(html).not.toContain("<House>");
  expect(html).toContain("<p class=\"meta\">Ranch · device dev-1<br>");
});

/** A model trained on four quiet days, and two days after them with a burst at the start of the second. */
function burstDays() {
  const spec = deviceSpec(7, 0, 0);
  const start = Date.UTC(2026, 0, 5);
  const train = simulateHistory({ seed: 7, device: 0, startMs: start - 4 * DAY, endMs: start });
  const { model } = trainLeakModel([train], { userLabel: "global", source: "simulated", nEstimators: 25, seed: 1 });
  const week = simulateHistory({ seed: 7, device: 0, startMs: start, endMs: start + 2 * DAY, scenarios: [{ deviceId: spec.id, kind: "burst", startMs: start + DAY }] });
  return { spec, start, model, week };
}

test("with a model, the forest's alarm stretches and their top features join the timeline", () => {
  const { spec, start, model, week } = burstDays();
  const spans = forestAnomalies(model, week);
  expect(spans.length).toBeGreaterThanOrEqual(1);
  const during = spans.filter((s) => s.endMs >= start + DAY);
  expect(during.length).toBeGreaterThanOrEqual(1);
  expect(during[0]!.minDecision).toBeLessThan(0);
  expect(during[0]!.topFeatures.length).toBeGreaterThan(0);
  const report = buildDeviceReport(week, {}, spans);
  expect(report.anomalies!.length).toBe(spans.length);
  expect(renderReportHtml([report], start)).toContain('data-name="isolation forest"');
}, 30_000);

test("with events, an expected draw silences the forest's alarm over it as score --events does, and the report lists the event and its effect", () => {
  const { spec, start, model, week } = burstDays();
  const bare = forestAnomalies(model, week, { timeZone: "UTC" });
  const during = bare.find((s) => s.endMs >= start + DAY)!;
  const pool: OwnerEvent = { id: "pool", device_id: spec.id, kind: "expected", start: during.startMs, end: during.endMs + 1, note: "pool fill" };
  const other: OwnerEvent = { id: "elsewhere", device_id: "another", kind: "away", start, end: start + DAY };
  const review = forestReview(model, week, { timeZone: "UTC", events: [pool, other] });
  expect(review.spans.filter((s) => s.startMs >= pool.start && s.endMs < pool.end)).toEqual([]);
  expect(review.effects.get("pool")!.silencedRows).toBeGreaterThan(0);
  const report = buildDeviceReport(week, { timeZone: "UTC" }, review.spans, { list: [pool, other], effects: review.effects });
  expect(report.events).toEqual([{ id: "pool", kind: "expected", note: "pool fill", startMs: pool.start, endMs: pool.end, silencedRows: review.effects.get("pool")!.silencedRows, sharpenedRows: 0 }]);
  expect(report.summary.some((l) => l.includes("The owner marked 1 event(s) in this period (expected)"))).toBe(true);
  const html = renderReportHtml([report], start);
  expect(html).toContain('data-name="owner&#39;s events"');
  expect(html).toMatch(/<tr data-event="pool"><td>pool<\/td><td>expected<\/td>.*<td>pool fill<\/td><td>alarm silenced on \d+ reading\(s\)<\/td><\/tr>/);
}, 30_000);
