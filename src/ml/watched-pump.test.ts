import { describe, expect, test } from "bun:test";
import { watchedPumpOf } from "../analytics/pump-roles.ts";
import { siteOfKind } from "../sim/site-kinds.ts";
import { simulateHistory } from "../sim/history.ts";
import { keysAsWatched } from "./feature-catalog.ts";
import { computeFeatures } from "./features.ts";
import { sliceFrame } from "./feature-testing.ts";
import { trainLeakModel } from "./leak-model.ts";
import { scoreFrames } from "./score-frame.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 2, 2);

describe("the pump the features watch", () => {
  test("another pump's keys stand in for P1's, and P1's are set aside", () => {
    expect(keysAsWatched(["S1", "P1C1", "P2C1", "P2V3"], "P2")).toEqual(["S1", "P2C1", "P1C1", "P1V3"]);
    expect(keysAsWatched(["P1C1", "P2C1"], "P1")).toEqual(["P1C1", "P2C1"]);
  });

  test("pump features read the watched pump's current", () => {
    const spec = siteOfKind(31, "cistern-p1-fill", 0);
    const frame = simulateHistory({ seed: 31, device: spec, startMs: t0, endMs: t0 + 6 * HOUR });
    const mean = (pump: "P1" | "P2") => {
      const f = computeFeatures(frame, { featureNames: ["pump_current"], pump, warmupMs: 0 });
      return f.data.reduce((a, b) => a + b, 0) / f.rows;
    };
    const raw = (key: string) => frame.columns[key]!.reduce((a, b) => a + b, 0) / frame.ts.length;
    expect(Math.abs(mean("P2") - raw("P2C1"))).toBeLessThan(Math.abs(mean("P1") - raw("P2C1")));
  });

  // A cistern refilled by P1 on a float, a booster P2 keeping the pressure, no meter: the
  // model learns to watch P2 and a 5 gal/min leak is alarmed within the hour.
  test("a cistern site's model watches the booster P2 and catches a leak through it", () => {
    const seed = 23;
    const spec = siteOfKind(seed, "cistern-p1-fill", 0);
    const leakStart = t0 + 7 * DAY + 14 * HOUR;
    const history = simulateHistory({
      seed, device: spec, startMs: t0, endMs: leakStart + 3 * HOUR,
      scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leakStart, endMs: leakStart + 3 * HOUR, size: 5 }],
    });
    const cut = (from: number, to: number) => sliceFrame(history, from, to);
    const training = cut(t0, t0 + 7 * DAY);
    expect(watchedPumpOf([training])).toBe("P2");
    const { model } = trainLeakModel([training], { userLabel: "test", source: "simulated", nEstimators: 50 });
    expect(model.featureOptions.pump).toBe("P2");
    const rows = scoreFrames(model, [cut(t0 + 6 * DAY, leakStart + 3 * HOUR)], { topFeatures: 0 });
    const quietBefore = rows.filter((r) => r.ts >= leakStart - 6 * HOUR && r.ts < leakStart);
    expect(quietBefore.some((r) => r.isAnomaly)).toBe(false);
    const first = rows.find((r) => r.ts >= leakStart && r.isAnomaly);
    expect(first).toBeDefined();
    expect(first!.ts - leakStart).toBeLessThanOrEqual(HOUR);
  });
});
