import { expect, test } from "bun:test";
import { Lookback } from "./lookback.ts";
import { WindowSet } from "./window-set.ts";
import { Random } from "./random.ts";

const MIN = 60_000;

test("a window holds (t − span, t]: the sample exactly span old has left", () => {
  const set = new WindowSet([5 * MIN]);
  set.push(0, 1);
  set.push(5 * MIN, 3);
  set.evict(5 * MIN);
  expect([set.count(0), set.mean(0), set.std(0), set.range(0)]).toEqual([1, 3, 0, 0]);
  set.evict(10 * MIN);
  expect([set.count(0), set.weight(0)]).toEqual([0, 0]);
});

test("clear forgets everything; the next sample starts every window", () => {
  const set = new WindowSet([MIN, 60 * MIN]);
  for (let i = 0; i < 10; i++) set.push(i * 1000, i, 1);
  set.clear();
  set.push(20_000, 7, 2);
  set.evict(20_000);
  expect([set.count(1), set.mean(1), set.range(1), set.weight(1)]).toEqual([1, 7, 0, 2]);
});

test("a day of one-minute samples is held in about an eighth more positions than it has, not the next power of two", () => {
  const set = new WindowSet([5 * MIN, 1440 * MIN]);
  const t0 = Date.UTC(2026, 4, 1);
  for (let i = 0; i < 3 * 1440; i++) {
    set.push(t0 + i * MIN, 50 + (i % 7) / 10, 0, MIN);
    set.evict(t0 + i * MIN);
    set.dropBefore(set.start[1]!);
  }
  expect(set.count(1)).toBe(1440);
  // Doubling held these in 2,048 positions.
  expect(set.capacity).toBeLessThanOrEqual(Math.ceil(1441 * 1.125) + 1);
  expect(set.range(1)).toBeCloseTo(0.6, 9);
});

/** Series the windows must follow: steps between samples, weights, and where the times sit. */
const SERIES = [
  { name: "sub-minute steps from 0, fractional ms, fractional weights", t0: 0, step: (rnd: () => number) => 30_000 * rnd() + 1, whole: false, weight: (rnd: () => number) => (rnd() < 0.5 ? 0 : rnd()) },
  { name: "1-minute data at epoch times, gallons in whole pulses", t0: Date.UTC(2026, 4, 1), step: (rnd: () => number) => MIN, whole: true, weight: (rnd: () => number) => (rnd() < 0.7 ? 0 : Math.floor(rnd() * 10)) },
  { name: "outages longer than every window", t0: Date.UTC(2026, 4, 1), step: (rnd: () => number) => (rnd() < 0.02 ? 3 * 60 * MIN : MIN), whole: true, weight: (rnd: () => number) => 0 },
  { name: "silences past 49 days (beyond 32-bit ms offsets)", t0: Date.UTC(2026, 4, 1), step: (rnd: () => number) => (rnd() < 0.01 ? 60 * 1440 * MIN : MIN), whole: true, weight: (rnd: () => number) => rnd() },
  { name: "times before 1970 and after 2100", t0: -Date.UTC(2200, 0, 1), step: (rnd: () => number) => (rnd() < 0.005 ? 1e14 : 45_000), whole: true, weight: (rnd: () => number) => 0 },
] as const;

test.each(SERIES)("every window agrees with a direct computation through growth, trimming and rebasing: $name", (series) => {
  const spans = [3 * MIN, 10 * MIN, 45 * MIN];
  const set = new WindowSet(spans);
  const back = new Lookback(set);
  back.reset();
  const generator = new Random(3);
  const rnd = () => generator.uniform();
  const ts: number[] = [];
  const vs: number[] = [];
  const ws: number[] = [];
  const cs: number[] = [];
  let t = series.t0;
  for (let i = 0; i < 3000; i++) {
    t += rnd() < 0.1 ? 5 * MIN * rnd() : series.step(rnd);
    if (series.whole) t = Math.round(t);
    // Long flat stretches and jumps exercise the monotonic stacks and the prefix-sum shift.
    const v = i % 500 < 100 ? 5000 : 5000 + Math.round(rnd() * 1000) / 10;
    const w = series.weight(rnd);
    const c = t - (ts.at(-1) ?? t) <= 2 * MIN ? t - (ts.at(-1) ?? t) : 0;
    set.push(t, v, w, c);
    ts.push(t);
    vs.push(v);
    ws.push(w);
    cs.push(c);
    set.evict(t);
    set.dropBefore(back.at(t - 50 * MIN));
    // Every retained sample reads back exactly as pushed.
    const kept = set.tail - set.head;
    for (let j = Math.max(set.head, set.tail - ts.length); j < set.tail; j++) {
      const at = ts.length - (set.tail - j);
      if (set.tsAt(j) !== ts[at] || set.vAt(j) !== vs[at]) throw new Error(`sample ${j} of ${kept} reads ${set.tsAt(j)}, ${set.vAt(j)}; pushed ${ts[at]}, ${vs[at]}`);
    }
    spans.forEach((span, k) => {
      const idx = ts.map((x, j) => j).filter((j) => ts[j]! > t - span);
      const vals = idx.map((j) => vs[j]!);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
      expect(set.count(k)).toBe(vals.length);
      expect(set.mean(k)).toBeCloseTo(mean, 8);
      expect(set.std(k)).toBeCloseTo(Math.sqrt(variance), 6);
      expect(set.range(k)).toBe(Math.max(...vals) - Math.min(...vals));
      expect(set.weight(k)).toBeCloseTo(idx.reduce((a, j) => a + ws[j]!, 0), 8);
      const covered = idx.reduce((a, j) => a + Math.min(cs[j]!, ts[j]! - (t - span)), 0);
      expect(set.covered(k, t)).toBeCloseTo(covered, 6);
    });
    if (ts.length > 400) {
      ts.splice(0, 100);
      vs.splice(0, 100);
      ws.splice(0, 100);
      cs.splice(0, 100);
    }
  }
  expect(set.tail - set.head).toBeLessThan(400);
});

test("coverage: each sample covers the time before it, cut at the window's start; a sample after a gap covers nothing", () => {
  const set = new WindowSet([10 * MIN, 60 * MIN]);
  // Minutes 0–5 one a minute, then a 30-minute gap, then minutes 36–40.
  set.push(0, 1, 0, 0);
  for (let m = 1; m <= 5; m++) set.push(m * MIN, 1, 0, MIN);
  set.push(36 * MIN, 1, 0, 0);
  for (let m = 37; m <= 40; m++) set.push(m * MIN, 1, 0, MIN);
  set.evict(40 * MIN);
  // (30, 40]: minutes 36–40, the first of them after the gap: 4 minutes.
  expect(set.covered(0, 40 * MIN)).toBe(4 * MIN);
  // (−20, 40]: 5 minutes before the gap and 4 after.
  expect(set.covered(1, 40 * MIN)).toBe(9 * MIN);
  set.push(41 * MIN, 1, 0, MIN);
  set.push(43 * MIN, 1, 0, 2 * MIN);
  set.evict(47.5 * MIN);
  // (37.5, 47.5]: the sample at 38 covers (37, 38], of which half a minute is inside: 0.5 + 1 + 1 + 1 + 2.
  expect(set.covered(0, 47.5 * MIN)).toBe(5.5 * MIN);
});
