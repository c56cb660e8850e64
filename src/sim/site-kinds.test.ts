import { describe, expect, test } from "bun:test";
import { simulateHistory } from "./history.ts";
import { SITE_KINDS, siteOfKind } from "./site-kinds.ts";

const t0 = Date.UTC(2026, 2, 2);
const DAY = 86_400_000;

describe("site kinds", () => {
  test("every kind sends the keys of its equipment", () => {
    const keys = (kind: (typeof SITE_KINDS)[number]) => Object.keys(simulateHistory({ seed: 2, device: siteOfKind(2, kind, 0), startMs: t0, endMs: t0 + 3_600_000 }).columns);
    expect(keys("single-phase-10gal")).toEqual(["S1", "P1V1", "P1C1", "Pulse_TotalGallons"]);
    expect(keys("vsd-0.1gal")).toContain("P1Hz");
    expect(keys("cistern-p1-fill")).not.toContain("Pulse_TotalGallons");
    expect(keys("cistern-p1-fill")).toContain("P2C1");
    expect(new Set(SITE_KINDS.map((k) => siteOfKind(2, k, 0).id)).size).toBe(SITE_KINDS.length);
  });

  test("cistern: P1 refills it on the float (level rises only while P1 runs), P2 answers pressure", () => {
    const f = simulateHistory({ seed: 2, device: siteOfKind(2, "cistern-p1-fill", 0), startMs: t0, endMs: t0 + 5 * DAY });
    const level = f.columns.Level1_precent!;
    const p1 = f.columns.P1C1!;
    const p2 = f.columns.P2C1!;
    let rising = 0;
    let risingWithP1 = 0;
    // Over ten minutes, so the level's noise cannot pass for a refill.
    for (let i = 10; i < level.length; i++) {
      if (level[i]! - level[i - 10]! > 1.5) {
        rising++;
        if (p1.subarray(i - 10, i).some((x) => x > 0)) risingWithP1++;
      }
    }
    expect(rising).toBeGreaterThan(10);
    expect(risingWithP1).toBe(rising);
    // The booster starts many more times a day than the float switch.
    const starts = (c: Float64Array) => c.filter((x, i) => x > 0 && i > 0 && c[i - 1] === 0).length;
    expect(starts(p2)).toBeGreaterThan(3 * starts(p1));
    expect(Math.min(...level)).toBeGreaterThan(40);
  });

  test("a 0.1-gallon meter counts tenths", () => {
    const f = simulateHistory({ seed: 2, device: siteOfKind(2, "vsd-0.1gal", 0), startMs: t0, endMs: t0 + DAY });
    const m = f.columns.Pulse_TotalGallons!;
    expect(Array.from(m).some((x) => Math.round(x * 10) % 10 !== 0)).toBe(true);
    for (const x of m) expect(Math.abs(x * 10 - Math.round(x * 10))).toBeLessThan(1e-6);
  });

  test("variants differ in equipment; the same arguments give the same site", () => {
    expect(siteOfKind(2, "vsd-0.1gal", 0)).toEqual(siteOfKind(2, "vsd-0.1gal", 0));
    expect(siteOfKind(2, "vsd-0.1gal", 1).id).not.toBe(siteOfKind(2, "vsd-0.1gal", 0).id);
  });
});
