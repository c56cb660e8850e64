import { expect, test } from "bun:test";
import { PackedTimes } from "./packed-times.ts";
import { series } from "./ring-testing.ts";

const T0 = Date.UTC(2026, 4, 1);

/** Writes `times` in order, all live, and checks each reads back bit for bit. */
function fill(times: readonly number[], capacity = times.length): PackedTimes {
  const store = new PackedTimes(capacity);
  times.forEach((t, p) => store.set(p, t, 0));
  times.forEach((t, p) => expect(Object.is(store.at(p), t)).toBe(true));
  return store;
}

test.each([
  { name: "whole minutes", step: () => 60_000, width: 0 },
  { name: "ten seconds, a reading missed now and then", step: (r: () => number) => (r() < 0.05 ? 20_000 : 10_000), width: 1 },
  { name: "whole seconds a minute apart", step: (r: () => number) => 59_000 + Math.floor(r() * 3) * 1_000, width: 2 },
  { name: "whole milliseconds a minute apart", step: (r: () => number) => 60_000 + Math.floor(r() * 500), width: 4 },
  { name: "hour-long gaps in whole minutes", step: (r: () => number) => (r() < 0.1 ? 3_600_000 : 60_000), width: 2 },
])("the narrowest width that holds them: $name", ({ step, width }) => {
  const store = fill(series(1_000, 3, (r, t) => t + step(r), T0));
  expect(store.width).toBe(width);
  expect(store.bytes()).toBe(width === 0 ? 0 : (1_000 + 31) * width + 8 * Math.ceil((1_000 + 31) / 32));
});

test("times that are not whole milliseconds, or blocks too long for 32 bits, are kept as Float64", () => {
  expect(fill([T0, T0 + 0.25, T0 + 1]).width).toBe(8);
  expect(fill([1, 2, 2 + 2 ** 33]).width).toBe(8);
  expect(fill([-7e12, -7e12 + 60_000, 9e15]).width).toBe(8);
});

test("writes after the live positions re-encode only what is live; a relayout narrows again", () => {
  const store = new PackedTimes(64);
  for (let p = 0; p < 40; p++) store.set(p, T0 + p * 60_000, 0);
  store.set(40, T0 + 40 * 60_000 + 1, 35); // a millisecond off: unit 1 ms, 4 bytes
  expect(store.width).toBe(4);
  for (let p = 35; p <= 40; p++) expect(store.at(p)).toBe(T0 + p * 60_000 + (p === 40 ? 1 : 0));
  store.relayout(41, 41, 64);
  store.set(0, T0 + 50 * 60_000, 0);
  store.set(1, T0 + 51 * 60_000, 0);
  expect(store.width).toBe(0); // one cadence again: no store
  expect([store.at(0), store.at(1)]).toEqual([T0 + 50 * 60_000, T0 + 51 * 60_000]);
});

test("a time before its block's anchor (a restart earlier) re-anchors the block", () => {
  const store = new PackedTimes(32);
  store.set(0, T0, 0);
  store.set(1, T0 + 60_000, 0);
  store.set(2, T0 - 60_000, 2);
  expect(store.at(2)).toBe(T0 - 60_000);
  store.set(3, T0, 2);
  expect([store.at(2), store.at(3)]).toEqual([T0 - 60_000, T0]);
});

test.each([
  { name: "a 5-hour outage", odd: (t: number) => t + 5 * 3_600_000 },
  { name: "one time a millisecond off the minute", odd: (t: number) => t + 1 },
])("after $name has left the live positions, the store narrows again", ({ odd }) => {
  // An owner keeping 40 live positions of whole minutes in 64, moving them to the start when full.
  const store = new PackedTimes(64);
  let from = 0;
  let to = 0;
  let t = T0;
  for (let i = 0; i < 400; i++) {
    if (to === 64) {
      store.relayout(to - 40, to, 64);
      from = 0;
      to = 40;
    }
    t = i === 50 ? odd(t) : t + 60_000;
    store.set(to, t, from);
    to++;
    from = Math.max(from, to - 40);
    if (i === 60) expect(store.width).toBeGreaterThan(1);
  }
  expect(store.width).toBe(0);
  expect(store.at(to - 1)).toBe(t);
});

test("times on one cadence take no bytes; a missed reading packs them per block until a move finds one cadence again", () => {
  // An owner keeping 40 live positions in 64, moving them to the start when full, as a device's buffer does.
  const store = new PackedTimes(64);
  let from = 0;
  let to = 0;
  let t = T0;
  const live: number[] = [];
  const widths = new Set<number>();
  for (let i = 0; i < 300; i++) {
    if (to === 64) {
      store.relayout(to - 40, to, 64);
      from = 0;
      to = 40;
    }
    t += i === 100 ? 120_000 : 60_000; // one reading missed
    store.set(to, t, from);
    live.push(t);
    to++;
    from = Math.max(from, to - 40);
    live.splice(0, live.length - (to - from));
    live.forEach((x, k) => expect(store.at(from + k)).toBe(x));
    const out = new Float64Array(to - from);
    store.read(from, to, out);
    expect(Array.from(out)).toEqual(live);
    widths.add(store.width);
    if (i === 99) expect(store.bytes()).toBe(0);
    if (i === 100) expect(store.width).toBe(1);
  }
  expect([...widths].sort()).toEqual([0, 1]);
  expect(store.bytes()).toBe(0);
});

test("a cadence that is not whole milliseconds, or one broken by a single late time, is packed as before", () => {
  expect(fill([T0, T0 + 0.5, T0 + 1]).width).toBe(8);
  expect(fill([T0, T0 + 60_000, T0 + 120_000, T0 + 180_001, T0 + 240_001]).width).toBe(4);
  expect(fill([T0, T0 - 60_000, T0 - 120_000]).width).toBe(0); // a cadence may run backwards: still exact
});
