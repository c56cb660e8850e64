import { describe, expect, test } from "bun:test";
import { forEachSliced, mapSliced, slicer, yieldToServer } from "./yield-to-server.ts";

describe("slicer", () => {
  test("yields only once a slice of work is spent, then starts a new slice", async () => {
    let clock = 0;
    let pauses = 0;
    const next = slicer(5, () => clock, async () => {
      pauses++;
    });
    expect(next()).toBeUndefined();
    clock = 4.9;
    expect(next()).toBeUndefined();
    clock = 5;
    await next();
    expect(pauses).toBe(1);
    // The new slice is counted from the end of the pause.
    clock = 9;
    expect(next()).toBeUndefined();
    clock = 10;
    await next();
    expect(pauses).toBe(2);
  });

  test("lets a pending timer and I/O callback run when it yields", async () => {
    let clock = 0;
    const next = slicer(1, () => clock);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    clock = 2;
    await next();
    expect(ran).toBe(true);
  });
});

test("yieldToServer resolves after pending immediates", async () => {
  const order: string[] = [];
  setImmediate(() => order.push("immediate"));
  await yieldToServer();
  order.push("after");
  expect(order).toEqual(["immediate", "after"]);
});

describe("mapSliced", () => {
  test("maps every item in order and pauses whenever a slice is spent", async () => {
    let clock = 0;
    const seen: string[] = [];
    const pause = slicer(5, () => clock, async () => void seen.push("pause"));
    const out = await mapSliced([1, 2, 3, 4], (x, i) => {
      seen.push(`item ${x}`);
      // Each item costs 3 ms of the slicer's clock: a pause after every second item.
      clock += 3;
      return x * 10 + i;
    }, pause);
    expect(out).toEqual([10, 21, 32, 43]);
    expect(seen).toEqual(["item 1", "item 2", "pause", "item 3", "item 4"]);
  });

  test("lets a pending callback run between slices of a long pass", async () => {
    let clock = 0;
    let ranAt: number | undefined;
    setImmediate(() => {
      ranAt = clock;
    });
    const out = await mapSliced(["a", "b", "c"], (x) => {
      clock += 10;
      return x.toUpperCase();
    }, slicer(5, () => clock));
    expect(out).toEqual(["A", "B", "C"]);
    // It ran after the first item's 10 ms, before the pass ended (30).
    expect(ranAt).toBe(10);
  });

  test("an empty list maps to an empty list without pausing", async () => {
    let pauses = 0;
    expect(await mapSliced([], (x) => x, () => ((pauses++), Promise.resolve()))).toEqual([]);
    expect(pauses).toBe(0);
  });
});

describe("forEachSliced", () => {
  test("a pass that fits in one slice has run every item when it returns, and returns no promise", () => {
    const seen: number[] = [];
    const pause = slicer(5, () => 0, () => Promise.reject(new Error("no pause within a slice")));
    expect(forEachSliced([3, 1, 2], (x, i) => void seen.push(x * 10 + i), pause)).toBeUndefined();
    expect(seen).toEqual([30, 11, 22]);
  });

  test("runs up to the spent slice at once and the rest after each pause, every item once, in order", async () => {
    let clock = 0;
    const seen: string[] = [];
    const pause = slicer(5, () => clock, async () => void seen.push("pause"));
    const pass = forEachSliced(["a", "b", "c", "d", "e"], (x, i) => {
      seen.push(`${x}${i}`);
      clock += 3;
    }, pause);
    // The third item waits for the pause the spent slice asked for.
    expect(pass).toBeInstanceOf(Promise);
    expect(seen).toEqual(["a0", "b1", "pause"]);
    await pass;
    expect(seen).toEqual(["a0", "b1", "pause", "c2", "d3", "pause", "e4"]);
  });

  test("an empty list runs nothing and never pauses", () => {
    let pauses = 0;
    expect(forEachSliced([], () => expect.unreachable(), () => ((pauses++), Promise.resolve()))).toBeUndefined();
    expect(pauses).toBe(0);
  });
});
