import { expect, test } from "bun:test";
import { judge } from "./verdict.ts";

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
