import { expect, test } from "bun:test";
import type { LeakModel } from "../ml/model-file.ts";
import { noVerdictReason } from "./no-verdicts.ts";

const MIN = 60_000;
const model = { featureOptions: { warmupMs: 60 * MIN, maxCarryForwardMs: 10 * MIN } } as unknown as LeakModel;
const every = (minutes: number, count: number) => ({ ts: Array.from({ length: count }, (_, i) => i * minutes * MIN) });

test.each([
  ["no readings", { ts: [] }, "no readings in the history"],
  ["50 minutes of readings", every(1, 50), "its 50 reading(s) span 49 min; the model's first verdict comes after 1 h of readings (and its longest feature windows take 24 h to fill): give more history"],
  ["a day, 15 minutes apart", every(15, 97), "its 97 reading(s) span 24 h, but at none of them had every signal the model needs a reading within the 10 min before it"],
])("%s", (_, frame, reason) => {
  expect(noVerdictReason(model, frame)).toBe(reason);
});
