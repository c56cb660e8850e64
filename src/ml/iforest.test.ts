import { expect, test } from "bun:test";
import { Matrix } from "ml-matrix";
import { NightowlError } from "../errors.ts";
import { IsolationForest, percentile, type RowMajor } from "./iforest.ts";
import { averagePathLength } from "./path-length.ts";
import { Random } from "./random.ts";

/** n rows of `cols` standard normal values (Box–Muller), reproducible from `seed`. */
function gaussian(n: number, cols: number, seed: number): RowMajor {
  const r = new Random(seed);
  const data = new Float64Array(n * cols);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.sqrt(-2 * Math.log(1 - r.uniform())) * Math.cos(2 * Math.PI * r.uniform());
  }
  return { data, rows: n, cols };
}

function errorOf(fn: () => unknown): NightowlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof NightowlError) return error;
    throw error;
  }
  throw new Error("expected a NightowlError");
}

// scikit-learn's test_iforest_works: six points in two clusters and two obvious outliers.
const TOY = [[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1], [6, 3], [-4, 7]];

test.each([0.25, "auto"] as const)("toy set, contamination %p: the two outliers score lowest and are the ones predicted", (contamination) => {
  for (const seed of [0, 1, 2, 3, 4]) {
    const forest = IsolationForest.fit(TOY, { contamination, seed });
    const decision = forest.decisionFunction(TOY);
    expect(Math.min(...decision.slice(0, 6))).toBeGreaterThan(Math.max(...decision.slice(6)));
    expect(Array.from(forest.predict(TOY))).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
  }
});

test("planted outliers score above every inlier (scikit-learn's test_iforest_performance layout)", () => {
  // Two tight clusters at (2, 2) and (−2, −2), σ = 0.3; outliers at least 6σ from both.
  const noise = gaussian(1000, 2, 11);
  const outliers = [[0, 0], [4, -4], [-4, 4], [4, 4], [-4, -4], [0, 4], [4, 0], [-4, 0], [0, -4], [-1, 1]];
  const rows = Array.from({ length: 1000 }, (_, i) => {
    const centre = i % 2 ? 2 : -2;
    return [centre + 0.3 * noise.data[2 * i], centre + 0.3 * noise.data[2 * i + 1]];
  }).concat(outliers);
  for (const seed of [0, 1, 2]) {
    const scores = IsolationForest.fit(rows, { seed }).anomalyScores(rows);
    const maxInlier = Math.max(...scores.slice(0, 1000));
    for (let k = 1000; k < rows.length; k++) expect(scores[k]).toBeGreaterThan(maxInlier);
  }
});

test("same seed gives a byte-identical model, another seed a different one", () => {
  const X = gaussian(600, 4, 1);
  const a = JSON.stringify(IsolationForest.fit(X, { seed: 9, contamination: 0.1 }));
  const b = JSON.stringify(IsolationForest.fit(X, { seed: 9, contamination: 0.1 }));
  const c = JSON.stringify(IsolationForest.fit(X, { seed: 10, contamination: 0.1 }));
  expect(a).toBe(b);
  expect(c).not.toBe(a);
});

test("ml-matrix Matrix, RowMajor and number[][] input give the same scores", () => {
  const X = gaussian(200, 3, 2);
  const rows = Array.from({ length: 200 }, (_, i) => Array.from(X.data.subarray(i * 3, i * 3 + 3)));
  const forest = IsolationForest.fit(new Matrix(rows), { seed: 1 });
  const expected = forest.scoreSamples(X);
  expect(forest.scoreSamples(rows)).toEqual(expected);
  expect(forest.scoreSamples(new Matrix(rows))).toEqual(expected);
  expect(JSON.stringify(IsolationForest.fit(X, { seed: 1 }))).toBe(JSON.stringify(forest));
});

test.each([0.05, 0.1, 0.3, "auto"] as const)("score_samples = decision_function + offset, contamination %p", (contamination) => {
  const X = gaussian(500, 2, 3);
  const forest = IsolationForest.fit(X, { contamination, seed: 2 });
  const score = forest.scoreSamples(X);
  const decision = forest.decisionFunction(X);
  const anomaly = forest.anomalyScores(X);
  for (let i = 0; i < X.rows; i++) {
    expect(score[i]).toBeCloseTo(decision[i] + forest.offset, 12);
    expect(score[i]).toBe(-anomaly[i]);
    expect(anomaly[i] > 0 && anomaly[i] <= 1).toBe(true);
  }
  if (contamination === "auto") expect(forest.offset).toBe(-0.5);
});

test.each([0.01, 0.05, 0.1, 0.25, 0.5])("the offset flags a share of training rows equal to contamination %p", (contamination) => {
  const X = gaussian(2000, 3, 4);
  const forest = IsolationForest.fit(X, { contamination, seed: 3 });
  const flagged = forest.predict(X).reduce((sum, x) => sum + x, 0) / X.rows;
  expect(Math.abs(flagged - contamination)).toBeLessThanOrEqual(1 / X.rows + 1e-12);
  expect(forest.offset).toBe(percentile(forest.scoreSamples(X), 100 * contamination));
});

test("percentile interpolates linearly like numpy", () => {
  const values = Float64Array.from([4, 1, 3, 2]);
  expect(percentile(values, 0)).toBe(1);
  expect(percentile(values, 100)).toBe(4);
  expect(percentile(values, 50)).toBe(2.5);
  expect(percentile(values, 10)).toBeCloseTo(1.3, 12);
});

test("maxSamples: auto is min(256, rows); a larger count is clipped with a warning; depth limit ceil(log2 ψ)", () => {
  const small = IsolationForest.fit(gaussian(100, 2, 5), { nEstimators: 5 });
  expect(small.maxSamples).toBe(100);
  expect(small.maxDepth).toBe(7);
  expect(small.warnings).toEqual([]);
  const large = IsolationForest.fit(gaussian(1000, 2, 5), { nEstimators: 5 });
  expect(large.maxSamples).toBe(256);
  expect(large.maxDepth).toBe(8);
  const clipped = IsolationForest.fit(gaussian(100, 2, 5), { nEstimators: 5, maxSamples: 1000 });
  expect(clipped.maxSamples).toBe(100);
  expect(clipped.warnings[0]).toContain("maxSamples (1000) is greater than the number of training rows (100)");
  expect(IsolationForest.fit(gaussian(1000, 2, 5), { nEstimators: 5, maxSamples: 64 }).maxDepth).toBe(6);
});

test.each([
  { options: { nEstimators: 0 }, message: "nEstimators = 0 is not allowed; expected an integer ≥ 1" },
  { options: { nEstimators: 2.5 }, message: "nEstimators = 2.5" },
  { options: { maxSamples: 0 }, message: 'maxSamples = 0 is not allowed; expected "auto" or an integer ≥ 1' },
  { options: { maxSamples: "all" }, message: 'maxSamples = "all"' },
  { options: { contamination: 0 }, message: 'contamination = 0 is not allowed; expected "auto" or a number in (0, 0.5]' },
  { options: { contamination: 0.6 }, message: "contamination = 0.6" },
  { options: { contamination: Number.NaN }, message: "contamination = NaN" },
  { options: { seed: 1.5 }, message: "seed = 1.5 is not allowed; expected a safe integer" },
  { options: { nTrees: 10 }, message: 'unknown option "nTrees"' },
])("rejects options: $message", ({ options, message }) => {
  const error = errorOf(() => IsolationForest.fit(TOY, options as never));
  expect(error.code).toBe("E_CONFIG");
  expect(error.message).toContain(message);
});

test("a NaN or infinite value is rejected naming its row and column", () => {
  const X = gaussian(10, 3, 6);
  X.data[3 * 3 + 1] = Number.NaN;
  const error = errorOf(() => IsolationForest.fit(X));
  expect(error.code).toBe("E_DATA");
  expect(error.message).toBe("training data: row 3, column 1 is NaN; only finite numbers are allowed");
  const forest = IsolationForest.fit(TOY);
  expect(errorOf(() => forest.scoreSamples([[0, Infinity]])).message).toContain("row 0, column 1 is Infinity");
  expect(errorOf(() => forest.scoreSamples([[0, 1, 2]])).message).toContain("3 columns; the forest was trained on 2 features");
  expect(errorOf(() => IsolationForest.fit([])).message).toContain("0 rows");
  expect(errorOf(() => IsolationForest.fit([[1, 2], [3]])).message).toContain("row 1 has 1 values");
});

test("constant columns are never split on; an all-constant matrix gives every row the score 0.5", () => {
  const X = gaussian(300, 3, 7);
  for (let i = 0; i < X.rows; i++) X.data[i * 3 + 1] = 42;
  const forest = IsolationForest.fit(X, { seed: 4 });
  expect(forest.toJSON().trees.every((tree) => !tree.feature.includes(1))).toBe(true);
  expect(forest.contributions([0, 42, 0])[1]).toBe(0);

  const flat = IsolationForest.fit(Array.from({ length: 50 }, () => [1, 2, 3]));
  expect(flat.toJSON().trees.every((tree) => tree.feature.length === 1)).toBe(true);
  for (const score of flat.anomalyScores([[1, 2, 3], [9, 9, 9]])) expect(score).toBeCloseTo(0.5, 12);
});

test("a single training row: ψ = 1, every score 0.5, nothing flagged (as scikit-learn)", () => {
  const forest = IsolationForest.fit([[1, 2]], { contamination: 0.1 });
  expect(forest.maxSamples).toBe(1);
  expect(Array.from(forest.anomalyScores([[1, 2], [100, -100]]))).toEqual([0.5, 0.5]);
  expect(Array.from(forest.predict([[1, 2]]))).toEqual([0]);
});

test("a hand-built one-split tree scores 2^(−h/c(ψ)) with h = depth + c(leaf size)", () => {
  // Root splits feature 0 at 0.5; children stored right-then-left, which loading renumbers.
  const json = {
    format: "isolation-forest",
    version: 1,
    nFeatures: 1,
    maxSamples: 4,
    maxDepth: 2,
    contamination: "auto",
    seed: 0,
    offset: -0.5,
    trees: [{ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [2, -1, -1], right: [1, -1, -1], nodeSize: [4, 3, 1] }],
  };
  const forest = IsolationForest.fromJSON(json);
  const c4 = averagePathLength(4); // 13/6
  const scores = forest.anomalyScores([[0], [1]]);
  expect(scores[0]).toBeCloseTo(2 ** (-1 / c4), 14); // left leaf: 1 sample, h = 1 + c(1) = 1
  expect(scores[1]).toBeCloseTo(2 ** (-(1 + 5 / 3) / c4), 14); // right leaf: 3 samples, h = 1 + c(3)
  expect(forest.toJSON().trees[0]).toEqual({ feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], nodeSize: [4, 1, 3] });
});

test("contributions: sum to 1, are deterministic, and single out the feature a row is extreme in", () => {
  const X = gaussian(1000, 4, 8);
  const forest = IsolationForest.fit(X, { seed: 6 });
  for (const f of [0, 1, 2, 3]) {
    const row = [0, 0, 0, 0];
    row[f] = 7;
    const c = forest.contributions(row);
    expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(c.indexOf(Math.max(...c))).toBe(f);
    expect(forest.contributions(Float64Array.from(row))).toEqual(c);
  }
  expect(errorOf(() => forest.contributions([1, 2])).message).toContain("the row has 2 values; the forest was trained on 4 features");
});
