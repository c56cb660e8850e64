import { expect, test } from "bun:test";
import { PackedTimes } from "./packed-times.ts";
import { series } from "./ring-testing.ts";

const T0 = Date.UTC(2026, 4, 1);
/** What a store kept as a few runs holds, whatever its length: three arrays of 4 or 8 runs. */
const RUN_BYTES = 192;

/** Writes `times` in order, all live, and checks each reads back bit for bit. */
function fill(times: readonly number[], capacity = times.length): PackedTimes {
  const store = new PackedTimes(capacity);
  times.forEach((t, p) => store.set(p, t, 0));
  times.forEach((t, p) => expect(Object.is(store.at(p), t)).toBe(true));
  const out = new Float64Array(times.length);
  store.read(0, times.length, out);
  expect(Array.from(out)).toEqual([...times]);
  return store;
}

/** Whole minutes with about every other reading missed: too many runs, packed per block a byte a time. */
const patchy = (n: number, seed: number, first = T0) => series(n, seed, (r, t) => t + (r() < 0.5 ? 120_000 : 60_000), first);

test.each([
  { name: "whole minutes (one run)", step: () => 60_000, width: 0 },
  { name: "whole minutes, one reading in 300 missed (a run each)", step: (r: () => number) => (r() < 1 / 300 ? 120_000 : 60_000), width: 0 },
  { name: "ten seconds, a reading missed now and then", step: (r: () => number) => (r() < 0.05 ? 20_000 : 10_000), width: 1 },
  { name: "whole seconds a minute apart", step: (r: () => number) => 59_000 + Math.floor(r() * 3) * 1_000, width: 2 },
  { name: "whole milliseconds a minute apart", step: (r: () => number) => 60_000 + Math.floor(r() * 500), width: 4 },
  { name: "hour-long gaps in whole minutes", step: (r: () => number) => (r() < 0.1 ? 3_600_000 : 60_000), width: 2 },
])("the narrowest width that holds them: $name", ({ step, width }) => {
  const store = fill(series(1_000, 3, (r, t) => t + step(r), T0));
  expect(store.width).toBe(width);
  if (width === 0) expect(store.bytes()).toBeLessThanOrEqual(RUN_BYTES);
  else expect(store.bytes()).toBe((1_000 + 31) * width + 8 * Math.ceil((1_000 + 31) / 32));
});

test("times that are not whole milliseconds, or blocks too long for 32 bits, are kept as Float64", () => {
  expect(fill([T0, T0 + 0.25, T0 + 1]).width).toBe(8);
  expect(fill([...patchy(100, 4), 2 ** 52]).width).toBe(8);
  // Far apart but whole: runs hold them exactly.
  expect(fill([1, 2, 2 + 2 ** 33]).width).toBe(0);
  expect(fill([-7e12, -7e12 + 60_000, 9e15]).width).toBe(0);
});

test("a write that does not fit re-encodes only what is live; a relayout finds runs again", () => {
  const times = patchy(40, 5);
  const store = new PackedTimes(64);
  times.forEach((t, p) => store.set(p, t, 0));
  expect(store.width).toBe(1);
  const odd = times[39]! + 60_001; // a millisecond off the minute: unit 1 ms, 4 bytes
  store.set(40, odd, 0);
  expect(store.width).toBe(4);
  for (let p = 0; p <= 40; p++) expect(store.at(p)).toBe(p === 40 ? odd : times[p]!);
  // A move that keeps the last few: they make few runs.
  store.relayout(37, 41, 64);
  expect(store.width).toBe(0);
  for (let p = 0; p < 4; p++) expect(store.at(p)).toBe(p === 3 ? odd : times[37 + p]!);
  store.relayout(4, 4, 64);
  store.set(0, T0 + 50 * 60_000, 0);
  store.set(1, T0 + 51 * 60_000, 0);
  expect(store.width).toBe(0);
  expect([store.at(0), store.at(1)]).toEqual([T0 + 50 * 60_000, T0 + 51 * 60_000]);
});

test("a time before the one before it (a restart earlier) reads back", () => {
  const store = new PackedTimes(32);
  store.set(0, T0, 0);
  store.set(1, T0 + 60_000, 0);
  store.set(2, T0 - 60_000, 2);
  expect(store.at(2)).toBe(T0 - 60_000);
  store.set(3, T0, 2);
  expect([store.at(2), store.at(3)]).toEqual([T0 - 60_000, T0]);
  const blocks = new PackedTimes(64);
  const times = patchy(40, 6);
  times.forEach((t, p) => blocks.set(p, t, 0));
  blocks.set(40, T0 - 60_000, 40);
  blocks.set(41, T0, 40);
  expect([blocks.at(40), blocks.at(41)]).toEqual([T0 - 60_000, T0]);
});

/**
 * Drives a store as an owner keeping 40 live positions in 64 does (a device's buffer, a
 * window's ring): moves them to the start when full, writes the next time, checks every live
 * one reads back, then calls `check(i)`.
 */
function own(count: number, next: (i: number, t: number) => number, check: (store: PackedTimes, i: number) => void): PackedTimes {
  const store = new PackedTimes(64);
  let from = 0;
  let to = 0;
  let t = T0;
  const live: number[] = [];
  for (let i = 0; i < count; i++) {
    if (to === 64) {
      store.relayout(to - 40, to, 64);
      from = 0;
      to = 40;
    }
    t = next(i, t);
    store.set(to, t, from);
    live.push(t);
    to++;
    from = Math.max(from, to - 40);
    live.splice(0, live.length - (to - from));
    live.forEach((x, k) => expect(store.at(from + k)).toBe(x));
    const out = new Float64Array(to - from);
    store.read(from, to, out);
    expect(Array.from(out)).toEqual(live);
    check(store, i);
  }
  return store;
}

test.each([
  { name: "an hour of times a few milliseconds off the minute", odd: (t: number, r: () => number) => t + 60_000 + Math.floor(r() * 9) },
  { name: "an hour with every other reading missed", odd: (t: number, r: () => number) => t + (r() < 0.5 ? 120_000 : 60_000) },
])("after $name has left the live positions, the store is runs again", ({ odd }) => {
  let rnd = 0.37;
  const r = () => (rnd = (rnd * 9301 + 0.49297) % 1);
  const store = own(400, (i, t) => (i >= 50 && i < 110 ? odd(t, r) : t + 60_000), (s, i) => i === 100 && expect(s.width).toBeGreaterThan(0));
  expect(store.width).toBe(0);
  expect(store.bytes()).toBeLessThanOrEqual(RUN_BYTES);
});

test("a missed reading or a restart costs a run, not a byte a time, across moves", () => {
  // One missed, a restart an hour back, a millisecond late.
  own(300, (i, t) => t + (i === 100 ? 120_000 : i === 150 ? -3_600_000 : i === 151 ? 1 : 60_000), (store) => {
    expect(store.width).toBe(0);
    expect(store.bytes()).toBeLessThanOrEqual(RUN_BYTES);
  });
});
