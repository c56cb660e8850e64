import { expect, test } from "bun:test";
import { garbageBound } from "./bound-garbage.ts";

const MB = 1 << 20;

/** A bound over a fake process of `startMb`, an eighth's step of 64 MB at least; `collect` may change its size. */
function fakeProcess(startMb: number, collect: (rss: number) => number = (rss) => rss) {
  const state = { rss: startMb * MB, collections: 0 };
  const bound = garbageBound({
    minGrowthBytes: 64 * MB,
    growthFraction: 1 / 8,
    rss: () => state.rss,
    collect: () => {
      state.collections++;
      state.rss = collect(state.rss);
    },
  });
  return { state, bound };
}

test("collects once the process has grown by the step since the last collection, and measures the next step from after it", () => {
  const { state, bound } = fakeProcess(800, (rss) => rss - 150 * MB);
  // The step at 800 MB is 100 MB (an eighth, more than 64 MB).
  state.rss = 899 * MB;
  expect(bound()).toBe(false);
  state.rss = 900 * MB;
  expect(bound()).toBe(true);
  expect(state.collections).toBe(1);
  // 750 MB after it: the next step is at 750 + 93.75 MB.
  state.rss = 843 * MB;
  expect(bound()).toBe(false);
  state.rss = 844 * MB;
  expect(bound()).toBe(true);
  expect(state.collections).toBe(2);
});

test("a small process pays nothing until it has grown by the minimum step", () => {
  const { state, bound } = fakeProcess(90);
  state.rss = 153 * MB;
  expect(bound()).toBe(false);
  state.rss = 154 * MB;
  expect(bound()).toBe(true);
  expect(state.collections).toBe(1);
});

test("the step is measured from the smallest size seen: memory returned since the last collection lowers the base", () => {
  const { state, bound } = fakeProcess(800);
  state.rss = 640 * MB;
  expect(bound()).toBe(false);
  // 640 MB + 80 MB.
  state.rss = 720 * MB;
  expect(bound()).toBe(true);
  expect(state.collections).toBe(1);
});
