import { expect, test } from "bun:test";
import { Lookback } from "./lookback.ts";
import { WindowSet } from "./window-set.ts";

const MIN = 60_000;

test("a look-back finds the newest sample at or before a time, else the oldest", () => {
  const set = new WindowSet([60 * MIN]);
  const back = new Lookback(set);
  back.reset();
  for (const t of [0, 60_000, 150_000, 180_000]) set.push(t, t / 1000);
  expect(set.tsAt(back.at(-1))).toBe(0);
  expect(set.tsAt(back.at(120_000))).toBe(60_000);
  expect(set.tsAt(back.at(150_000))).toBe(150_000);
  const ref = new Lookback(set);
  ref.reset();
  ref.index = set.head;
  expect(set.tsAt(ref.firstFrom(61_000))).toBe(150_000);
  expect(set.tsAt(ref.firstFrom(999_999))).toBe(180_000);
});
