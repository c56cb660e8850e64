import { expect, test } from "bun:test";
import { WindowExtreme } from "./window-extreme.ts";

test("each window's maximum and minimum follow its start; a later larger value evicts older ones", () => {
  const values = [5, 3, 4, 1, 2, 9, 0];
  const max = new WindowExtreme(2, 1);
  const min = new WindowExtreme(2, -1);
  values.forEach((v, i) => {
    max.push(i, v);
    min.push(i, v);
  });
  // Window 0 holds samples 4.., window 1 holds 1..
  for (const e of [max, min]) {
    e.advance(0, 4);
    e.advance(1, 1);
  }
  expect([values[max.at(0)], values[min.at(0)]]).toEqual([9, 0]);
  expect([values[max.at(1)], values[min.at(1)]]).toEqual([9, 0]);
  values.push(7);
  max.push(7, 7);
  max.advance(0, 6);
  expect(values[max.at(0)]).toBe(7);
  expect(values[max.at(1)]).toBe(9);
});

test("equal values keep the newest, so a window that moves past it still has one", () => {
  const values = [2, 2, 2];
  const max = new WindowExtreme(1, 1);
  values.forEach((v, i) => max.push(i, v));
  max.advance(0, 2);
  expect(max.at(0)).toBe(2);
});

test("after clear a new sample is every window's extreme", () => {
  const values = [10, 1];
  const min = new WindowExtreme(2, -1);
  min.push(0, 10);
  min.clear();
  min.push(1, 1);
  expect([min.at(0), min.at(1)]).toEqual([1, 1]);
});

test("a stack deeper than its first store grows and keeps every entry: a falling day's maxima", () => {
  const max = new WindowExtreme(2, 1);
  const n = 1_000;
  for (let i = 0; i < n; i++) max.push(i, n - i); // every sample stays on the stack
  for (let start = 0; start < n; start += 37) {
    max.advance(0, start);
    expect([max.at(0), max.value(0)]).toEqual([start, n - start]);
  }
  max.advance(1, 0);
  expect(max.value(1)).toBe(n);
});
