import { expect, test } from "bun:test";
import { TimeWindowMean } from "./time-window-mean.ts";

const MIN = 60_000;

test("time-window mean weighs rows by the time they stand for and needs coverage", () => {
  const m = new TimeWindowMean(10);
  expect(m.push(0, 1, 0.5)).toBeNaN(); // 1 minute of 10 covered
  for (let i = 1; i < 5; i++) m.push(i * MIN, 1, 0.5);
  expect(m.push(5 * MIN, 1, 0.5)).toBe(1);
  // one 5-minute step at value 0: half the window
  expect(m.push(10 * MIN, 0, 0.5)).toBe(0.5); // rows 1..5 (one minute of 1 each) and the new row's 5 minutes of 0; row 0 has left the window
});
