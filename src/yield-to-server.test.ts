import { describe, expect, test } from "bun:test";
import { slicer, yieldToServer } from "./yield-to-server.ts";

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
