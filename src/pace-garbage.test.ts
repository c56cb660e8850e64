import { expect, test } from "bun:test";
import { garbagePacer } from "./pace-garbage.ts";

test("a collection is asked for at most once per interval, however often the pass calls", () => {
  let t = 1000;
  let collections = 0;
  const pace = garbagePacer({ everyMs: 50, now: () => t, collect: () => void collections++ });
  for (let i = 0; i < 10; i++, t += 4) pace();
  // 36 ms after the pacer was made: none yet.
  expect(collections).toBe(0);
  for (let i = 0; i < 10; i++, t += 4) pace();
  // 76 ms: one, at 52 ms; the next is due at 102 ms.
  expect(collections).toBe(1);
  t = 1102;
  pace();
  pace();
  expect(collections).toBe(2);
});

