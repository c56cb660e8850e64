import { expect, test } from "bun:test";
import { card, eventLine } from "./card.ts";
import type { DeviceStatus } from "./source.ts";

const T = Date.UTC(2026, 6, 4, 16, 30); // 10:30 in Denver
const base: DeviceStatus = {
  id: "d1", name: "Well 1", customer: "Dan", userLabel: "dan", level: "watch", alarms: new Set(), leakProbability: 40, readingAt: T,
  reasons: [], pressurePsi: 50, tankPercent: Number.NaN, pumps: [], todayGallons: 300, lastNightMinGpm: 0,
  series: { pressure: [], leakProbability: [] }, fromMs: T - 1, toMs: T,
};

test("an event in force: what, until when in the sites' zone, and that it silenced the alarm", () => {
  const d: DeviceStatus = { ...base, event: { id: "pool", kind: "expected", note: "pool <fill>", startMs: T - 2 * 3_600_000, endMs: Date.UTC(2026, 6, 4, 22), active: true }, silencedBy: { id: "pool", kind: "expected" } };
  expect(eventLine(d, "America/Denver")).toBe('<p class="event" data-event="pool" data-effect="silenced">expected: pool &lt;fill&gt; until 16:00 — an alarm is silenced by this event</p>');
  expect(card(d, { timeZone: "America/Denver", spanLabel: "24 h" })).toContain('data-event="pool"');
});

test("away sharpening, an event ending another day, and the next event to come", () => {
  const away: DeviceStatus = { ...base, level: "leak", event: { id: "hol", kind: "away", startMs: T - 1, endMs: Date.UTC(2026, 6, 24, 6), active: true }, sharpenedBy: { id: "hol", kind: "away" } };
  expect(eventLine(away, "America/Denver")).toBe('<p class="event" data-event="hol" data-effect="sharpened">away until 2026-07-24 00:00 — nobody should be drawing water: alarm raised by this event</p>');
  const next: DeviceStatus = { ...base, event: { id: "m", kind: "maintenance", startMs: Date.UTC(2026, 6, 5, 14), endMs: Date.UTC(2026, 6, 5, 18), active: false } };
  expect(eventLine(next, "America/Denver")).toBe('<p class="event" data-event="m">Next: maintenance from 2026-07-05 08:00 until 12:00</p>');
  expect(eventLine(base, "UTC")).toBe("");
});

test("with the leak model off the card has no probability to show: no figure, no sparkline waiting for data", () => {
  const on = card(base, { timeZone: "UTC", spanLabel: "24 h" });
  expect(on).toContain("Leak probability");
  const off = card({ ...base, leakProbability: Number.NaN, series: { pressure: [] } }, { timeZone: "UTC", spanLabel: "24 h" });
  expect(off).not.toContain("Leak probability");
  expect(off).toContain("Pressure, last 24 h");
});
