/**
 * `nightowl train` → `nightowl score` end to end from history CSVs, through the real program:
 * a leak-free week trains the model; a later stretch with an injected 3 gal/min leak is scored.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";
import { localClock } from "../src/analytics/local-time.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const LEAK_START = T0 + 6 * DAY + 10 * 3_600_000;
const dir = mkdtempSync(join(tmpdir(), "nightowl-train-score-"));
const bun = join(import.meta.dir, "..", "node_modules", ".bin", "bun");
const cli = join(import.meta.dir, "..", "src", "cli.ts");
const trainCsv = join(dir, "train.csv");
const testCsv = join(dir, "test.csv");
const modelPath = join(dir, "users", "e2e", "leak_detector.json");
let testRows = 0;

/** The sites' zone set once, as a deployment does, so train and score count the same nights. */
function run(...args: string[]) {
  const p = Bun.spawnSync([bun, cli, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", NIGHTOWL_TIMEZONE: "Etc/GMT+7" }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

beforeAll(async () => {
  const spec = deviceSpec(42, 0, 0);
  await writeHistoryCsv(trainCsv, [simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 5 * DAY })]);
  const scored = simulateHistory({ seed: 42, device: 0, startMs: T0 + 5 * DAY, endMs: T0 + 7 * DAY, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: LEAK_START, size: 3 }] });
  testRows = scored.ts.length;
  await writeHistoryCsv(testCsv, [scored]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("train writes the model atomically and prints what it learned", () => {
  const r = run("train", "--from-file", trainCsv, "--model-path", modelPath, "--timezone", "Etc/GMT+7", "--n-estimators", "50", "--log-level", "error");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`Model written to ${modelPath}`);
  expect(r.stdout).toMatch(/samples: +7,140 feature rows from 1 device\(s\)/); // 5 days of minutes less the 1-hour warm-up
  expect(r.stdout).toMatch(/anomaly rate: +5\.\d\d % of training rows score below the forest's offset; the alarm flags 0\.00 %/);
  expect(r.stdout).toMatch(/confidence: +medium/);
  const json = JSON.parse(readFileSync(modelPath, "utf8"));
  expect(json.format).toBe("nightowl-leak-model");
  expect(json.training.n_estimators).toBe(50);
  expect(json.training.source).toBe("file");
});

test("score --format csv: exact header, one row per input row once the windows have data, the leak scores higher", () => {
  const r = run("score", "--from-file", testCsv, "--model-path", modelPath, "--format", "csv", "--log-level", "error");
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe("timestamp,device_id,anomaly_score,leak_probability,is_anomaly,top_features,rules,events,window_coverage,reason");
  expect(lines.length - 1).toBe(testRows - 60); // the first hour warms the windows up
  const rows = lines.slice(1).map((l) => l.split(","));
  expect(rows[0][5]).toMatch(/^[a-z0-9_]+:\d\.\d{3}(;[a-z0-9_]+:\d\.\d{3})*$/);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const before = rows.filter((c) => Number(c[0]) < LEAK_START).map((c) => Number(c[3]));
  const during = rows.filter((c) => Number(c[0]) >= LEAK_START + 3_600_000).map((c) => Number(c[3]));
  expect(mean(during)).toBeGreaterThan(mean(before) + 30);
  const alarmedDuring = rows.filter((c) => Number(c[0]) >= LEAK_START + 3_600_000 && c[4] === "1").length;
  expect(alarmedDuring / during.length).toBeGreaterThan(0.9);
  for (const c of rows) expect(Number(c[4]) === 1).toBe(Number(c[3]) >= 50);
});

test("score --format json and the table name the same alarm", () => {
  const json = run("score", "--from-file", testCsv, "--model-path", modelPath, "--format", "json", "--log-level", "error");
  expect(json.code).toBe(0);
  const rows = JSON.parse(json.stdout) as { timestamp: number; is_anomaly: number; leak_probability: number; top_features: Record<string, number>; rules: string[] }[];
  expect(rows.length).toBe(testRows - 60);
  const firstAlarm = rows.find((r) => r.is_anomaly === 1)!;
  expect(firstAlarm.timestamp).toBeGreaterThanOrEqual(LEAK_START);
  expect(Object.keys(firstAlarm.top_features).length).toBeGreaterThan(0);
  const table = run("score", "--from-file", testCsv, "--model-path", modelPath, "--log-level", "error");
  expect(table.code).toBe(0);
  expect(table.stdout).toContain("alarm episodes:");
  // Times in the table are the sites' wall clock, in the zone its header names ("America/Denver",
  // or "UTC−7 (Etc/GMT+7)" for a POSIX zone).
  const zone = /the times below in (?:UTC\S+ \()?([^\s)]+)/.exec(table.stdout)?.[1];
  expect(zone).toBeDefined();
  expect(table.stdout).toContain(localClock(zone!).stamp(firstAlarm.timestamp));
});

test("bad flags exit 2 with one line", () => {
  const r = run("train", "--from-file", trainCsv, "--contamination", "0.7");
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('nightowl: --contamination "0.7" is not allowed: expected a number in (0, 0.5]\n');
  const none = run("score", "--model-path", modelPath);
  expect(none.code).toBe(2);
  expect(none.stderr).toBe("nightowl: no history given: use --from-file FILE..., --from-prometheus URL or --from-nightowl\n");
  const format = run("score", "--from-file", testCsv, "--format", "xml");
  expect(format.stderr).toBe('nightowl: --format "xml" is not allowed: expected table, csv or json\n');
});

test("a pickle model is refused with the way out", () => {
  const r = run("score", "--from-file", testCsv, "--model-path", join(dir, "leak_detector.joblib"));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("pickle models are not supported (loading one would run arbitrary code); retrain with nightowl train");
});

test("train --from-nightowl --demo pulls history from the embedded simulator over HTTP", () => {
  const out = join(dir, "demo.json");
  const r = run("train", "--from-nightowl", "--demo", "--days", "1", "--model-path", out, "--n-estimators", "10", "--log-level", "error");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/samples: +[\d,]+ feature rows from 3 device\(s\)/);
  expect(JSON.parse(readFileSync(out, "utf8")).training.source).toBe("simulated");
});

test("--username/--password name the portal account for --from-nightowl, as in every command", () => {
  const none = run("train", "--from-nightowl", "--days", "1", "--base-url", "http://127.0.0.1:9");
  expect([none.code, none.stderr]).toEqual([2, "nightowl: NIGHTOWL_USERNAME is not set: expected the NightOwl account's user name (or --username)\n"]);
  const noPassword = run("train", "--from-nightowl", "--days", "1", "--base-url", "http://127.0.0.1:9", "--username", "me@example.com");
  expect([noPassword.code, noPassword.stderr]).toEqual([2, "nightowl: NIGHTOWL_PASSWORD is not set: expected the password, or NIGHTOWL_PASSWORD_FILE naming a file that holds it\n"]);
});

test("train --from-prometheus reads query_range with basic auth from --prometheus-username/--prometheus-password(-file), or the old --username/--password with a warning", async () => {
  const seen: string[] = [];
  // A loopback stand-in for Prometheus: the simulator's telemetry for whatever range is asked.
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const url = new URL(req.url);
      seen.push(`${url.pathname} ${req.headers.get("authorization")} ${url.searchParams.get("query")}`);
      const startMs = Number(url.searchParams.get("start")) * 1000;
      const endMs = Number(url.searchParams.get("end")) * 1000 + 1;
      const frame = simulateHistory({ seed: 42, device: 2, startMs, endMs });
      const result = Object.entries(frame.columns).map(([key, column]) => ({
        metric: { __name__: "nightowl_telemetry_value", user_label: "promuser", device_id: frame.deviceId, device_name: frame.deviceName, key },
        values: Array.from(frame.ts, (t, i) => [t / 1000, String(column[i])] as [number, string]).filter(([, v]) => v !== "NaN"),
      }));
      return Response.json({ status: "success", data: { resultType: "matrix", result } });
    },
  });
  try {
    const passwordFile = join(dir, "prom-password");
    writeFileSync(passwordFile, "tok\n");
    const url = `http://127.0.0.1:${server.port}`;
    const common = ["train", "--from-prometheus", url, "--days", "2", "--user-label", "promuser", "--n-estimators", "10", "--log-level", "warn"];
    const ways = [
      { auth: ["--prometheus-username", "1953220", "--prometheus-password-file", passwordFile], warning: "" },
      // A password given as a flag is visible in ps: the warning says so (and nothing else is wrong).
      { auth: ["--prometheus-username", "1953220", "--prometheus-password", "tok", "--username", "me@example.com"], warning: "--prometheus-password shows the secret to every user of this machine in the process list (ps); prefer --prometheus-password-file" },
      { auth: ["--username", "1953220", "--password", "tok"], warning: "--username/--password with --from-prometheus are deprecated: use --prometheus-username" },
    ];
    for (const [i, way] of ways.entries()) {
      const out = join(dir, `prom-${i}.json`);
      seen.length = 0;
      const p = Bun.spawn([bun, cli, ...common, ...way.auth, "--model-path", out], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr, code] = [await new Response(p.stdout).text(), await new Response(p.stderr).text(), await p.exited];
      if (way.warning) expect(stderr).toContain(way.warning);
      else expect(stderr).toBe("");
      expect(stderr).not.toContain("tok");
      expect(code).toBe(0);
      expect(stdout).toContain("user label:      promuser");
      expect(seen[0]).toBe(`/api/v1/query_range Basic ${Buffer.from("1953220:tok").toString("base64")} nightowl_telemetry_value{user_label="promuser"}`);
      const model = JSON.parse(readFileSync(out, "utf8"));
      expect(model.training.source).toBe("prometheus");
      expect(model.feature_names).not.toContain("flow_gpm"); // the simulated site has no meter
    }
  } finally {
    server.stop(true);
  }
});

test("score on a history too short for a verdict says so per device, in the table and (as a warning) beside csv", async () => {
  const tiny = join(dir, "tiny.csv");
  const shipped = join(import.meta.dir, "..", "models", "global", "leak_detector.json");
  await writeHistoryCsv(tiny, [0, 1].map((device) => simulateHistory({ seed: 42, device, startMs: T0, endMs: T0 + 25 * 60_000 })));
  const table = run("score", "--from-file", tiny, "--model-path", shipped, "--log-level", "error");
  expect([table.code, table.stderr]).toEqual([0, ""]);
  for (const device of [0, 1]) expect(table.stdout).toContain(`(${deviceSpec(42, 0, device).id})\n  no verdicts: its 25 reading(s) span 24 min; the model's first verdict comes after 1 h of readings`);
  const csv = run("score", "--from-file", tiny, "--model-path", shipped, "--format", "csv", "--log-level", "warn");
  expect(csv.stdout).toBe("timestamp,device_id,anomaly_score,leak_probability,is_anomaly,top_features,rules,events,window_coverage,reason\n");
  expect(csv.stderr.match(/\[WARN\] device .* no verdicts: its 25 reading\(s\)/g)).toHaveLength(2);
});
