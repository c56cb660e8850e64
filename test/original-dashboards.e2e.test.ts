/**
 * A drop-in for the original monitor's users: a real Prometheus scrapes `nightowl run --demo`
 * every second with both shipped rule files loaded (evaluated every second), and every family
 * the original exported and every `nightowl:*` series its dashboards read must return series
 * carrying the labels the dashboards select on — through the dashboards' own variables:
 * `$user` from `label_values(nightowl_device_info, user_label)`, `$device` from
 * `label_values(nightowl_device_info{user_label=~"$user"}, device_name)`.
 *
 * The 14-day figures are computed from the few seconds of history there are: this checks that
 * they exist per device, not their values (the promtool unit tests do that).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { emptyDir, parseExposition, startCli, type LongRunning } from "./cli-process.ts";
import { startPrometheus, type PrometheusServer } from "./prometheus-server.ts";

const ROOT = join(import.meta.dir, "..");
const RULES_DIR = join(ROOT, "deploy", "prometheus");
/** The shipped model, named by path: the test runs nightowl in an empty directory. */
const MODEL = join(ROOT, "models", "global", "leak_detector.json");
const RULE_FILES = ["nightowl-rules.yml", "nightowl-recording-rules.yml"];

const prometheusBin = Bun.which("prometheus");
if (!prometheusBin) console.warn("skip: prometheus not installed (Debian package prometheus); the original dashboards' end-to-end test is skipped");

const DEVICE = ["user_label", "device_id", "device_name"];

/** The original's per-device families and the series its dashboards read, with the labels they need. */
const PER_DEVICE = [
  "nightowl_telemetry_value", "nightowl_attribute_value", "nightowl_device_info",
  "nightowl_ml_anomaly_score", "nightowl_ml_leak_probability", "nightowl_ml_is_anomaly",
  "nightowl_ml_model_confidence", "nightowl_ml_feature_value", "nightowl_ml_feature_contribution",
  "nightowl_ml_inference_timestamp", "nightowl_ml_inferences_total",
  "nightowl:leak_probability_score", "nightowl:leak_detected",
  "nightowl:daily_usage_gallons:24h", "nightowl:daily_usage_gallons:14d_avg",
  "nightowl:pump_duty_cycle:1h", "nightowl:pump_duty_cycle:14d_avg",
  "nightowl:daily_usage_zscore", "nightowl:pump_duty_cycle_zscore", "nightowl:night_usage_zscore",
  "nightowl:level_drop_zscore", "nightowl:pressure_drop_zscore",
];
/** The original's per-account families: the poll health and the loaded model. */
const PER_USER = [
  "nightowl_last_poll_success", "nightowl_last_poll_timestamp", "nightowl_poll_attempts_total",
  "nightowl_ml_model_trained_at", "nightowl_ml_model_training_samples", "nightowl_ml_model_version_info",
];

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

let prometheus: PrometheusServer | undefined;
let monitor: LongRunning | undefined;
let promUrl = "";
let metricsUrl = "";
/** Per expression the series of the last query, filled once all of them answered or the deadline passed. */
const results = new Map<string, Series[]>();
let user = "";
let devices: string[] = [];

async function query(expr: string): Promise<Series[]> {
  const response = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: Series[] } };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

/** `name{user_label=~"$user", device_name=~"$device"}` with the variables as Grafana fills them (all devices). */
function selected(name: string): string {
  return `${name}{user_label=~"${user}", device_name=~"${devices.join("|")}"}`;
}

beforeAll(
  async () => {
    if (!prometheusBin) return;
    const dir = emptyDir("original-dashboards");
    monitor = startCli(["run", "--demo", "--metrics-port", "0", "--poll-interval", "10", "--ml-inference-interval", "1", "--model-path", MODEL]);
    metricsUrl = (await monitor.waitFor(/Serving metrics on (http:\/\/\S+\/metrics)/))[1]!;
    prometheus = await startPrometheus({ binary: prometheusBin, dir, target: new URL(metricsUrl).host, ruleFiles: RULE_FILES.map((f) => join(RULES_DIR, f)) });
    promUrl = prometheus.url;

    // The dashboards' variables, then every family through them, until all answer or 60 s pass.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const info = await query("nightowl_device_info");
      user = info[0]?.metric.user_label ?? "";
      devices = [...new Set(info.filter((s) => s.metric.user_label === user).map((s) => s.metric.device_name!))].sort();
      if (devices.length > 0) {
        for (const name of [...PER_DEVICE, ...PER_USER]) results.set(name, await query(PER_USER.includes(name) ? `${name}{user_label=~"${user}"}` : selected(name)));
        if ([...results.values()].every((r) => r.length > 0)) break;
      }
      if (Date.now() > deadline) break;
      await Bun.sleep(1_000);
    }
  },
  { timeout: 120_000 },
);

afterAll(async () => {
  monitor?.kill();
  await prometheus?.stop();
});

test.skipIf(!prometheusBin)("the dashboards' $user and $device variables list the demo's account and its three devices", () => {
  expect(user).not.toBe("");
  expect(devices).toHaveLength(3);
});

test.skipIf(!prometheusBin)("every family the original exported and every nightowl:* series its dashboards read returns series for $user and $device", () => {
  const empty = [...PER_DEVICE, ...PER_USER].filter((name) => (results.get(name)?.length ?? 0) === 0);
  expect(empty).toEqual([]);
});

test.skipIf(!prometheusBin)("per-device series carry user_label, device_id and device_name; per-account ones user_label", () => {
  const missing: string[] = [];
  for (const name of PER_DEVICE) {
    for (const s of results.get(name) ?? []) {
      const absent = DEVICE.filter((l) => !s.metric[l]);
      if (absent.length > 0) missing.push(`${name} lacks ${absent.join(", ")}: ${JSON.stringify(s.metric)}`);
    }
  }
  for (const name of PER_USER) for (const s of results.get(name) ?? []) if (s.metric.user_label !== user) missing.push(`${name}: ${JSON.stringify(s.metric)}`);
  expect(missing).toEqual([]);
});

test.skipIf(!prometheusBin)("the recorded series of each kind cover every device whose sensors feed it", () => {
  const covered = (name: string) => new Set((results.get(name) ?? []).map((s) => s.metric.device_name)).size;
  // The verdict, pump time and pressure exist for all three demo sites.
  for (const name of ["nightowl:leak_probability_score", "nightowl:leak_detected", "nightowl:pump_duty_cycle:1h", "nightowl:pump_duty_cycle_zscore", "nightowl:pressure_drop_zscore"]) {
    expect(`${name}: ${covered(name)}`).toBe(`${name}: 3`);
  }
  // One demo site has no flow meter and one no level sensor.
  for (const name of ["nightowl:daily_usage_gallons:24h", "nightowl:daily_usage_zscore", "nightowl:night_usage_zscore", "nightowl:level_drop_zscore"]) {
    expect(`${name}: ${covered(name)}`).toBe(`${name}: 2`);
  }
  // A 14-day figure from seconds of history is still a number, not NaN.
  for (const name of ["nightowl:daily_usage_gallons:14d_avg", "nightowl:pump_duty_cycle:14d_avg", "nightowl:daily_usage_zscore", "nightowl:pressure_drop_zscore"]) {
    for (const s of results.get(name) ?? []) expect(`${name} ${s.metric.device_name} ${Number.isFinite(Number(s.value[1]))}`).toBe(`${name} ${s.metric.device_name} true`);
  }
});

test.skipIf(!prometheusBin)("every per-device family nightowl exports, analytics and rules included, carries the three device labels", async () => {
  const samples = parseExposition(await (await fetch(metricsUrl)).text());
  const perDevice = samples.filter((s) => "device_id" in s.labels || "device_name" in s.labels);
  expect(new Set(perDevice.map((s) => s.name))).toContain("nightowl_rule_triggered");
  expect(new Set(perDevice.map((s) => s.name))).toContain("nightowl_pump_running");
  const lacking = perDevice.filter((s) => DEVICE.some((l) => !s.labels[l])).map((s) => `${s.name} ${JSON.stringify(s.labels)}`);
  expect(lacking).toEqual([]);
  // No other family is per device under another name (a `device` or `device_name`-less id).
  const stray = samples.filter((s) => !perDevice.includes(s) && Object.keys(s.labels).some((l) => /device/.test(l)));
  expect(stray.map((s) => s.name)).toEqual([]);
});

test("without a model the leak families read 'not yet' for every device instead of no data", async () => {
  const bare = startCli(["run", "--demo", "--metrics-port", "0", "--poll-interval", "10", "--ml-inference-interval", "1", "--ml-embedded-model", "false"]);
  try {
    const url = (await bare.waitFor(/Serving metrics on (http:\/\/\S+\/metrics)/))[1]!;
    await bare.waitFor(/no leak model for user/);
    await bare.waitFor(/Polled 3 device\(s\)/);
    // The poll's observers finish just after its log line, device by device; read until the
    // scorer has counted all three.
    const counted = (all: ReturnType<typeof parseExposition>) => all.filter((s) => s.name === "nightowl_ml_inferences_total").length;
    let samples = parseExposition(await (await fetch(url)).text());
    for (let i = 0; i < 100 && counted(samples) < 3; i++) {
      await Bun.sleep(100);
      samples = parseExposition(await (await fetch(url)).text());
    }
    const values = (name: string) => samples.filter((s) => s.name === name).map((s) => `${s.labels.device_name}=${s.value}`).sort();
    const names = [...new Set(samples.filter((s) => s.name === "nightowl_device_info").map((s) => s.labels.device_name!))].sort();
    expect(names).toHaveLength(3);
    for (const name of ["nightowl_ml_leak_probability", "nightowl_ml_is_anomaly", "nightowl_ml_anomaly_score", "nightowl_ml_inference_timestamp"]) {
      expect(`${name}: ${values(name).join(" ")}`).toBe(`${name}: ${names.map((n) => `${n}=0`).join(" ")}`);
    }
    expect(samples.filter((s) => s.name === "nightowl_ml_inferences_total").map((s) => s.labels.status)).toEqual(["no_model", "no_model", "no_model"]);
    expect(samples.find((s) => s.name === "nightowl_ml_model_loaded")?.value).toBe(0);
  } finally {
    bare.kill();
  }
});
