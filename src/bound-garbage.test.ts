import { expect, test } from "bun:test";
import { garbageBound } from "./bound-garbage.ts";

const MB = 1 << 20;

test("collects once the process has grown by the step since the last collection, and measures the next step from after it", () => {
  let rss = 800 * MB;
  let collections = 0;
  const bound = garbageBound({ minGrowthBytes: 64 * MB, growthFraction: 1 / 8, rss: () => rss, collect: () => ((collections++), (rss -= 150 * MB)) });
  // The step at 800 MB is 100 MB (an eighth, more than 64 MB).
  rss = 899 * MB;
  expect(bound()).toBe(false);
  rss = 900 * MB;
  expect(bound()).toBe(true);
  expect(collections).toBe(1);
  // 750 MB after it: the next step is at 750 + 93.75 MB.
  rss = 843 * MB;
  expect(bound()).toBe(false);
  rss = 844 * MB;
  expect(bound()).toBe(true);
  expect(collections).toBe(2);
});

test("a small process pays nothing until it has grown by the minimum step", () => {
  let rss = 90 * MB;
  let collections = 0;
  const bound = garbageBound({ minGrowthBytes: 64 * MB, growthFraction: 1 / 8, rss: () => rss, collect: () => void collections++ });
  rss = 153 * MB;
  expect(bound()).toBe(false);
  rss = 154 * MB;
  expect(bound()).toBe(true);
  expect(collections).toBe(1);
});

test("the step is measured from the smallest size seen: memory returned since the last collection lowers the base", () => {
  let rss = 800 * MB;
  let collections = 0;
  const bound = garbageBound({ minGrowthBytes: 64 * MB, growthFraction: 1 / 8, rss: () => rss, collect: () => void collections++ });
  rss = 640 * MB;
  expect(bound()).toBe(false);
  // 640 MB + 80 MB.
  rss = 720 * MB;
  expect(bound()).toBe(true);
  expect(collections).toBe(1);
});
