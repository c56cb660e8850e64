import { expect, test } from "bun:test";
import { dropRepeatedRows, type RowBlock } from "./history-csv-duplicates.ts";

function block(rows: [number, ...number[]][]): RowBlock {
  const width = rows[0]!.length - 1;
  return {
    rows: rows.length,
    ts: Float64Array.from(rows, (r) => r[0]),
    lines: Float64Array.from(rows, (_, i) => i + 2),
    values: Float64Array.from(rows.flatMap((r) => r.slice(1))),
    keys: Array.from({ length: width }, (_, k) => `K${k}`),
  };
}

test.each([
  ["strictly increasing: untouched", [[1, 10], [2, 20], [3, 30]], [[1, 10], [2, 20], [3, 30]], { exact: 0, conflicting: 0 }],
  ["out of order without repeats: untouched (the merge sorts)", [[2, 20], [1, 10]], [[2, 20], [1, 10]], { exact: 0, conflicting: 0 }],
  ["an exact copy is dropped", [[1, 10], [1, 10], [2, 20]], [[1, 10], [2, 20]], { exact: 1, conflicting: 0 }],
  ["empty cells match empty cells", [[1, NaN], [1, NaN]], [[1, NaN]], { exact: 1, conflicting: 0 }],
  ["an empty cell does not match a value", [[1, 10], [1, NaN]], [[1, NaN]], { exact: 0, conflicting: 1, firstConflictLine: 3 }],
  ["a conflict keeps the last row, even out of order", [[1, 10], [2, 20], [1, 11]], [[1, 11], [2, 20]], { exact: 0, conflicting: 1, firstConflictLine: 4 }],
  ["three of a kind: a copy then a conflict", [[5, 1], [5, 1], [5, 2]], [[5, 2]], { exact: 1, conflicting: 1, firstConflictLine: 4 }],
] as const)("%s", (_name, rows, expected, count) => {
  const b = block(rows as unknown as [number, ...number[]][]);
  expect(dropRepeatedRows(b)).toEqual(count);
  const got = Array.from({ length: b.rows }, (_, r) => [b.ts[r], ...b.values.subarray(r * b.keys.length, (r + 1) * b.keys.length)]);
  expect(got).toEqual(expected.map((r) => [...r]));
});
