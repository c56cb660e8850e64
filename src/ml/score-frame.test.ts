/** Scoring goes a block at a time; it must give what the whole feature matrix gives. */
import { expect, test } from "bun:test";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { simulateHistory } from "../sim/history.ts";
import { computeFeatures } from "./features.ts";
import { trainLeakModel } from "./leak-model.ts";
import { scoreFrames } from "./score-frame.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const frames: HistoryFrame[] = [0, 1].map((device) => simulateHistory({ seed: 5, device, startMs: T0, endMs: T0 + 2 * DAY }));

test("scoring a block at a time gives the whole matrix's decision for every row", () => {
  const { model } = trainLeakModel(frames, { userLabel: "t", source: "simulated", nEstimators: 20, seed: 3, now: () => T0 });
  for (const frame of frames) {
    const rows = scoreFrames(model, [frame], { topFeatures: 0 });
    const f = computeFeatures(frame, { timeZone: "UTC", featureNames: model.featureNames });
    expect(rows.map((r) => r.ts)).toEqual(Array.from(f.ts));
    expect(rows.map((r) => r.decision)).toEqual(Array.from(model.forest.decisionFunction(model.scaler.transform(f.matrix))));
  }
});
