import { expect, test } from "bun:test";
import type { LeakModel } from "../ml/model-file.ts";
import { registerMlMetrics } from "./ml.ts";
import { createRegistry } from "./registry.ts";

const model = (trainedAt: string) => ({ training: { trained_at: trainedAt, samples: 43_000, source: "file", confidence: "high" } }) as unknown as LeakModel;
const labels = { user_label: "dgorman", device_id: "d1", device_name: "3701155" };

test("a new model replaces the old version's series; none sets loaded 0 and drops the facts", async () => {
  const registry = createRegistry();
  const ml = registerMlMetrics(registry);
  ml.setModel("dgorman", model("2026-01-01T00:00:00.000Z"));
  ml.setModel("dgorman", model("2026-02-01T00:00:00.000Z"));
  let text = await registry.metrics();
  expect(text.match(/^nightowl_ml_model_version_info\{/gm)?.length).toBe(1);
  expect(text).toContain('nightowl_ml_model_version_info{user_label="dgorman",version="2026-02-01T00:00:00.000Z",source="file"} 1');
  expect(text).toContain(`nightowl_ml_model_trained_at{user_label="dgorman"} ${Date.parse("2026-02-01T00:00:00Z") / 1000}`);
  expect(text).toContain('nightowl_ml_model_training_samples{user_label="dgorman"} 43000');
  ml.setModel("dgorman", null);
  text = await registry.metrics();
  expect(text).toContain('nightowl_ml_model_loaded{user_label="dgorman"} 0');
  expect(text).not.toContain("nightowl_ml_model_version_info{");
  expect(text).not.toContain("nightowl_ml_model_trained_at{");
});

test("feature series follow the latest inference: top 10 contributions, top 20 values, stale ones removed", async () => {
  const registry = createRegistry();
  const ml = registerMlMetrics(registry);
  const pairs = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 1 / (i + 1)] as const);
  const record = (prefix: string) => ml.record(labels, { probability: 12.5, decision: 0.05, isAnomaly: false, confidence: 2, contributions: pairs(prefix, 30), values: pairs(prefix, 30), timestampMs: 1_700_000_000_000 });
  record("a");
  record("b");
  const text = await registry.metrics();
  expect(text.match(/^nightowl_ml_feature_contribution\{/gm)?.length).toBe(10);
  expect(text.match(/^nightowl_ml_feature_value\{/gm)?.length).toBe(20);
  expect(text).not.toContain('feature="a0"');
  expect(text).toContain('nightowl_ml_inference_timestamp{user_label="dgorman",device_id="d1",device_name="3701155"} 1700000000');
  expect(text).toContain('nightowl_ml_inferences_total{user_label="dgorman",device_id="d1",device_name="3701155",status="success"} 2');
  expect(text).toContain('nightowl_ml_model_confidence{user_label="dgorman",device_id="d1",device_name="3701155"} 2');
});

test("a device not scored yet reads 0 (probability, alarm, score) and inference time 0; its first verdict replaces them and later misses keep it", async () => {
  const registry = createRegistry();
  const ml = registerMlMetrics(registry);
  const device = (text: string, name: string) => text.match(new RegExp(`^${name}\\{user_label="dgorman",device_id="d1",device_name="3701155"\\} (\\S+)$`, "m"))?.[1];
  const notYet = ["nightowl_ml_leak_probability", "nightowl_ml_is_anomaly", "nightowl_ml_anomaly_score", "nightowl_ml_inference_timestamp"];
  let text = await registry.metrics();
  expect(notYet.map((n) => device(text, n))).toEqual([undefined, undefined, undefined, undefined]);

  ml.count(labels, "insufficient_data");
  text = await registry.metrics();
  expect(notYet.map((n) => device(text, n))).toEqual(["0", "0", "0", "0"]);
  expect(text).toContain('nightowl_ml_inferences_total{user_label="dgorman",device_id="d1",device_name="3701155",status="insufficient_data"} 1');
  expect(text).not.toContain("nightowl_ml_feature_contribution{");

  ml.record(labels, { probability: 91, decision: -0.08, isAnomaly: true, confidence: 1, contributions: [["flow", 0.4]], values: [["flow", 3]], timestampMs: 1_700_000_000_000 });
  ml.count(labels, "error");
  text = await registry.metrics();
  // A miss after a verdict leaves the verdict; the counter tells what happened.
  expect(notYet.map((n) => device(text, n))).toEqual(["91", "1", "-0.08", "1700000000"]);

  ml.removeDevice(labels);
  ml.count(labels, "no_model");
  text = await registry.metrics();
  expect(notYet.map((n) => device(text, n))).toEqual(["0", "0", "0", "0"]);
});

test("an overlapping top list keeps the shared features with their new values; the same verdict again changes only time and count", async () => {
  const registry = createRegistry();
  const ml = registerMlMetrics(registry);
  const inference = (names: string[], value: number, timestampMs: number) => ({
    probability: 12.5, decision: 0.05, isAnomaly: false, confidence: 2,
    contributions: names.map((n) => [n, value] as const), values: names.map((n) => [n, value] as const), timestampMs,
  });
  ml.record(labels, inference(["f1", "f2", "f3"], 0.1, 1_700_000_000_000));
  const again = inference(["f2", "f3", "f4"], 0.2, 1_700_000_010_000);
  ml.record(labels, again);
  ml.record(labels, { ...again, timestampMs: 1_700_000_020_000 });
  const text = await registry.metrics();
  const features = [...text.matchAll(/^nightowl_ml_feature_value\{[^}]*feature="(\w+)"\} (\S+)$/gm)].map((m) => `${m[1]}=${m[2]}`).sort();
  expect(features).toEqual(["f2=0.2", "f3=0.2", "f4=0.2"]);
  expect(text).toContain('nightowl_ml_inference_timestamp{user_label="dgorman",device_id="d1",device_name="3701155"} 1700000020');
  expect(text).toContain('nightowl_ml_inferences_total{user_label="dgorman",device_id="d1",device_name="3701155",status="success"} 3');
});

test("features still shown keep their place and take the new value, new ones follow, as prom-client's set and remove would; counts go on after a removal", async () => {
  const registry = createRegistry();
  const ml = registerMlMetrics(registry);
  const inference = (names: string[], value: number) => ({
    probability: 1, decision: 0.1, isAnomaly: false, confidence: 2,
    contributions: names.map((n) => [n, value] as const), values: names.map((n) => [n, value + 1] as const), timestampMs: 1_700_000_000_000,
  });
  ml.record(labels, inference(["f1", "f2", "f3"], 0.1));
  ml.record(labels, inference(["f3", "f1", "f4"], 0.2));
  let text = await registry.metrics();
  const lines = (family: string) => [...text.matchAll(new RegExp(`^${family}\\{[^}]*feature="(\\w+)"\\} (\\S+)$`, "gm"))].map((m) => `${m[1]}=${m[2]}`);
  expect(lines("nightowl_ml_feature_contribution")).toEqual(["f1=0.2", "f3=0.2", "f4=0.2"]);
  expect(lines("nightowl_ml_feature_value")).toEqual(["f1=1.2", "f3=1.2", "f4=1.2"]);
  ml.count(labels, "error");
  ml.removeDevice(labels);
  ml.count(labels, "error");
  ml.record(labels, inference(["f5"], 0.3));
  text = await registry.metrics();
  expect(lines("nightowl_ml_feature_contribution")).toEqual(["f5=0.3"]);
  expect(text).toContain('nightowl_ml_inferences_total{user_label="dgorman",device_id="d1",device_name="3701155",status="success"} 3\n');
  expect(text).toContain('nightowl_ml_inferences_total{user_label="dgorman",device_id="d1",device_name="3701155",status="error"} 2\n');
});
