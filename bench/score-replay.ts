/**
 * `score` as a replay: 30 days of 1-minute telemetry of one simulated device (a 1-gallon
 * meter with a 0.5 gal/min leak from day 13) through the rule stage row by row and the model,
 * timed in process, after a model is trained on the 7 days before.
 *
 *   bun bench/score-replay.ts [--days 30] [--json]
 *
 * Figures are reported, never asserted.
 */
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { replayRules } from "../src/monitor/replay.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";

const args = process.argv.slice(2);
const i = args.indexOf("--days");
const DAYS = i >= 0 ? Number(args[i + 1]) : 30;
if (!(DAYS > 0)) throw new Error("--days: expected a positive number");
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const spec = deviceSpec(42, 0, 0);
const { model } = trainLeakModel([simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 7 * DAY })], { userLabel: "bench", source: "simulated" });
const frame = simulateHistory({ seed: 42, device: 0, startMs: T0 + 7 * DAY, endMs: T0 + (7 + DAYS) * DAY, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: T0 + 20 * DAY, size: 0.5 }] });
// One untimed run so the timings below do not include compiling the code.
replayRules({ ...frame, ts: frame.ts.subarray(0, 1440), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(0, 1440)])) });
const t0 = performance.now();
replayRules(frame);
const rulesMs = performance.now() - t0;
const t1 = performance.now();
const rows = scoreReplay(model, [frame], { topFeatures: 0 });
const scoreMs = performance.now() - t1;
const result = { days: DAYS, rows: frame.ts.length, scored: rows.length, rulesMs, scoreMs };
if (args.includes("--json")) console.log(JSON.stringify(result));
else {
  console.log("| history | rows | rules replay | score (rules + features + forest + verdict) |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| ${DAYS} days, 1-min | ${frame.ts.length.toLocaleString("en-US")} | ${(rulesMs / 1000).toFixed(2)} s | ${(scoreMs / 1000).toFixed(2)} s |`);
}
