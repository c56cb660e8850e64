import { expect, test } from "bun:test";
import { localClock } from "../analytics/local-time.ts";
import { simulateHistory } from "../sim/history.ts";
import { deviceSpec } from "../sim/site.ts";
import { replayRuleTimeline } from "./replay.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 10, 7); // midnight in Bozeman

test("a night's pump starts are one episode of night_pump_starts, not one per start: the rule pauses between starts", () => {
  // A leak drawing the tank down all night: the booster starts every 20–30 minutes, and the rule
  // stops firing 15 minutes after each start until the next one proves it again.
  const spec = deviceSpec(42, 0, 0);
  const leak = T0 + 30 * HOUR;
  const frame = simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: leak + 3 * 24 * HOUR, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leak, size: 0.8 }] });
  const zone = "America/Denver";
  const nights = replayRuleTimeline(frame, { timeZone: zone }).triggers.filter((t) => t.rule === "night_pump_starts");
  const dates = nights.map((t) => localClock(zone).dateLabel(t.startMs));
  expect(dates.length).toBeGreaterThanOrEqual(2);
  expect(new Set(dates).size).toBe(dates.length);
  // The episode runs to the night's last start and says how many there were by then.
  for (const t of nights) {
    expect(t.endMs! - t.startMs).toBeGreaterThan(HOUR);
    expect(t.message).toMatch(/started \d+ times in 5 of the quiet hours/);
  }
});
