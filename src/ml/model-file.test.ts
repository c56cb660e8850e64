import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IsolationForest } from "./iforest.ts";
import { confidenceFor, loadModelFile, modelToText, saveModelFile, type LeakModel } from "./model-file.ts";
import { StandardScaler } from "./scaler.ts";
import { calibrateAlarm } from "./alarm-calibration.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function smallModel(): LeakModel {
  const rows = 200;
  const data = new Float64Array(rows * 2);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898) * 43758.5453 % 1;
  const X = { data, rows, cols: 2 };
  const scaler = StandardScaler.fit(X);
  const forest = IsolationForest.fit(scaler.transform(X), { nEstimators: 5, contamination: 0.05, seed: 7 });
  const ts = Float64Array.from({ length: rows }, (_, i) => i * 60_000);
  const decision = forest.decisionFunction(scaler.transform(X));
  return {
    featureNames: ["a", "b"],
    featureOptions: { timeZone: "UTC" },
    scaler,
    forest,
    calibration: { offset: forest.offset, decision_quantiles: Array.from({ length: 101 }, (_, i) => i / 100 - 0.5), training_anomaly_rate: 0.05 },
    alarm: calibrateAlarm([{ ts, decision }]),
    training: {
      trained_at: "2026-01-02T03:04:05.000Z", samples: rows, start_ms: 0, end_ms: ts[rows - 1], user_label: "dgorman", device_ids: ["d1"],
      contamination: 0.05, n_estimators: 5, seed: 7, confidence: confidenceFor(rows), source: "file",
    },
  };
}

function saved(name: string, mutate?: (json: any) => unknown): string {
  const path = join(dir, name);
  const json = JSON.parse(modelToText(smallModel()));
  writeFileSync(path, JSON.stringify(mutate ? (mutate(json) ?? json) : json));
  return path;
}

test("confidence levels: low < 5,000 ≤ medium < 20,000 ≤ high", () => {
  expect([4_999, 5_000, 19_999, 20_000].map(confidenceFor)).toEqual(["low", "medium", "medium", "high"]);
});

test("round trip: the loaded model scores exactly as the saved text says, and the write is atomic", () => {
  const model = smallModel();
  const path = join(dir, "sub", "leak_detector.json");
  saveModelFile(path, model);
  expect(readdirSync(join(dir, "sub"))).toEqual(["leak_detector.json"]);
  const loaded = loadModelFile(path);
  expect(loaded.path).toBe(path);
  expect(loaded.featureNames).toEqual(["a", "b"]);
  expect(loaded.training).toEqual(model.training);
  expect(loaded.forest.nEstimators).toBe(5);
  const again = join(dir, "again.json");
  saveModelFile(again, loaded);
  expect(readFileSync(again, "utf8")).toBe(readFileSync(path, "utf8"));
  const row = { data: Float64Array.from([0.1, -0.2]), rows: 1, cols: 2 };
  expect(loaded.forest.decisionFunction(row)[0]).toBeCloseTo(model.forest.decisionFunction(row)[0], 5);
});

test.each([
  ["empty", (p: string) => writeFileSync(p, ""), "is empty; expected a JSON model written by nightowl train"],
  ["truncated", (p: string) => writeFileSync(p, modelToText(smallModel()).slice(0, 500)), "is not valid JSON ("],
  ["foreign", (p: string) => writeFileSync(p, JSON.stringify({ hello: "world" })), 'is not a nightowl leak model (format missing, expected "nightowl-leak-model")'],
])("rejects a %s file, naming it", (name, write, message) => {
  const path = join(dir, `${name}.json`);
  write(path);
  expect(() => loadModelFile(path)).toThrow(`model file ${path} ${message}`);
});

test("rejects another version", () => {
  const path = saved("v2.json", (j) => void (j.version = 2));
  expect(() => loadModelFile(path)).toThrow(`model file ${path} has version 2; this nightowl reads version 1 — retrain with nightowl train`);
});

test("rejects a tree whose child points outside itself", () => {
  const path = saved("outside.json", (j) => {
    const tree = j.forest.trees[0];
    const split = tree.feature.findIndex((f: number) => f >= 0);
    tree.left[split] = tree.feature.length + 10;
  });
  expect(() => loadModelFile(path)).toThrow(new RegExp(`^model file ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: forest: tree 0 node \\d+: left child \\d+ points outside the tree`));
});

test("rejects a schema violation and disagreeing shapes with the field's path", () => {
  const bad = saved("conf.json", (j) => void (j.training.confidence = "great"));
  expect(() => loadModelFile(bad)).toThrow(`model file ${bad}: training.confidence: `);
  const names = saved("names.json", (j) => void j.feature_names.push("c"));
  expect(() => loadModelFile(names)).toThrow(`model file ${names}: scaler has 2 columns but feature_names has 3`);
  const gate = { features: ["a"], above: [0], quiet_minutes: 15, active_minutes: 45 };
  const draw = saved("draw.json", (j) => void (j.alarm.activity_gate = { ...gate, draw: { feature: "gallons_1h", max: 48 } }));
  expect(() => loadModelFile(draw)).toThrow(`model file ${draw}: alarm.activity_gate.draw: feature "gallons_1h" is not in feature_names`);
  expect(loadModelFile(saved("draw-ok.json", (j) => void (j.alarm.activity_gate = { ...gate, draw: { feature: "b", max: 48 } }))).alarm.activity_gate?.draw).toEqual({ feature: "b", max: 48 });
  const day = saved("day.json", (j) => void (j.alarm.activity_gate = { ...gate, day: { feature: "flow_gpm_mean_24h", low: 0.1 } }));
  expect(() => loadModelFile(day)).toThrow(`model file ${day}: alarm.activity_gate.day: feature "flow_gpm_mean_24h" is not in feature_names`);
  const hours = saved("by-hour.json", (j) => void (j.alarm.activity_gate = { ...gate, draw: { feature: "b", max: 48, by_hour: [1, 2, 3] } }));
  expect(() => loadModelFile(hours)).toThrow(`model file ${hours}: alarm.activity_gate.draw.by_hour: `);
});

test("pickle models are refused by name and by content, and never written", () => {
  const joblib = join(dir, "leak_detector.joblib");
  writeFileSync(joblib, "x");
  expect(() => loadModelFile(joblib)).toThrow(`model file ${joblib}: pickle models are not supported (loading one would run arbitrary code); retrain with nightowl train`);
  const disguised = join(dir, "disguised.json");
  writeFileSync(disguised, Buffer.from([0x80, 0x04, 0x95]));
  expect(() => loadModelFile(disguised)).toThrow("pickle models are not supported");
  expect(() => saveModelFile(join(dir, "m.pkl"), smallModel())).toThrow("models are JSON files");
});

test("a missing file is named", () => {
  const path = join(dir, "nope.json");
  expect(() => loadModelFile(path)).toThrow(`model file ${path} does not exist`);
});
