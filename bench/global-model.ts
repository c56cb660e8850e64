/**
 * Rebuilds the shipped fallback model, models/global/leak_detector.json: 30 days of simulated
 * leak-free history from five simulated sites (seed 2026, all at UTC−7), trained with the
 * defaults of `nightowl train`. A fleet model keeps to the sensors every site has — pressure
 * S1 and pump current — so it can score any site; a user's own model (`nightowl train` on
 * their history) also uses the flow meter and tank level where they exist, and is better.
 *
 *   bun bench/global-model.ts [--out models/global/leak_detector.json]
 */
import { join } from "node:path";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { saveModelFile } from "../src/ml/model-file.ts";
import { simulateHistory } from "../src/sim/history.ts";

const SEED = 2026;
const DEVICES = [0, 2, 3, 4, 7];
const DAY = 86_400_000;
const start = Date.UTC(2026, 3, 6);
const args = process.argv.slice(2);
const out = args.includes("--out") ? args[args.indexOf("--out") + 1]! : join(import.meta.dir, "..", "models", "global", "leak_detector.json");

const frames = DEVICES.map((device) => simulateHistory({ seed: SEED, device, startMs: start, endMs: start + 30 * DAY }));
const { text, summary } = trainLeakModel(frames, {
  userLabel: "global",
  source: "simulated",
  timeZone: "Etc/GMT+7",
  // A fixed training time keeps the file identical from one rebuild to the next.
  now: () => start + 30 * DAY,
  note: `Trained on 30 days of simulated leak-free history of ${DEVICES.length} simulated sites (nightowl simulator, seed ${SEED}), not on real data. A fallback until a user's own model exists: train one with nightowl train on the user's history.`,
});
saveModelFile(out, text);
console.log(`wrote ${out}: ${summary.samples} samples × ${summary.features} features, ${(text.length / 1e6).toFixed(2)} MB, alarm on ${(100 * summary.alarmRate).toFixed(2)} % of training rows`);
