/**
 * History into real time-series databases: simulator → fetch-history → promtool blocks →
 * Prometheus, and → VictoriaMetrics' import endpoint. Both must hold exactly the samples of
 * the CSV, series by series.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { readHistoryCsv } from "../src/nightowl/history-csv.ts";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { DAY_MS, runFetch, tempDir } from "./fetch-history.helpers.ts";
import { freePort, untilOk } from "./loopback.ts";

const promtool = Bun.which("promtool");
const prometheus = Bun.which("prometheus");
const victoria = Bun.which("victoria-metrics");
if (!promtool || !prometheus) console.warn("skip: promtool/prometheus not installed (Debian package prometheus)");
if (!victoria) console.warn("skip: victoria-metrics not installed (Debian package victoria-metrics)");

const KEYS = ["S1", "P1C1", "Pulse_TotalGallons"];
// Recent data: both databases drop samples older than their retention.
const UNTIL = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const SINCE = UNTIL - 2 * DAY_MS;

let sim: Simulator;
let victoriaProcess: Subprocess | undefined;
let victoriaUrl = "";
let outputDir = "";
/** CSV samples per series, `device_id/key` → count. */
const expected = new Map<string, number>();



beforeAll(async () => {
  sim = await startSimulator({ devices: 2, seed: 5, historyDays: 4 });
  outputDir = tempDir("backfill");
  if (victoria) {
    const port = await freePort();
    victoriaUrl = `http://127.0.0.1:${port}`;
    victoriaProcess = Bun.spawn([victoria, `-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${tempDir("vm-data")}`, "-retentionPeriod=100y", "-search.disableCache"], { stdout: "ignore", stderr: "ignore" });
    await untilOk(`${victoriaUrl}/health`);
  }
  const result = await runFetch(sim, outputDir, {
    keys: KEYS,
    since: String(SINCE),
    until: String(UNTIL),
    formats: ["csv", "openmetrics"],
    importUrl: victoria ? victoriaUrl : undefined,
    importBatchChars: 64 * 1024,
  });
  expect(result.complete).toBe(true);
  const frames = await readHistoryCsv(readdirSync(outputDir).filter((f) => f.endsWith(".csv")).map((f) => join(outputDir, f)));
  for (const frame of frames) {
    for (const key of KEYS) {
      const column = frame.columns[key];
      const n = column ? column.reduce((c, v) => (Number.isNaN(v) ? c : c + 1), 0) : 0;
      if (n > 0) expected.set(`${frame.deviceId}/${key}`, n);
    }
  }
});

afterAll(async () => {
  victoriaProcess?.kill();
  await victoriaProcess?.exited;
  await sim.stop();
});

test.skipIf(!promtool || !prometheus)("promtool blocks served by Prometheus hold every CSV sample, series by series", async () => {
  expect(expected.size).toBeGreaterThanOrEqual(4);
  const storage = tempDir("prom-data");
  const om = readdirSync(outputDir).find((f) => f.endsWith(".om"))!;
  const blocks = Bun.spawnSync([promtool!, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", join(outputDir, om), storage]);
  expect(`${blocks.exitCode} ${blocks.stderr.toString()}`).toBe("0 ");
  const config = join(tempDir("prom-config"), "prometheus.yml");
  writeFileSync(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
  mkdirSync(storage, { recursive: true });
  const port = await freePort();
  const server = Bun.spawn(
    [prometheus!, `--config.file=${config}`, `--storage.tsdb.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, "--storage.tsdb.retention.time=100y"],
    { stdout: "ignore", stderr: "ignore" },
  );
  try {
    await untilOk(`http://127.0.0.1:${port}/-/ready`);
    const query = encodeURIComponent("count_over_time(nightowl_telemetry_value[3d])");
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}&time=${UNTIL / 1000}`)).json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    const got = new Map(body.data.result.map((r) => [`${r.metric.device_id}/${r.metric.key}`, Number(r.value[1])]));
    expect(got).toEqual(expected);
    // The point of backfilling: train reads the history back from Prometheus.
    const model = join(tempDir("backfill-model"), "leak_detector.json");
    const train = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "src", "cli.ts"), "train", "--from-prometheus", `http://127.0.0.1:${port}`, "--days", "3", "--model-path", model], { cwd: tempDir("backfill-cwd") });
    if (train.exitCode !== 0) console.error(train.stderr.toString());
    expect(train.exitCode).toBe(0);
    expect(existsSync(model)).toBe(true);
  } finally {
    server.kill();
    await server.exited;
  }
});

test.skipIf(!victoria)("VictoriaMetrics, fed through its import endpoint, holds every CSV sample, series by series", async () => {
  await fetch(`${victoriaUrl}/internal/force_flush`);
  const match = encodeURIComponent('{__name__="nightowl_telemetry_value"}');
  const text = await (await fetch(`${victoriaUrl}/api/v1/export?match[]=${match}&start=${SINCE / 1000 - 1}&end=${UNTIL / 1000}`)).text();
  const got = new Map<string, number>();
  for (const line of text.trim().split("\n")) {
    const series = JSON.parse(line) as { metric: Record<string, string>; timestamps: number[] };
    const id = `${series.metric.device_id}/${series.metric.key}`;
    got.set(id, (got.get(id) ?? 0) + series.timestamps.length);
  }
  expect(got).toEqual(expected);
});
