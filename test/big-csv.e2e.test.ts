/**
 * Big history CSVs through the real program: `train` streams the feature rows and `score`
 * writes its verdicts device by device as they are made. What they write must be exactly
 * what the library gives with everything in memory at once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { scoresCsv, scoresTable } from "../src/commands/score.ts";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { loadModelFile } from "../src/ml/model-file.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import { readHistoryCsv, writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { emptyDir, runCli } from "./cli-process.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const dir = emptyDir("big-csv");
const csv = join(dir, "history.csv");
const modelPath = join(dir, "model.json");

beforeAll(async () => {
  // Three devices × three days of minutes, every default key a column: about 2.5 MB.
  const frames = [0, 1, 2].map((device) => simulateHistory({ seed: 11, device, startMs: T0, endMs: T0 + 3 * DAY }));
  await writeHistoryCsv(csv, frames, DEFAULT_TIMESERIES_KEYS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withoutTrainedAt = (text: string) => text.replace(/"trained_at": *"[^"]*"/, "");

test("train on a multi-megabyte CSV writes the model the library fits on the file read whole", async () => {
  const r = await runCli(["train", "--from-file", csv, "--model-path", modelPath, "--timezone", "UTC", "--n-estimators", "30", "--log-level", "error"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("from 3 device(s)");
  const frames = await readHistoryCsv(csv);
  const reference = trainLeakModel(frames, { userLabel: frames[0]!.userLabel === frames[1]!.userLabel ? frames[0]!.userLabel : "global", source: "file", timeZone: "UTC", nEstimators: 30 });
  expect(withoutTrainedAt(readFileSync(modelPath, "utf8"))).toBe(withoutTrainedAt(reference.text));
}, 60_000);

test("score writes, device by device, exactly the verdicts of scoring everything at once", async () => {
  const model = loadModelFile(modelPath);
  const frames = await readHistoryCsv(csv);
  const csvOut = await runCli(["score", "--from-file", csv, "--model-path", modelPath, "--timezone", "UTC", "--format", "csv", "--log-level", "error"]);
  expect(csvOut.code).toBe(0);
  const rows = scoreReplay(model, frames, { topFeatures: 5 });
  expect(rows.length).toBeGreaterThan(10_000);
  expect(csvOut.stdout).toBe(scoresCsv(rows));

  const jsonOut = await runCli(["score", "--from-file", csv, "--model-path", modelPath, "--timezone", "UTC", "--format", "json", "--log-level", "error"]);
  expect(jsonOut.code).toBe(0);
  const parsed = JSON.parse(jsonOut.stdout) as { timestamp: number; device_id: string; anomaly_score: number; is_anomaly: number }[];
  expect(parsed.map((p) => [p.timestamp, p.device_id, p.anomaly_score, p.is_anomaly])).toEqual(rows.map((r) => [r.ts, r.deviceId, Number(r.decision.toFixed(6)) + 0, r.isAnomaly ? 1 : 0]));

  const tableOut = await runCli(["score", "--from-file", csv, "--model-path", modelPath, "--timezone", "UTC", "--log-level", "error"]);
  expect(tableOut.code).toBe(0);
  const tableRows = scoreReplay(model, frames, { topFeatures: 3 });
  expect(tableOut.stdout).toBe(scoresTable(model, tableRows, "UTC"));
  expect(tableOut.stdout.match(/^Device: /gm)?.length).toBe(3);
}, 120_000);

test("a history over the memory budget stops train and score before reading, with one line naming the file, the estimate and the setting", async () => {
  for (const command of ["train", "score"]) {
    const r = await runCli([command, "--from-file", csv, "--model-path", modelPath], { NIGHTOWL_MAX_MEMORY_MB: "64" });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`${csv.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: reading it needs about [\\d,]+ MiB \\(\\d+ MB, about [\\d,]+ rows × 26 keys\\), over NIGHTOWL_MAX_MEMORY_MB=64`));
    expect(r.stderr).not.toContain("RangeError");
  }
  // The flag says the same, naming the flag it came from, and a budget that fits lets it through.
  const flag = await runCli(["score", "--from-file", csv, "--model-path", modelPath, "--max-memory-mb", "64", "--format", "csv"]);
  expect(flag.code).toBe(1);
  expect(flag.stderr).toContain("over --max-memory-mb 64; raise the setting");
  const fits = await runCli(["train", "--from-file", csv, "--model-path", join(dir, "fits.json"), "--n-estimators", "10", "--quiet"], { NIGHTOWL_MAX_MEMORY_MB: "1024" });
  expect(fits.code).toBe(0);
}, 60_000);
