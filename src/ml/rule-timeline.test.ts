import { expect, test } from "bun:test";
import type { Trigger } from "../analytics/trigger.ts";
import { firedAt, SUSTAINED_FLOW } from "./rule-timeline.ts";

const H = 3_600_000;
const t = (rule: string, startMs: number, endMs?: number): Trigger => ({ rule, deviceId: "d", startMs, endMs, message: "", severity: "warning" });

test.each([
  ["continuous flow counts 2 h after the flow began", t("continuous_flow", 0), 2 * H],
  ["a burst counts after its 15 minutes", t("burst", 0, H), 15 * 60_000],
  ["sustained flow after its 45 minutes", t(SUSTAINED_FLOW.rule, 0, H), 45 * 60_000],
  ["a night summary when its window closes", t("night_flow", 2 * H, 4 * H), 4 * H],
  ["short cycling after an hour of starts", t("short_cycling", 0, 3 * H), H],
])("%s", (_name, trigger, expected) => {
  expect(firedAt(trigger)).toBe(expected);
});
