import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { registerMlMetrics } from "./ml.ts";
import { createRegistry } from "./registry.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { simulateHistory } from "../sim/history.ts";
import { trainLeakModel } from "../ml/leak-model.ts";
import { saveModelFile } from "../ml/model-file.ts";
import { createLiveScorer } from "./live-scorer.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const dir = mkdtempSync(join(tmpdir(), "nightowl-live-"));
let live: HistoryFrame;

beforeAll(() => {
  const train = simulateHistory({ seed: 7, device: 0, startMs: T0, endMs: T0 + 2 * DAY });
  const { text } = trainLeakModel([train], { userLabel: "global", source: "simulated", nEstimators: 20 });
  mkdirSync(join(dir, "models", "global"), { recursive: true });
  saveModelFile(join(dir, "models", "global", "leak_detector.json"), text);
  live = simulateHistory({ seed: 7, device: 0, startMs: T0 + 2 * DAY, endMs: T0 + 2 * DAY + 3 * 3_600_000 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(frame: HistoryFrame, i: number): DeviceSnapshot {
  const telemetry: DeviceSnapshot["telemetry"] = {};
  for (const [key, column] of Object.entries(frame.columns)) if (column[i] === column[i]) telemetry[key] = { ts: frame.ts[i], value: String(column[i]) };
  return { id: frame.deviceId, name: "3701155", type: "NightOwl Flex", userLabel: "dgorman", telemetry, attributes: {} };
}

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { lines, error: push, warn: push, info: push, debug() {} };
}

test("after the windows warm up, every Nth poll exports the ML families for the device", async () => {
  const registry = createRegistry();
  const log = recordingLog();
  const scorer = createLiveScorer({ metrics: registerMlMetrics(registry), log, modelsDir: join(dir, "models"), inferenceInterval: 5, now: () => T0 });
  for (let i = 0; i < live.ts.length; i++) {
    await scorer.observe({ ok: true, devices: [snapshot(live, i)], startedAt: live.ts[i], durationMs: 1 });
  }
  const text = await registry.metrics();
  const labels = `user_label="dgorman",device_id="${live.deviceId}",device_name="3701155"`;
  expect(text).toContain('nightowl_ml_model_loaded{user_label="dgorman"} 1');
  expect(text).toMatch(new RegExp(`nightowl_ml_leak_probability\\{${labels}\\} \\d`));
  expect(text).toMatch(new RegExp(`nightowl_ml_anomaly_score\\{${labels}\\} -?\\d`));
  expect(text).toContain(`nightowl_ml_model_confidence{${labels}} 0`); // 2,820 samples: low
  expect(text).toMatch(new RegExp(`nightowl_ml_feature_contribution\\{${labels},feature="[a-z0-9_]+"\\} 0\\.\\d+`));
  expect((text.match(/^nightowl_ml_feature_contribution\{/gm) ?? []).length).toBe(10);
  expect((text.match(/^nightowl_ml_feature_value\{/gm) ?? []).length).toBeLessThanOrEqual(20);
  // 180 polls, one inference every 5th: the first hour warms the windows up.
  const count = (status: string) => Number(new RegExp(`nightowl_ml_inferences_total\\{${labels},status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  expect(count("success") + count("insufficient_data")).toBe(36);
  expect(count("insufficient_data")).toBeGreaterThanOrEqual(11);
  expect(count("success")).toBeGreaterThanOrEqual(20);
  expect(scorer.latest(live.deviceId)?.verdict.probability).toBeGreaterThanOrEqual(0);
  expect(log.lines.some((l) => l.startsWith("leak model loaded for user dgorman"))).toBe(true);
});

test("no model: one warning and nightowl_ml_model_loaded 0; reload (SIGHUP) picks a model up", async () => {
  const registry = createRegistry();
  const log = recordingLog();
  const empty = join(dir, "empty-models");
  const scorer = createLiveScorer({ metrics: registerMlMetrics(registry), log, modelsDir: empty, fallbackModel: null, inferenceInterval: 1 });
  for (let i = 0; i < 3; i++) await scorer.observe({ ok: true, devices: [snapshot(live, i)], startedAt: 0, durationMs: 1 });
  expect(await registry.metrics()).toContain('nightowl_ml_model_loaded{user_label="dgorman"} 0');
  expect(log.lines.filter((l) => l.startsWith("no leak model for user dgorman")).length).toBe(1);
  mkdirSync(join(empty, "users", "dgorman"), { recursive: true });
  saveModelFile(join(empty, "users", "dgorman", "leak_detector.json"), trainLeakModel([live], { userLabel: "dgorman", source: "file", nEstimators: 5 }).text);
  scorer.reload();
  await scorer.observe({ ok: true, devices: [snapshot(live, 3)], startedAt: 0, durationMs: 1 });
  const text = await registry.metrics();
  expect(text).toContain('nightowl_ml_model_loaded{user_label="dgorman"} 1');
  expect(text).toMatch(/nightowl_ml_model_version_info\{user_label="dgorman",version="[^"]+",source="file"\} 1/);
});

test("a device that disappears loses its ML series", async () => {
  const registry = createRegistry();
  const scorer = createLiveScorer({ metrics: registerMlMetrics(registry), log: recordingLog(), modelsDir: join(dir, "models"), inferenceInterval: 1 });
  for (let i = 0; i < 70; i++) await scorer.observe({ ok: true, devices: [snapshot(live, i)], startedAt: 0, durationMs: 1 });
  expect(await registry.metrics()).toContain("nightowl_ml_leak_probability{");
  await scorer.observe({ ok: true, devices: [], startedAt: 0, durationMs: 1 });
  expect(await registry.metrics()).not.toContain("nightowl_ml_leak_probability{");
});

test("warm(device, frame) from recent history scores the very first poll; a cold scorer cannot", async () => {
  const history = simulateHistory({ seed: 7, device: 0, startMs: T0 + DAY, endMs: T0 + 2 * DAY });
  const first = snapshot(live, 0);
  const registry = createRegistry();
  const scorer = createLiveScorer({ metrics: registerMlMetrics(registry), log: recordingLog(), modelsDir: join(dir, "models"), inferenceInterval: 1 });
  scorer.warm(first, history);
  await scorer.observe({ ok: true, devices: [first], startedAt: 0, durationMs: 1 });
  expect(await registry.metrics()).toMatch(/nightowl_ml_inferences_total\{[^}]*status="success"\} 1/);
  expect(scorer.latest(first.id)?.ts).toBe(live.ts[0]);

  const coldRegistry = createRegistry();
  const cold = createLiveScorer({ metrics: registerMlMetrics(coldRegistry), log: recordingLog(), modelsDir: join(dir, "models"), inferenceInterval: 1 });
  await cold.observe({ ok: true, devices: [first], startedAt: 0, durationMs: 1 });
  expect(await coldRegistry.metrics()).toMatch(/nightowl_ml_inferences_total\{[^}]*status="insufficient_data"\} 1/);
});

const promtool = Bun.which("promtool");
if (!promtool) console.warn("skip: promtool not installed (Debian package prometheus)");
test.skipIf(!promtool)("the ML families pass promtool check metrics", async () => {
  const registry = createRegistry();
  const scorer = createLiveScorer({ metrics: registerMlMetrics(registry), log: recordingLog(), modelsDir: join(dir, "models"), inferenceInterval: 1 });
  for (let i = 0; i < 70; i++) await scorer.observe({ ok: true, devices: [snapshot(live, i)], startedAt: 0, durationMs: 1 });
  const p = Bun.spawnSync([promtool!, "check", "metrics"], { stdin: Buffer.from(await registry.metrics()), stdout: "pipe", stderr: "pipe" });
  expect(p.stderr.toString() + p.stdout.toString()).toBe("");
  expect(p.exitCode).toBe(0);
});

test("a device lacking a sensor the model needs is reported once and counted as an error", async () => {
  const meterless = simulateHistory({ seed: 7, device: 2, startMs: T0 + 2 * DAY, endMs: T0 + 2 * DAY + 600_000 });
  expect(meterless.columns.Pulse_TotalGallons).toBeUndefined();
  const registry = createRegistry();
  const log = recordingLog();
  const scorer = createLiveScorer({ metrics: registerMlMetrics(registry), log, modelsDir: join(dir, "models"), inferenceInterval: 1 });
  for (let i = 0; i < 5; i++) await scorer.observe({ ok: true, devices: [snapshot(meterless, i)], startedAt: 0, durationMs: 1 });
  const warnings = log.lines.filter((l) => l.startsWith("device 3701155 cannot be scored by the leak model"));
  expect(warnings.length).toBe(1);
  expect(warnings[0]).toContain("Pulse_TotalGallons");
  expect(await registry.metrics()).toMatch(/nightowl_ml_inferences_total\{[^}]*status="error"\} 5/);
});

test("a model trained in one zone, scoring sites in another, is warned of once when it loads", async () => {
  const log = recordingLog();
  const scorer = createLiveScorer({ metrics: registerMlMetrics(createRegistry()), log, modelsDir: join(dir, "models"), inferenceInterval: 1, timeZone: "Asia/Tokyo", now: () => T0 });
  for (let i = 0; i < 3; i++) await scorer.observe({ ok: true, devices: [snapshot(live, i)], startedAt: live.ts[i], durationMs: 1 });
  const warnings = log.lines.filter((l) => l.includes("was trained with nights and weekdays in UTC, but the sites' zone Asia/Tokyo is 9 h ahead of it today"));
  expect(warnings).toHaveLength(1);
});
