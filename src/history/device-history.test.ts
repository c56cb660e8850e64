import { expect, test } from "bun:test";
import { chunksToFrame } from "./device-history.ts";

test("per-key chunks join on the union of their timestamps, NaN where a key has no point", () => {
  const frame = chunksToFrame(
    { deviceId: "d", deviceName: "n", userLabel: "u" },
    new Map([
      ["S1", { ts: Float64Array.from([0, 60_000, 120_000]), values: Float64Array.from([50, 51, 52]) }],
      ["P1C1", { ts: Float64Array.from([60_000, 180_000]), values: Float64Array.from([7, 0]) }],
    ]),
  );
  expect(Array.from(frame.ts)).toEqual([0, 60_000, 120_000, 180_000]);
  expect(Array.from(frame.columns.S1)).toEqual([50, 51, 52, Number.NaN]);
  expect(Array.from(frame.columns.P1C1)).toEqual([Number.NaN, 7, Number.NaN, 0]);
});
