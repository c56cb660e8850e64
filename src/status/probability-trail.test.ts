import { expect, test } from "bun:test";
import { ProbabilityTrail, TRAIL_SLOT_MS } from "./probability-trail.ts";

const MIN = 60_000;

test("one entry per slot: the slot's highest probability at its newest point's time", () => {
  const trail = new ProbabilityTrail(60 * MIN);
  trail.push(0, 10);
  trail.push(1 * MIN, 30);
  trail.push(2 * MIN, 20);
  trail.push(TRAIL_SLOT_MS, 5);
  const { t, v } = trail.columns();
  expect([...t]).toEqual([2 * MIN, TRAIL_SLOT_MS]);
  expect([...v]).toEqual([30, 5]);
});

test("points older than the kept span go; a point not newer than the last is ignored", () => {
  const trail = new ProbabilityTrail(30 * MIN);
  for (let m = 0; m <= 120; m++) trail.push(m * MIN, m);
  trail.push(100 * MIN, 99);
  const { t, v } = trail.columns();
  expect(t[0]!).toBeGreaterThanOrEqual(90 * MIN);
  expect(t[t.length - 1]!).toBe(120 * MIN);
  expect(v[v.length - 1]!).toBe(120);
  expect(trail.length).toBe(t.length);
  // 30 minutes of 5-minute slots, plus the slot the span's start falls in.
  expect(trail.length).toBeLessThanOrEqual(30 * MIN / TRAIL_SLOT_MS + 1);
});

test("a week of one-minute points holds a bounded number of entries", () => {
  const trail = new ProbabilityTrail(48 * 60 * MIN);
  for (let m = 0; m < 7 * 24 * 60; m++) trail.push(m * MIN, m % 100);
  expect(trail.length).toBe(48 * 60 * MIN / TRAIL_SLOT_MS + 1);
});
