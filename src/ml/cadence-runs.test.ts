import { expect, test } from "bun:test";
import { CadenceRuns, runLimit } from "./cadence-runs.ts";
import { Random } from "./random.ts";

const T0 = Date.UTC(2026, 4, 1);

test("runs read back every live time exactly as an owner writes, rewrites and moves them", () => {
  const rnd = new Random(31);
  const runs = new CadenceRuns();
  const times: number[] = []; // by position, the owner's
  let lo = 0;
  let t = T0;
  let refused = 0;
  for (let step = 0; step < 5_000; step++) {
    const u = rnd.uniform();
    let p = times.length;
    if (u < 0.01 && p > lo + 2) p -= 2; // a rewrite: positions after it are no longer live
    times.length = p;
    t = (times[p - 1] ?? t) + (u < 0.03 ? 120_000 : u < 0.035 ? -3_600_000 : 60_000);
    if (!runs.write(p, t, lo)) {
      refused++;
      lo = p; // as the owner packs per block, say: here, only the new time stays live
      expect(runs.write(p, t, lo)).toBe(true);
    }
    times.push(t);
    if (rnd.uniform() < 0.5) lo = Math.min(p, lo + 1 + Math.floor(rnd.uniform() * 2));
    if (rnd.uniform() < 0.02 && lo > 0) {
      // The owner's move: positions go down by `lo`.
      runs.shift(lo);
      times.splice(0, lo);
      lo = 0;
    }
    for (let q = lo; q < times.length; q++) expect(runs.at(q)).toBe(times[q]!);
    const out = new Float64Array(times.length - lo);
    runs.read(lo, times.length, out);
    expect(Array.from(out)).toEqual(times.slice(lo));
    expect(runs.count).toBeLessThanOrEqual(runLimit(times.length - lo));
  }
  expect(refused).toBeLessThan(20); // the limit is for jitter, not for a missed reading now and then
});

test("a write that would make more runs than about one per 32 live positions is refused, as are times that are not whole", () => {
  const runs = new CadenceRuns();
  let p = 0;
  for (; p < 100; p++) if (!runs.write(p, T0 + p * 60_000 + (p % 2), 0)) break;
  expect(p).toBe(runLimit(p) * 2); // two positions a run until the limit
  expect(runs.write(p, T0 + p * 60_000 + 0.5, 0)).toBe(false);
  expect(runs.load(Float64Array.from([T0, T0 + 60_000, T0 + 120_000, 9e15]), 4, 0)).toBe(true);
  expect(runs.count).toBe(2);
  expect(runs.load(Float64Array.from({ length: 64 }, (_, i) => T0 + i * 60_000 + (i % 3)), 64, 0)).toBe(false);
});
