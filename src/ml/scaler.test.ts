import { expect, test } from "bun:test";
import { Matrix } from "ml-matrix";
import { StandardScaler } from "./scaler.ts";

const X = { data: Float64Array.from([1, 5, 2, 5, 3, 5, 4, 5]), rows: 4, cols: 2 };

test("mean and population std per column; a constant column gets std 1", () => {
  const s = StandardScaler.fit(X);
  expect(Array.from(s.mean)).toEqual([2.5, 5]);
  expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
  expect(s.std[1]).toBe(1);
});

test("transform standardises; NaN becomes 0; matches ml-matrix's own statistics", () => {
  const s = StandardScaler.fit(X);
  const t = s.transform(X);
  expect(t.get(0, 0)).toBeCloseTo(-1.5 / Math.sqrt(1.25), 12);
  expect(t.get(0, 1)).toBe(0);
  expect(Array.from(s.transformRow([Number.NaN, 6]))).toEqual([0, 1]);
  const m = new Matrix([[1, 5], [2, 5], [3, 5], [4, 5]]);
  const fromMatrix = StandardScaler.fit(m);
  expect(fromMatrix.mean[0]).toBeCloseTo(m.mean("column")[0]!, 12);
  expect(fromMatrix.std[0]).toBeCloseTo(m.standardDeviation("column", { unbiased: false })[0]!, 12);
});

test("NaN cells are skipped when fitting", () => {
  const s = StandardScaler.fit({ data: Float64Array.from([1, Number.NaN, 3]), rows: 3, cols: 1 });
  expect(s.mean[0]).toBe(2);
  expect(s.std[0]).toBe(1);
});

test("JSON round trip; mismatched lengths are rejected", () => {
  const s = StandardScaler.fit(X);
  const back = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  expect(Array.from(back.std)).toEqual(Array.from(s.std));
  expect(() => StandardScaler.fromJSON({ mean: [1, 2], std: [1] })).toThrow("mean has 2 columns but std has 1");
  expect(() => StandardScaler.fromJSON({ mean: [1], std: [0] })).toThrow("positive standard deviation");
  expect(() => s.transformRow([1])).toThrow("fitted on 2 columns, got 1");
});
