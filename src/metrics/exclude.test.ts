/** NIGHTOWL_METRICS_EXCLUDE on a real monitor: the chosen per-device groups leave the page, nothing else does. */
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../load-config.ts";
import { silentLogger } from "../log.ts";
import { startMonitor } from "../commands/start-monitor.ts";
import { startSimulator } from "../sim/server.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The repository's global model, so the leak model scores and its feature families have series. */
const MODELS = join(import.meta.dir, "..", "..", "models");

/** Family name → number of series, from one scrape after the first poll's page is rendered. */
async function familiesAfterFirstPoll(exclude?: string): Promise<Map<string, number>> {
  const sim = await startSimulator({ port: 0, devices: 2, seed: 5 });
  cleanups.push(() => sim.stop());
  const account = sim.accounts[0]!;
  const config = loadConfig({
    env: { NIGHTOWL_WARMUP_HOURS: "30", NIGHTOWL_ML_ENABLED: "true", NIGHTOWL_ML_INFERENCE_INTERVAL: "1", NIGHTOWL_ML_MODELS_DIR: MODELS, ...(exclude ? { NIGHTOWL_METRICS_EXCLUDE: exclude } : {}) },
    flags: { baseUrl: sim.url, username: account.username, password: account.password, metricsHost: "127.0.0.1", metricsPort: "0" },
  });
  let polled!: () => void;
  const firstPoll = new Promise<void>((resolve) => (polled = resolve));
  const monitor = await startMonitor({ ...config, pollIntervalSeconds: 3600 }, silentLogger, { observers: () => [{ observe: () => polled() }] });
  cleanups.push(() => monitor.stop());
  await firstPoll;
  await monitor.exposition.refresh();
  const families = new Map<string, number>();
  for (const line of (await (await fetch(monitor.server.url)).text()).split("\n")) {
    const name = /^([a-z_]+?)(?:_bucket|_sum|_count)?[{ ]/.exec(line)?.[1];
    if (name && !line.startsWith("#")) families.set(name, (families.get(name) ?? 0) + 1);
  }
  return families;
}

test("analytics,ml_features leaves out exactly the per-device analytics and feature families", async () => {
  const all = await familiesAfterFirstPoll();
  const trimmed = await familiesAfterFirstPoll("analytics, ml_features");
  const gone = [...all.keys()].filter((n) => !trimmed.has(n)).sort();
  expect(gone).toContain("nightowl_pump_running");
  expect(gone).toContain("nightowl_rule_triggered");
  expect(gone).toContain("nightowl_ml_feature_value");
  expect(gone.every((n) => !n.startsWith("nightowl_ml_") || n.startsWith("nightowl_ml_feature_"))).toBe(true);
  // Health and the other groups stay, with as many series as before.
  for (const kept of ["nightowl_telemetry_value", "nightowl_device_info", "nightowl_last_poll_success", "nightowl_stage_success", "nightowl_ml_leak_probability", "nightowl_ml_model_loaded"]) {
    expect([kept, trimmed.get(kept)]).toEqual([kept, all.get(kept)]);
  }
  expect([...trimmed.keys()].every((n) => all.has(n))).toBe(true);
});

test("ml leaves out every per-device ML family but keeps the per-user model families", async () => {
  const trimmed = await familiesAfterFirstPoll("ml");
  expect([...trimmed.keys()].filter((n) => n.startsWith("nightowl_ml_")).sort()).toEqual(["nightowl_ml_model_loaded", "nightowl_ml_model_trained_at", "nightowl_ml_model_training_samples", "nightowl_ml_model_version_info"]);
  expect(trimmed.get("nightowl_pump_running")).toBeGreaterThan(0);
});

test("an unknown group is refused in one line listing the groups", () => {
  expect(() => loadConfig({ env: { NIGHTOWL_METRICS_EXCLUDE: "analytics,features" } })).toThrow(
    'NIGHTOWL_METRICS_EXCLUDE="analytics,features" is not allowed: expected a comma-separated list of telemetry, attributes, analytics, ml, ml_features',
  );
});
