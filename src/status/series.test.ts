import { expect, test } from "bun:test";
import { bucketSeries } from "./series.ts";
import { sparkline } from "./sparkline.ts";

test("bucketSeries: means, maxima and rates per bucket; an empty bucket is NaN", () => {
  const ts = [10, 20, 30, 60, 70];
  const v = [1, 3, 5, Number.NaN, 9];
  expect(bucketSeries(ts, v, 0, 120_000, "mean", 2).map((p) => p.v)).toEqual([(1 + 3 + 5 + 9) / 4, Number.NaN]);
  expect(bucketSeries(ts, v, 0, 80, "max", 2).map((p) => p.v)).toEqual([5, 9]);
  // 18 gallons in a one-minute bucket is 18 gal/min.
  expect(bucketSeries([30_000, 40_000], [10, 8], 0, 60_000, "rate", 1)).toEqual([{ t: 60_000, v: 18 }]);
});

test("sparkline breaks its line at a gap and says when there is no data", () => {
  const svg = sparkline([{ t: 1, v: 1 }, { t: 2, v: Number.NaN }, { t: 3, v: 3 }], { label: "Pressure", unit: "psi" });
  expect(svg.match(/M/g)).toHaveLength(2);
  expect(svg).toContain("now 3.0 psi");
  expect(sparkline([{ t: 1, v: Number.NaN }], { label: "Flow", unit: "gal/min" })).toContain("no data yet");
});
