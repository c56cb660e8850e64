/**
 * After a telemetry outage of hours the feature windows keep what they hold, and a window that
 * is mostly gap raises no forest alarm. Leak-free simulator history with outages of 3 and 5
 * hours (src/sim/telemetry-faults.ts) is scored as `score` does (the causal replay): no row is
 * alarmed by the forest alone, the rows right after an outage are scored (no warm-up again)
 * with their coverage and the reason the forest was withheld, and the 24 h window still holds
 * the readings from before the outage.
 */
import { beforeAll, expect, test } from "bun:test";
import { computeFeatures } from "../src/ml/features.ts";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import type { ScoredRow } from "../src/ml/score-frame.ts";
import type { LeakModel } from "../src/ml/model-file.ts";
import { raisesAlarm } from "../src/ml/verdict.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import type { HistoryFrame } from "../src/nightowl/history-frame.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { degradeFrame, type TimeWindow } from "../src/sim/telemetry-faults.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 4, 4);
const FROM = T0 + 7 * DAY;
const SEED = 42;
const DEVICES = [0, 1, 2];
/** Four outages, 3 and 5 hours long, at different hours of the day. */
const OUTAGES: TimeWindow[] = [0, 1, 2, 3].map((d) => ({ startMs: FROM + d * DAY + (8 + 3 * d) * HOUR, endMs: FROM + d * DAY + (11 + 3 * d + 2 * (d % 2)) * HOUR }));

let model: LeakModel;
let frames: HistoryFrame[];
let rows: ScoredRow[];

beforeAll(() => {
  const train = DEVICES.map((device) => simulateHistory({ seed: SEED, device, startMs: T0, endMs: FROM }));
  model = trainLeakModel(train, { userLabel: "e2e", source: "simulated", nEstimators: 100 }).model;
  frames = DEVICES.map((device) => degradeFrame(simulateHistory({ seed: SEED, device, startMs: FROM - DAY, endMs: FROM + 5 * DAY }), { seed: SEED, outages: OUTAGES }));
  rows = scoreReplay(model, frames, { topFeatures: 0 });
});

test("no forest alarm on leak-free history in the day after each outage", () => {
  const after = rows.filter((r) => OUTAGES.some((o) => r.ts >= o.endMs && r.ts < o.endMs + DAY));
  expect(after.length).toBeGreaterThan(3 * 3 * 1000);
  const forestOnly = after.filter((r) => r.isAnomaly && !r.rules.some(raisesAlarm));
  expect(forestOnly.map((r) => new Date(r.ts).toISOString())).toEqual([]);
});

test("the rows after an outage are scored at once, with their coverage and why the forest is withheld", () => {
  for (const frame of frames) {
    for (const o of OUTAGES) {
      const mine = rows.filter((r) => r.deviceId === frame.deviceId && r.ts >= o.endMs && r.ts < o.endMs + 6 * HOUR);
      // The flow needs two counter readings: the second minute after the outage is scored.
      expect(mine[0]!.ts).toBeLessThanOrEqual(o.endMs + 2 * MIN);
      expect(mine[0]!.coverage).toBeLessThan(0.5);
      expect(mine[0]!.reason).toMatch(/^window coverage \d+ % < 50 %$/);
      for (const r of mine) expect(r.reason !== undefined).toBe(r.coverage < 0.5);
      // Once the 6 h window is more reading than gap again the forest has its say.
      const back = mine.find((r) => r.coverage >= 0.5);
      expect(back).toBeDefined();
      expect(back!.ts - o.endMs).toBeLessThanOrEqual(((o.endMs - o.startMs) / HOUR) * HOUR);
    }
  }
});

test("the 24 h window is not reset by an outage: it still holds the readings before it", () => {
  const frame = frames[0]!;
  const f = computeFeatures(frame, { ...model.featureOptions, featureNames: ["pressure_s1", "pressure_s1_mean_24h"] });
  const s1 = frame.columns.S1!;
  for (const o of OUTAGES) {
    const row = f.ts.findIndex((t) => t >= o.endMs);
    const t = f.ts[row]!;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < frame.ts.length && frame.ts[i]! <= t; i++) {
      if (frame.ts[i]! > t - DAY && s1[i] === s1[i]) {
        sum += s1[i]!;
        n++;
      }
    }
    expect(n).toBeGreaterThan(18 * 60);
    expect(f.data[row * f.cols + 1]).toBeCloseTo(sum / n, 6);
    expect(f.coverage[row]).toBeLessThan(0.5);
  }
});
