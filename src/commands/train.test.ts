import { expect, test } from "bun:test";
import type { TrainSummary } from "../ml/leak-model.ts";
import { formatSummary } from "./train.ts";

const summary: TrainSummary = {
  samples: 60_300, features: 47, devices: 3, startMs: Date.UTC(2026, 10, 12, 5, 57), endMs: Date.UTC(2026, 10, 26, 4, 56),
  anomalyRate: 0.05, alarmRate: 0, confidence: "high", durationMs: 2630,
};

test("the time range is told on the sites' clock with the zone's name, as the status page and report tell times", () => {
  const lines = formatSummary("models/users/me/leak_detector.json", "me", summary, "America/Denver").split("\n");
  expect(lines).toContain("  time range:      2026-11-11 22:57 MST .. 2026-11-25 21:56 MST (14.0 days)");
  expect(lines).toContain("  time zone:       America/Denver (nights and weekdays; the model keeps it)");
});

test("without a zone the range is in UTC, and says so", () => {
  expect(formatSummary("m.json", "me", summary)).toContain("  time range:      2026-11-12 05:57 UTC .. 2026-11-26 04:56 UTC (14.0 days)");
});
