import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IsolationForest } from "../src/ml/iforest.ts";
import { loadDataset, rocAuc } from "./iforest.ts";

test("rocAuc: scikit-learn's documented example and tied scores", () => {
  expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5); // all tied: chance
  expect(rocAuc([0, 1, 1, 2], [0, 0, 1, 1])).toBe(0.875); // one tied pair counts ½
  expect(rocAuc([3, 2, 1], [1, 1, 0])).toBe(1);
  expect(rocAuc([1, 2], [1, 1])).toBeNaN();
});

test("loadDataset reads a quoted header, numeric columns and the label", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "iforest-bench-"));
  const file = path.join(dir, "tiny.csv");
  writeFileSync(file, '"a","b","label"\n1,2,0\n3.5,-4,1\n');
  const d = await loadDataset(file);
  expect(d.X.to2DArray()).toEqual([[1, 2], [3.5, -4]]);
  expect(Array.from(d.labels)).toEqual([0, 1]);
  writeFileSync(file, '"a","b","label"\n1,x,0\n');
  await expect(loadDataset(file)).rejects.toThrow('tiny.csv:2: column b is "x", not a number');
  rmSync(dir, { recursive: true });
});

const breastw = path.resolve(import.meta.dir, "..", "..", "shared", "datasets", "breastw.csv");
const hasBreastw = existsSync(breastw);
if (!hasBreastw) console.warn("skip: breastw.csv not found beside the repository (../shared/datasets)");
test.skipIf(!hasBreastw)("breastw: AUC over five seeds within 0.01 of scikit-learn's 0.988 (datasets README)", async () => {
  const d = await loadDataset(breastw);
  let sum = 0;
  for (let seed = 0; seed < 5; seed++) {
    const scores = IsolationForest.fit(d.X, { seed }).scoreSamples(d.X);
    sum += rocAuc(scores.map((s) => -s), d.labels);
  }
  expect(Math.abs(sum / 5 - 0.988)).toBeLessThan(0.01);
});
