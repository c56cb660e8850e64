import { expect, test } from "bun:test";
import { buildDeviceReport, startsText } from "./report-data.ts";
import { renderReportHtml } from "./report-html.ts";
import { frameOf, DAY, HOUR, JAN1, MINUTE } from "./testing.ts";

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
  const r = buildDeviceReport(quietSite(), { sinceMs: JAN1 + DAY, untilMs: JAN1 + 3 * DAY }, { triggers: [] });
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
  expect(r.summary).toContain("Night flow between 02:00 and 04:00 UTC dropped to zero every night, as it should with no leak.");
});

test("the HTML escapes what the portal sends and names the device", () => {
  const frame = { ...quietSite(), deviceName: "Well <House> & \"Barn\"" };
  const html = renderReportHtml([buildDeviceReport(frame, {}, { triggers: [] })], JAN1);
  expect(html).toContain("<h2>Well &lt;House&gt; &amp; &quot;Barn&quot; — Dan Gorman</h2>");
  expect(html).not.toContain("<House>");
  expect(html).toContain("<p class=\"meta\">Ranch · device dev-1<br>");
});

test.each([
  [0, 7, "never started"],
  [1, 7, "started once (about once every 7 days)"],
  [3, 7, "started 3 times (about once every 2 days)"],
  [13, 7, "started 13 times (1.9 a day)"],
  [232, 7, "started 232 times (33 a day)"],
])("pump starts in a day's terms: %d in %d days", (starts, days, text) => {
  expect(startsText(starts, days)).toBe(text);
});

test("a rule's own question mark ends its summary line, and a leak is not called 'as it should'", () => {
  const flapper = { rule: "night_refills", deviceId: "dev-1", startMs: JAN1 + DAY + 2 * HOUR, endMs: JAN1 + DAY + 3 * HOUR, severity: "warning" as const, message: "2026-01-02: 7 separate draws of 2.6 gal on average over 82 min while the house sleeps — a toilet flapper refilling?" };
  const r = buildDeviceReport(quietSite(), {}, { triggers: [flapper] });
  expect(r.summary[0]).toBe(`Possible leak: ${flapper.message}`);
  expect(r.summary).toContain("Night flow between 02:00 and 04:00 UTC dropped to zero every night.");
  expect(r.summary.join("\n")).not.toContain("as it should with no leak");
});

test("the plain-words line repeats the pump's share of time as the figure before it gives it", () => {
  const r = buildDeviceReport(quietSite(), {}, { triggers: [] });
  const share = r.summary.find((l) => l.startsWith("The well pump"))!.match(/ and ([\d.]+) % of the time/)![1];
  expect(r.summary.find((l) => l.trimStart().startsWith("Running"))).toStartWith(`  Running ${share} % of the time`);
});

test("the report tells when it was generated and its range on one clock, the zone named once, without parentheses in parentheses", () => {
  const report = buildDeviceReport(quietSite(), { timeZone: "Etc/GMT+7" }, { triggers: [] });
  const html = renderReportHtml([report], Date.UTC(2026, 10, 26, 10, 38));
  expect(html).toContain("Generated 2026-11-26 03:38 UTC−7 for 1 device(s).");
  expect(html).toContain(", times in UTC−7 (Etc/GMT+7)</p>");
  expect(html).not.toMatch(/\([^()<]*\([^()<]*\)\)/);
  expect(report.summary.join("\n")).toContain("between 02:00 and 04:00 UTC−7 (Etc/GMT+7)");
  expect(renderReportHtml([buildDeviceReport(quietSite(), { timeZone: "America/Denver" }, { triggers: [] })], Date.UTC(2026, 10, 26, 10, 38))).toContain("Generated 2026-11-26 03:38 MST for 1 device(s).");
});
