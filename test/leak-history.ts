/**
 * The simulator history the causality tests share: a model trained on five normal days of two
 * devices, then two scored days with leaks (device 0, a 1-gallon meter: 3 gal/min from day 2,
 * 02:17; device 1, a 10-gallon meter: a slow 0.5 gal/min night leak from 21:03), written to
 * `dir` as model.json and scored.csv.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import type { LeakModel } from "../src/ml/model-file.ts";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import type { HistoryFrame } from "../src/nightowl/history-frame.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4);
export const SCORED_FROM = T0 + 5 * DAY;
export const SCORED_TO = SCORED_FROM + 2 * DAY;

export interface LeakHistory {
  model: LeakModel;
  frames: HistoryFrame[];
  modelPath: string;
  csvPath: string;
}

export async function writeLeakHistory(dir: string): Promise<LeakHistory> {
  const d0 = deviceSpec(42, 0, 0);
  const d1 = deviceSpec(42, 0, 1);
  const train = [0, 1].map((device) => simulateHistory({ seed: 42, device, startMs: T0, endMs: SCORED_FROM }));
  const result = trainLeakModel(train, { userLabel: "e2e", source: "simulated", nEstimators: 50 });
  const modelPath = join(dir, "model.json");
  writeFileSync(modelPath, result.text);
  const scenarios = [
    { deviceId: d0.id, kind: "leak" as const, startMs: SCORED_FROM + 26 * HOUR + 17 * 60_000, size: 3 },
    { deviceId: d1.id, kind: "leak" as const, startMs: SCORED_FROM + 21 * HOUR + 3 * 60_000, size: 0.5 },
  ];
  const frames = [0, 1].map((device) => simulateHistory({ seed: 42, device, startMs: SCORED_FROM, endMs: SCORED_TO, scenarios }));
  const csvPath = join(dir, "scored.csv");
  await writeHistoryCsv(csvPath, frames);
  return { model: result.model, frames, modelPath, csvPath };
}
