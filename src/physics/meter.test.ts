import { expect, test } from "bun:test";
import { Meter } from "./meter.ts";

test("jitter is not drawn twice; a replaced meter's reading is what it counted", () => {
  const m = new Meter();
  expect(m.add(500)).toBeNaN();
  expect(m.add(502)).toBe(2);
  expect(m.add(501.5)).toBe(0); // within the tolerance: jitter
  expect(m.add(503)).toBe(1); // only beyond the highest reading
  expect(m.add(3)).toBe(3); // a new meter
  expect(m.replaced).toBe(true);
  expect(m.add(4)).toBe(1);
  expect(m.replaced).toBe(false);
});
