import { expect, test } from "bun:test";
import type { DeviceVerdict } from "../status/source.ts";
import type { AlarmKind } from "../status/verdict.ts";
import { EpisodeTracker } from "./episodes.ts";

const MIN = 60_000;
const v = (readingAt: number, ...alarms: AlarmKind[]): DeviceVerdict => ({
  id: "d1", name: "Well", customer: "Dan", userLabel: "dan", level: alarms.includes("pump") ? "pump" : alarms.length ? "leak" : "fine",
  alarms: new Set(alarms), leakProbability: Number.NaN, readingAt,
});

test("one start, one end after the quiet time, however the verdict wavers in between", () => {
  const t = new EpisodeTracker(30 * MIN);
  const events: string[] = [];
  const polls = [v(0), v(10 * MIN, "leak"), v(20 * MIN), v(30 * MIN, "leak"), v(40 * MIN, "leak"), v(50 * MIN), v(70 * MIN), v(80 * MIN), v(90 * MIN)];
  for (const p of polls) for (const e of t.update([p])) events.push(`${e.event} ${e.alarm} @${e.atMs / MIN}`);
  expect(events).toEqual(["started leak @10", "ended leak @50"]);
});

test("leak and pump alarms have their own episodes; a device that disappears ends silently", () => {
  const t = new EpisodeTracker(0);
  expect(t.update([v(0, "leak")]).map((e) => `${e.event} ${e.alarm}`)).toEqual(["started leak"]);
  expect(t.update([v(1, "leak", "pump")]).map((e) => `${e.event} ${e.alarm}`)).toEqual(["started pump"]);
  expect(t.update([v(2, "pump")]).map((e) => `${e.event} ${e.alarm}`)).toEqual(["ended leak"]);
  expect(t.update([])).toEqual([]);
  expect(t.update([v(3, "pump")]).map((e) => `${e.event} ${e.alarm}`)).toEqual(["started pump"]);
});
