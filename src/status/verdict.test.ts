import { expect, test } from "bun:test";
import { judge, judgeWithEvent } from "./verdict.ts";

test.each([
  [[], undefined, "fine", []],
  [["unusual_daily_use"], undefined, "watch", []],
  [[], { probability: 30, isAnomaly: false, rules: [] }, "watch", []],
  [[], { probability: 10, isAnomaly: false, rules: [] }, "fine", []],
  [["continuous_flow"], undefined, "leak", ["leak"]],
  [[], { probability: 88, isAnomaly: true, rules: [] }, "leak", ["leak"]],
  [["dry_run"], { probability: 90, isAnomaly: true, rules: ["dry_run"] }, "pump", ["pump"]],
  [["short_cycling", "night_flow"], undefined, "pump", ["leak", "pump"]],
] as const)("rules %p, model %p → %p", (rules, model, level, alarms) => {
  const j = judge(rules, model);
  expect(j.level).toBe(level);
  expect([...j.alarms].sort()).toEqual([...alarms]);
});

const H = 3_600_000;
const at = (kind: "expected" | "away" | "maintenance" | "leak") => ({ id: `${kind}-1`, device_id: "d", kind, start: 0, end: H });

test.each([
  ["expected silences a leak rule: watch, no alarm", ["continuous_flow"], undefined, at("expected"), "watch", [], "silencedBy"],
  ["maintenance silences a pump fault too", ["dry_run"], undefined, at("maintenance"), "watch", [], "silencedBy"],
  ["away: a baseline rule alone raises the leak alarm", ["unusual_daily_use"], undefined, at("away"), "leak", ["leak"], "sharpenedBy"],
  ["away: a 22 % probability raises it", [], { probability: 22, isAnomaly: false, rules: [] }, at("away"), "leak", ["leak"], "sharpenedBy"],
  ["away with nothing drawing: fine", [], { probability: 5, isAnomaly: false, rules: [] }, at("away"), "fine", [], undefined],
  ["a confirmed leak changes nothing", ["continuous_flow"], undefined, at("leak"), "leak", ["leak"], undefined],
  ["expected over a quiet device changes nothing", [], undefined, at("expected"), "fine", [], undefined],
  ["the model's own silence is named", [], { probability: 49.99, isAnomaly: false, rules: [], silencedBy: { id: "pool", kind: "expected" as const } }, undefined, "watch", [], "silencedBy"],
] as const)("%s", (_name, rules, model, event, level, alarms, mark) => {
  const j = judgeWithEvent(rules, model, event);
  expect(j.level).toBe(level);
  expect([...j.alarms]).toEqual([...alarms]);
  expect(j.silencedBy !== undefined).toBe(mark === "silencedBy");
  expect(j.sharpenedBy !== undefined).toBe(mark === "sharpenedBy");
});
