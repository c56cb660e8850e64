/**
 * Training streams its feature rows device by device; it must give what the whole feature
 * matrix gives (the way it worked when the matrix was held). Scoring: score-frame.test.ts.
 */
import { expect, test } from "bun:test";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { simulateHistory } from "../sim/history.ts";
import { computeFeatures } from "./features.ts";
import { IsolationForest } from "./iforest.ts";
import { trainLeakModel } from "./leak-model.ts";
import { matrixFromRows, matrixRows } from "./matrix-rows.ts";
import { modelToText, parseModelText } from "./model-file.ts";
import { StandardScaler } from "./scaler.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const frames: HistoryFrame[] = [0, 1].map((device) => simulateHistory({ seed: 5, device, startMs: T0, endMs: T0 + 2 * DAY }));
const options = { userLabel: "t", source: "simulated", nEstimators: 20, seed: 3, now: () => T0 };

test("with every row in the forest's pool, the streamed model is the one the whole feature matrix gives", () => {
  const { model } = trainLeakModel(frames, options);
  expect(model.training.forest_pool_rows).toBeUndefined();
  const blocks = frames.map((f) => computeFeatures(f, { timeZone: "UTC", featureNames: model.featureNames }));
  const X = matrixFromRows(blocks.flatMap((b) => matrixRows(b.matrix)), model.featureNames.length);
  expect(model.training.samples).toBe(X.rows);
  const scaler = StandardScaler.fit(X);
  const forest = IsolationForest.fit(scaler.transform(X), { nEstimators: 20, contamination: "auto", seed: 3 });
  const { offset, contamination } = model.forest;
  const reference = parseModelText(modelToText({ ...model, scaler, forest: IsolationForest.fromJSON({ ...forest.toJSON(), offset, contamination }) }), "(reference)");
  expect(reference.scaler.toJSON()).toEqual(model.scaler.toJSON());
  expect(reference.forest.toJSON()).toEqual(model.forest.toJSON());
});

test("past the pool's size the forest grows from a sample, says so in the model, and is still deterministic", () => {
  const a = trainLeakModel(frames, { ...options, forestPoolRows: 1000 });
  const b = trainLeakModel(frames, { ...options, forestPoolRows: 1000 });
  expect(a.model.training.forest_pool_rows).toBe(1000);
  expect(a.text).toBe(b.text);
  // The scaler, offset and alarm still see every row.
  const full = trainLeakModel(frames, options);
  expect(a.summary.samples).toBe(full.summary.samples);
  expect(a.model.scaler.toJSON()).toEqual(full.model.scaler.toJSON());
  expect(a.summary.anomalyRate).toBeCloseTo(0.05, 2);
});
