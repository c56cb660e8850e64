/**
 * `score` as a replay: 30 days of 1-minute telemetry of one simulated device (a 1-gallon
 * meter with a 0.5 gal/min leak from day 13) through the rule stage row by row and the model,
 * timed in process, after a model is trained on the 7 days before. Each is timed `--runs`
 * times (the rules replay and the whole score alternately, after one untimed run of each on
 * the same history, so compiling is not timed); the fastest and the median run are reported,
 * as the machine is shared and single runs vary by a second.
 *
 *   bun bench/score-replay.ts [--days 30] [--runs 3] [--timezone UTC] [--json]
 *
 * Figures are reported, never asserted.
 */
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { replayRules } from "../src/monitor/replay.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!(value > 0) || !Number.isInteger(value)) throw new Error(`${name}: expected a positive whole number`);
  return value;
};
const DAYS = flag("--days", 30);
const RUNS = flag("--runs", 3);
// The sites' zone: UTC costs nothing to convert; a zone with daylight saving is the usual case.
const zoneAt = args.indexOf("--timezone");
const timeZone = zoneAt >= 0 ? args[zoneAt + 1]! : "UTC";
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const spec = deviceSpec(42, 0, 0);
const { model } = trainLeakModel([simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 7 * DAY })], { userLabel: "bench", source: "simulated" });
const frame = simulateHistory({ seed: 42, device: 0, startMs: T0 + 7 * DAY, endMs: T0 + (7 + DAYS) * DAY, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: T0 + 20 * DAY, size: 0.5 }] });
const time = (f: () => unknown): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
// One untimed run of each so the timings below do not include compiling the code.
replayRules(frame, { timeZone });
const rows = scoreReplay(model, [frame], { topFeatures: 0, timeZone });
const rulesRuns: number[] = [];
const scoreRuns: number[] = [];
for (let r = 0; r < RUNS; r++) {
  rulesRuns.push(time(() => replayRules(frame, { timeZone })));
  scoreRuns.push(time(() => scoreReplay(model, [frame], { topFeatures: 0, timeZone })));
}
const fastest = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const result = { days: DAYS, timeZone, rows: frame.ts.length, scored: rows.length, runs: RUNS, rulesMs: fastest(rulesRuns), rulesMedianMs: median(rulesRuns), scoreMs: fastest(scoreRuns), scoreMedianMs: median(scoreRuns) };
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
if (args.includes("--json")) console.log(JSON.stringify(result));
else {
  console.log(`| history | rows | rules replay (fastest / median of ${RUNS}) | score: rules + features + forest + verdict (fastest / median) |`);
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| ${DAYS} days, 1-min, ${timeZone} | ${frame.ts.length.toLocaleString("en-US")} | ${s(result.rulesMs)} / ${s(result.rulesMedianMs)} | ${s(result.scoreMs)} / ${s(result.scoreMedianMs)} |`);
}
