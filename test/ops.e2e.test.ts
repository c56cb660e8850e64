/**
 * Operations end to end: `nightowl run --demo` scraped every second by a real Prometheus that
 * loads the shipped alert rules. Every PromQL expression of the Grafana dashboard and of the
 * alert rules must find series; `train --from-prometheus` must learn from what Prometheus
 * stored; promtool must accept the exposition, the rules and their unit tests; and
 * systemd-analyze must accept the unit.
 *
 * Prometheus starts with a day of the demo sites' history backfilled (fetch-history →
 * promtool blocks), as docs/history.md's backfill step does: the model's windows need an hour of
 * contiguous history, more than a test can wait for, and `run` warms its live windows from it.
 * The model `run` scores with is trained on a week of the same history.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO } from "../src/commands/portal.ts";
import { startSimulator } from "../src/sim/server.ts";
import { cleanEnv, emptyDir, promtoolCheck, runCli, startCli, type LongRunning } from "./cli-process.ts";
import { freePort } from "./loopback.ts";
import { startPrometheus, type PrometheusServer } from "./prometheus-server.ts";

const ROOT = join(import.meta.dir, "..");
const RULES = join(ROOT, "deploy", "prometheus", "nightowl-rules.yml");
const RULE_TESTS = join(ROOT, "deploy", "prometheus", "nightowl-rules.test.yml");
const DASHBOARD = join(ROOT, "grafana", "nightowl-dashboard.json");
const UNIT = join(ROOT, "deploy", "systemd", "nightowl.service");

const prometheusBin = Bun.which("prometheus");
const promtool = Bun.which("promtool");
const systemdAnalyze = Bun.which("systemd-analyze");
const HAS_PROMETHEUS = prometheusBin !== null && promtool !== null;
if (!HAS_PROMETHEUS) console.warn("skip: prometheus/promtool not installed (Debian package prometheus); the operations end-to-end tests are skipped");
if (!systemdAnalyze) console.warn("skip: systemd-analyze not installed (Debian package systemd); the unit is not verified");

/** Days of demo history the run's model is trained on: a week, so day-of-week features vary. */
const HISTORY_DAYS = 7;
/** How long the expressions get to find series once the first telemetry is stored, ms. */
const SERIES_WAIT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// The expressions under test.

interface NamedExpr {
  /** Where it comes from: `dashboard: <panel title>`, `variable: <name>` or `alert: <name>`. */
  source: string;
  expr: string;
}

/** Grafana's variables and interval macros replaced by values any Prometheus understands. */
function substituteGrafana(expr: string): string {
  return expr
    .replace(/\$\{?__(rate_)?interval\}?|\$\{?__range\}?/g, "1m")
    .replace(/\$\{?(user|device)(?::[a-z]+)?\}?/g, ".*");
}

/** `label_values(selector, label)` → `selector`; any other variable query as is. */
function variableSelector(query: string): string {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(query);
  return m ? m[1]! : query;
}

/**
 * The left-hand side of an alert expression's last top-level comparison (`x > 80` → `x`), so
 * the healthy demo, where the condition does not hold, still shows the series exist. Brackets,
 * braces, parentheses and quoted strings are skipped; an expression without one is returned whole.
 */
function comparisonLhs(expr: string): string {
  let depth = 0;
  let quote = "";
  let cut = -1;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && /^(==|!=|>=|<=|>|<)/.test(expr.slice(i))) {
      cut = i;
      if (expr[i + 1] === "=") i++;
    }
  }
  return (cut < 0 ? expr : expr.slice(0, cut)).trim();
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every target expression and query variable of the dashboard, Grafana macros substituted. */
function dashboardExprs(json: { panels: Panel[]; templating?: { list: { name: string; type: string; query?: string | { query?: string } }[] } }): NamedExpr[] {
  const out: NamedExpr[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ source: `dashboard: ${p.title ?? "(untitled)"}`, expr: substituteGrafana(t.expr) });
      walk(p.panels ?? []);
    }
  };
  walk(json.panels);
  for (const v of json.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    if (q) out.push({ source: `variable: ${v.name}`, expr: substituteGrafana(variableSelector(q)) });
  }
  return out;
}

/** Each alert rule's expression (`full`) and the part that must have series (`expr`). */
function alertExprs(yaml: string): (NamedExpr & { full: string })[] {
  const out: (NamedExpr & { full: string })[] = [];
  let alert = "";
  for (const line of yaml.split("\n")) {
    const a = /^\s*-\s*alert:\s*(\S+)/.exec(line);
    if (a) alert = a[1]!;
    const e = /^\s*expr:\s*(.+?)\s*$/.exec(line);
    if (e && alert) {
      const full = e[1]!.replace(/^(['"])(.*)\1$/, "$2");
      out.push({ source: `alert: ${alert}`, expr: comparisonLhs(full), full });
      alert = "";
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The running system.



function run(cmd: string[], cwd?: string): { code: number; output: string } {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, output: r.stdout.toString() + r.stderr.toString() };
}

let dir = "";
let promUrl = "";
let metricsUrl = "";
let prometheus: PrometheusServer | undefined;
let monitor: LongRunning | undefined;
const dashboard: NamedExpr[] = [];
const alerts: (NamedExpr & { full: string })[] = [];
/** Series count per expression at the last evaluation; -1 when Prometheus rejected it, with the error. */
const found = new Map<string, { count: number; error?: string }>();

async function seriesCount(expr: string): Promise<{ count: number; error?: string }> {
  const response = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown[] | unknown } };
  if (body.status !== "success") return { count: -1, error: body.error };
  return { count: Array.isArray(body.data?.result) ? body.data.result.length : 1 };
}

/**
 * Alerts on families `run --demo` does not export: the per-account ones exist only with
 * NIGHTOWL_ACCOUNTS_FILE (src/commands/accounts.test.ts scrapes them; promtool's unit tests fire
 * the alert). The healthy-demo check still evaluates them.
 */
const NOT_IN_THE_DEMO = new Set(["alert: NightowlAccountPollFailing"]);

/** The expressions that must find series in Prometheus scraping the demo. */
function expectedInDemo(): NamedExpr[] {
  return [...dashboard, ...alerts].filter((e) => !NOT_IN_THE_DEMO.has(e.source));
}

async function evaluateAll(): Promise<NamedExpr[]> {
  const missing: NamedExpr[] = [];
  for (const e of expectedInDemo()) {
    const r = await seriesCount(e.expr);
    found.set(e.expr, r);
    if (r.count <= 0) missing.push(e);
  }
  return missing;
}

beforeAll(
  async () => {
    if (!HAS_PROMETHEUS) return;
    dashboard.push(...dashboardExprs(JSON.parse(readFileSync(DASHBOARD, "utf8"))));
    alerts.push(...alertExprs(readFileSync(RULES, "utf8")));
    dir = emptyDir("ops");
    const storage = join(dir, "tsdb");
    const history = join(dir, "history");
    const backfill = join(dir, "backfill");
    const seedModel = join(dir, "seed-model.json");

    // The demo sites. history: the simulator is seeded, so a twin has the same devices.
    const twin = await startSimulator({ host: "127.0.0.1", port: 0, devices: DEMO.devices, seed: DEMO.seed, speed: DEMO.speed });
    const account = twin.accounts[0]!;
    const portal = { NIGHTOWL_BASE_URL: twin.url, NIGHTOWL_USERNAME: account.username, NIGHTOWL_PASSWORD: account.password };
    try {
      // A week to train on (CSV); the last day into Prometheus (OpenMetrics → promtool blocks).
      for (const [days, format, output] of [[HISTORY_DAYS, "csv", history], [1, "openmetrics", backfill]] as const) {
        const fetched = await runCli(["fetch-history", "--days", String(days), "--format", format, "--output", output, "--quiet"], portal);
        if (fetched.code !== 0) throw new Error(`fetch-history --format ${format} failed (${fetched.code}): ${fetched.stderr}`);
      }
    } finally {
      await twin.stop();
    }
    const csvs = readdirSync(history).filter((f) => f.endsWith(".csv")).map((f) => join(history, f));
    const oms = readdirSync(backfill).filter((f) => f.endsWith(".om")).map((f) => join(backfill, f));
    const trained = await runCli(["train", "--from-file", ...csvs, "--model-path", seedModel, "--n-estimators", "50"]);
    if (trained.code !== 0) throw new Error(`train --from-file failed (${trained.code}): ${trained.stderr}`);
    mkdirSync(storage);
    for (const om of oms) {
      const blocks = run([promtool!, "tsdb", "create-blocks-from", "openmetrics", om, storage]);
      if (blocks.code !== 0) throw new Error(`promtool create-blocks-from failed: ${blocks.output}`);
    }

    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    prometheus = await startPrometheus({ binary: prometheusBin!, dir, target: `127.0.0.1:${metricsPort}`, ruleFiles: [RULES], storage, extraArgs: ["--storage.tsdb.retention.time=100y"] });
    promUrl = prometheus.url;

    monitor = startCli([
      "run", "--demo",
      "--metrics-port", String(metricsPort),
      "--poll-interval", "10",
      "--ml-inference-interval", "1",
      "--model-path", seedModel,
      "--ml-prometheus-url", promUrl,
    ]);
    await monitor.waitFor(/Serving metrics on /, 20_000);

    // The first scrape of telemetry, then every expression or the deadline.
    const dataDeadline = Date.now() + 30_000;
    while ((await seriesCount('nightowl_telemetry_value{job="nightowl"}')).count <= 0) {
      if (Date.now() > dataDeadline) throw new Error(`Prometheus stored no nightowl_telemetry_value within 30 s; nightowl log:\n${monitor.stderr().slice(-2000)}`);
      await Bun.sleep(500);
    }
    const deadline = Date.now() + SERIES_WAIT_MS;
    while ((await evaluateAll()).length > 0 && Date.now() < deadline) await Bun.sleep(2_000);
  },
  { timeout: 150_000 },
);

afterAll(async () => {
  monitor?.kill();
  await prometheus?.stop();
});

// ---------------------------------------------------------------------------------------------

test("the expression helpers: Grafana macros, label_values and a comparison's left-hand side", () => {
  expect(substituteGrafana('rate(x{user_label=~"$user",device_name=~"${device}"}[$__rate_interval])')).toBe('rate(x{user_label=~".*",device_name=~".*"}[1m])');
  expect(variableSelector('label_values(nightowl_device_info{user_label=~"$user"}, device_name)')).toBe('nightowl_device_info{user_label=~"$user"}');
  expect(comparisonLhs("max_over_time(nightowl_last_poll_success[10m]) < 1")).toBe("max_over_time(nightowl_last_poll_success[10m])");
  expect(comparisonLhs('up{job="nightowl"} == 0')).toBe('up{job="nightowl"}');
  expect(comparisonLhs("(time() - nightowl_ml_model_trained_at) > 120 * 86400")).toBe("(time() - nightowl_ml_model_trained_at)");
  expect(comparisonLhs('x{a=~"<|>"} >= 3')).toBe('x{a=~"<|>"}');
  expect(comparisonLhs("sum by (rule) (x)")).toBe("sum by (rule) (x)");
  const rules = alertExprs(readFileSync(RULES, "utf8"));
  expect(rules.map((r) => r.source)).toContain("alert: NightowlLeakSuspected");
  expect(rules.every((r) => r.expr.length > 0 && r.expr !== r.full)).toBe(true);
});

test.skipIf(!HAS_PROMETHEUS)("every dashboard and alert-rule expression finds series in Prometheus scraping run --demo", () => {
  expect(dashboard.length).toBeGreaterThan(10);
  expect(alerts.length).toBeGreaterThanOrEqual(5);
  expect(alerts.filter((a) => NOT_IN_THE_DEMO.has(a.source)).length).toBe(NOT_IN_THE_DEMO.size);
  const missing = expectedInDemo()
    .filter((e) => (found.get(e.expr)?.count ?? 0) <= 0)
    .map((e) => `${e.source}: ${e.expr}${found.get(e.expr)?.error ? `  (error: ${found.get(e.expr)!.error})` : ""}`);
  // Listed in full, so the families still to be wired are named in the failure.
  expect(missing).toEqual([]);
});

/**
 * Not checked here: the leak verdict. A minute of the demo is a simulated hour seen every 10
 * simulated minutes, and one poll's verdict may exceed 80 % on a healthy site; the alert's
 * `for: 15m` is there for exactly that, and the leak benchmarks measure false alarms properly.
 */
const NOT_INSTANTANEOUS = new Set(["alert: NightowlLeakSuspected"]);

test.skipIf(!HAS_PROMETHEUS)("no alert condition holds on the healthy demo", async () => {
  const holding: string[] = [];
  const checked = alerts.filter((a) => !NOT_INSTANTANEOUS.has(a.source));
  expect(checked.length).toBe(alerts.length - NOT_INSTANTANEOUS.size);
  for (const a of checked) {
    const r = await seriesCount(a.full);
    if (r.count !== 0) holding.push(`${a.source}: ${a.full} → ${r.error ?? `${r.count} series`}`);
  }
  expect(holding).toEqual([]);
});

test.skipIf(!HAS_PROMETHEUS)("train --from-prometheus learns a model from what Prometheus stored", async () => {
  const modelPath = join(dir, "from-prometheus.json");
  const r = await runCli(["train", "--from-prometheus", promUrl, "--days", "1", "--step", "60", "--model-path", modelPath, "--n-estimators", "50"]);
  expect(`${r.code} ${r.stderr.split("\n").filter((l) => /nightowl:|error/i.test(l)).join(" ")}`.trim()).toBe("0");
  expect(r.stdout).toContain(`Model written to ${modelPath}`);
  const model = JSON.parse(readFileSync(modelPath, "utf8")) as { training?: { samples?: number; source?: string } };
  expect(model.training?.samples).toBeGreaterThan(0);
  expect(model.training?.source).toBe("prometheus");
});

test.skipIf(!HAS_PROMETHEUS)("promtool accepts the live exposition, the rules and the rules' unit tests", async () => {
  const scrape = await fetch(metricsUrl);
  expect(scrape.status).toBe(200);
  expect(await promtoolCheck(await scrape.text())).toEqual({ code: 0, output: "" });
  const check = run([promtool!, "check", "rules", RULES]);
  expect(check).toEqual({ code: 0, output: expect.stringContaining("SUCCESS") });
  // Rule files in the unit tests are relative to the test file.
  const unit = run([promtool!, "test", "rules", RULE_TESTS], join(ROOT, "deploy", "prometheus"));
  expect(unit.output).toContain("SUCCESS");
  expect(unit.code).toBe(0);
});

test.skipIf(!systemdAnalyze)("systemd-analyze verify accepts the unit", () => {
  const unitDir = emptyDir("unit");
  // The unit names installed paths; point them at files that exist here.
  const exe = join(unitDir, "nightowl");
  writeFileSync(exe, "#!/bin/sh\nexit 0\n");
  chmodSync(exe, 0o755);
  writeFileSync(join(unitDir, "nightowl.env"), "NIGHTOWL_USERNAME=user@example.com\n");
  writeFileSync(join(unitDir, "password"), "not-a-real-password");
  const text = readFileSync(UNIT, "utf8");
  expect(text).toContain("ExecStart=/usr/local/bin/nightowl run");
  const copy = text
    .replaceAll("/usr/local/bin/nightowl", exe)
    .replaceAll("/etc/nightowl/nightowl.env", join(unitDir, "nightowl.env"))
    .replaceAll("/etc/nightowl/password", join(unitDir, "password"));
  const path = join(unitDir, "nightowl.service");
  writeFileSync(path, copy);
  const r = Bun.spawnSync([systemdAnalyze!, "verify", path], { stdout: "pipe", stderr: "pipe", env: cleanEnv() });
  // verify exits 0 on unknown or malformed directives too, only warning: the output must be empty.
  expect({ code: r.exitCode, output: r.stdout.toString() + r.stderr.toString() }).toEqual({ code: 0, output: "" });
});
