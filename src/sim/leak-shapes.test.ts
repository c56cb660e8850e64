import { describe, expect, test } from "bun:test";
import { simulateHistory } from "./history.ts";
import { FLAPPER_PERIOD_MS, flapperGpm, growingLeakGpm, GROWING_LEAK_RAMP_MS } from "./leak-shapes.ts";
import { siteOfKind } from "./site-kinds.ts";

describe("leak shapes", () => {
  test("a growing leak ramps to its size and stays", () => {
    expect(growingLeakGpm(2, -1)).toBe(0);
    expect(growingLeakGpm(2, GROWING_LEAK_RAMP_MS / 4)).toBeCloseTo(0.5);
    expect(growingLeakGpm(2, 3 * GROWING_LEAK_RAMP_MS)).toBe(2);
  });

  test("a flapper refills about 1.6 gallons every ~20 minutes, and nothing between", () => {
    const start = Date.UTC(2026, 0, 1);
    let gallons = 0;
    let refills = 0;
    let flowing = false;
    const day = 86_400_000;
    for (let t = 0; t < day; t += 1000) {
      const gpm = flapperGpm(start, 1.6, t);
      gallons += gpm / 60;
      if (gpm > 0 && !flowing) refills++;
      flowing = gpm > 0;
    }
    const expected = day / (FLAPPER_PERIOD_MS * 1.1);
    expect(refills).toBeWithin(expected * 0.9, expected * 1.1);
    expect(gallons / refills).toBeWithin(1.5, 1.7);
  });

  test("on a 0.1-gallon meter a flapper shows as small steps at quiet hours", () => {
    const spec = { ...siteOfKind(5, "single-phase-0.1gal", 0), occupants: 1 };
    const t0 = Date.UTC(2026, 2, 10, 9); // 02:00 local
    const end = t0 + 3 * 3_600_000;
    const clean = simulateHistory({ seed: 5, device: spec, startMs: t0, endMs: end });
    const leaky = simulateHistory({ seed: 5, device: spec, startMs: t0, endMs: end, scenarios: [{ deviceId: spec.id, kind: "flapper", startMs: t0 - 3_600_000 }] });
    const used = (f: typeof clean) => f.columns.Pulse_TotalGallons!.at(-1)! - f.columns.Pulse_TotalGallons![0]!;
    expect(used(leaky) - used(clean)).toBeWithin(11, 17);
  });
});
