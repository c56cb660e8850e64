import { expect, test } from "bun:test";
import { Matrix } from "ml-matrix";
import { IsolationForest } from "./iforest.ts";
import { asMatrix, contiguousData, matrixFromRows, matrixOfRowMajor, matrixRows, rowMajorData, toFiniteMatrix } from "./matrix-rows.ts";
import { StandardScaler } from "./scaler.ts";
import { computeFeatures } from "./features.ts";
import { simulateHistory } from "../sim/history.ts";

test("ml-matrix keeps one Float64Array per row: matrixRows reads them in place", () => {
  const m = new Matrix([[1, 2], [3, 4]]);
  const rows = matrixRows(m);
  expect(rows.every((r) => r instanceof Float64Array)).toBe(true);
  rows[1]![0] = 30;
  expect(m.get(1, 0)).toBe(30);
});

test("a row-major block becomes a Matrix over the same memory, its buffer read back without a copy", () => {
  const data = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const m = matrixOfRowMajor({ data, rows: 3, cols: 2 });
  expect(m.to2DArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
  data[5] = 60;
  expect(m.get(2, 1)).toBe(60);
  expect(rowMajorData(m).buffer).toBe(data.buffer);
  expect(asMatrix(m, "x")).toBe(m);
});

test("rows gathered from several blocks are shared, not copied; a replaced row is not misread as the old buffer", () => {
  const a = matrixOfRowMajor({ data: Float64Array.from([1, 2]), rows: 1, cols: 2 });
  const b = matrixOfRowMajor({ data: Float64Array.from([3, 4]), rows: 1, cols: 2 });
  const joined = matrixFromRows([...matrixRows(a), ...matrixRows(b)], 2);
  expect(matrixRows(joined)[1]).toBe(matrixRows(b)[0]);
  expect(contiguousData(joined)).toBeUndefined();
  expect(Array.from(rowMajorData(joined))).toEqual([1, 2, 3, 4]);
  const m = matrixOfRowMajor({ data: Float64Array.from([1, 2, 3, 4]), rows: 2, cols: 2 });
  m.removeRow(0);
  expect(contiguousData(m)).toBeUndefined();
  expect(Array.from(rowMajorData(m))).toEqual([3, 4]);
});

test("the scaler writes a Matrix over one buffer, or into the matrix it is given", () => {
  const X = new Matrix([[1, 10], [3, 30]]);
  const scaler = StandardScaler.fit(X);
  const Z = scaler.transform(X);
  expect(Z.to2DArray()).toEqual([[-1, -1], [1, 1]]);
  expect(contiguousData(Z)).toBeDefined();
  expect(scaler.transform(X, X)).toBe(X);
  expect(X.to2DArray()).toEqual([[-1, -1], [1, 1]]);
});

test("the forest scores a native Matrix, a block Matrix and gathered rows alike; a NaN is named by row and column", () => {
  const values = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(3 * i), i % 7]);
  const native = new Matrix(values);
  const block = matrixOfRowMajor({ data: Float64Array.from(values.flat()), rows: 64, cols: 3 });
  const gathered = matrixFromRows(values.map((r) => Float64Array.from(r)), 3);
  const forest = IsolationForest.fit(native, { seed: 3, nEstimators: 20 });
  const expected = Array.from(forest.scoreSamples(native));
  expect(Array.from(forest.scoreSamples(block))).toEqual(expected);
  expect(Array.from(forest.scoreSamples(gathered))).toEqual(expected);
  expect(IsolationForest.fit(gathered, { seed: 3, nEstimators: 20 }).toJSON()).toEqual(forest.toJSON());
  matrixRows(gathered)[5]![2] = Number.NaN;
  expect(() => toFiniteMatrix(gathered, "scoring data")).toThrow("scoring data: row 5, column 2 is NaN; only finite numbers are allowed");
});

test("the feature engine hands its rows to the scaler and the forest as a Matrix over the memory it wrote", () => {
  const start = Date.UTC(2026, 4, 4);
  const f = computeFeatures(simulateHistory({ seed: 42, device: 0, startMs: start, endMs: start + 30 * 3_600_000 }));
  expect(f.rows).toBeGreaterThan(100);
  expect([f.matrix.rows, f.matrix.columns]).toEqual([f.rows, f.cols]);
  expect(rowMajorData(f.matrix).buffer).toBe(f.data.buffer);
  expect(f.matrix.get(7, 3)).toBe(f.data[7 * f.cols + 3]!);
});
