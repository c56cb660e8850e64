import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNightowlError } from "../src/errors.ts";
import { readHistoryCsv } from "../src/nightowl/history-csv.ts";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { DAY_MS, filesOf, KEYS, runFetch, SIM_START, tempDir, UNTIL } from "./fetch-history.helpers.ts";

let sim: Simulator;
let reference: Record<string, string>;
let referenceDir: string;

beforeAll(async () => {
  // Three devices on three pages (page size 1); the first samples every 10 s, so each half-day
  // window holds 4320 points per key against a limit of 1000.
  sim = await startSimulator({ devices: 3, seed: 11, startMs: SIM_START, historyDays: 5, denseDevices: 1 });
  referenceDir = tempDir("fetch-ref");
  const result = await runFetch(sim, referenceDir);
  expect(result.complete).toBe(true);
  reference = filesOf(referenceDir);
});

afterAll(async () => {
  await sim.stop();
});

test("every device of every page, every point of the dense device, none twice", async () => {
  const csvs = Object.keys(reference).filter((f) => f.endsWith(".csv"));
  expect(csvs.length).toBe(3);
  expect(sim.requestCount("/api/entitiesQuery/find")).toBeGreaterThanOrEqual(3);
  const frames = await readHistoryCsv(csvs.map((f) => join(referenceDir, f)));
  expect(frames.map((f) => f.deviceId).sort()).toEqual(sim.devices.map((d) => d.id).sort());
  let dense = 0;
  for (const frame of frames) {
    for (const key of KEYS) {
      const expected = sim.pointCount(frame.deviceId, key, UNTIL - 2 * DAY_MS, UNTIL);
      const column = frame.columns[key];
      const got = column ? column.reduce((n, v) => (Number.isNaN(v) ? n : n + 1), 0) : 0;
      expect(`${frame.deviceName} ${key} ${got}`).toBe(`${frame.deviceName} ${key} ${expected}`);
      if (expected > 4 * 1000) dense++;
    }
    for (let i = 1; i < frame.ts.length; i++) expect(frame.ts[i]! > frame.ts[i - 1]!).toBe(true);
  }
  expect(dense).toBeGreaterThan(0);
});

test("the OpenMetrics and NDJSON files hold the same samples as the CSV", async () => {
  const om = Object.entries(reference).find(([f]) => f.endsWith(".om"))![1];
  const lines = om.trimEnd().split("\n");
  expect(lines[0]).toBe("# TYPE nightowl_telemetry_value gauge");
  expect(lines.at(-1)).toBe("# EOF");
  const perSeries = new Map<string, number>();
  let previous = "";
  const finished = new Set<string>();
  for (const line of lines.slice(1, -1)) {
    const series = line.slice(0, line.indexOf("}") + 1);
    if (series !== previous) {
      // Each series contiguous: once left, never seen again.
      expect(finished.has(series)).toBe(false);
      finished.add(previous);
      previous = series;
    }
    perSeries.set(series, (perSeries.get(series) ?? 0) + 1);
  }
  let ndjsonPoints = 0;
  for (const [name, text] of Object.entries(reference)) {
    if (!name.endsWith(".ndjson")) continue;
    for (const line of text.trimEnd().split("\n")) ndjsonPoints += JSON.parse(line).timestamps.length;
  }
  const total = sim.devices.reduce((n, d) => n + KEYS.reduce((m, k) => m + sim.pointCount(d.id, k, UNTIL - 2 * DAY_MS, UNTIL), 0), 0);
  expect([...perSeries.values()].reduce((a, b) => a + b, 0)).toBe(total);
  expect(ndjsonPoints).toBe(total);
  const devices = JSON.parse(reference["devices.json"]!);
  expect(devices.devices.map((d: { points: number }) => d.points).reduce((a: number, b: number) => a + b, 0)).toBe(total);
});

test("bursts of 429 and 500 are survived, with the same files", async () => {
  sim.faults.failNext(3, 429, { retryAfterSeconds: 0, path: "/api/plugins/telemetry" });
  sim.faults.failNext(3, 500, { path: "/api/plugins/telemetry" });
  sim.faults.failNext(2, 503, { path: "/api/entitiesQuery" });
  const dir = tempDir("fetch-faults");
  const result = await runFetch(sim, dir);
  expect(result.complete).toBe(true);
  expect(filesOf(dir)).toEqual(reference);
  expect(sim.faults.active().length).toBe(0);
});

test("an interrupted fetch leaves only complete files, and continuing it gives identical files", async () => {
  const dir = tempDir("fetch-abort");
  const controller = new AbortController();
  let windows = 0;
  const first = await runFetch(sim, dir, {
    concurrency: 1,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.kind === "window" && ++windows === 5) controller.abort();
    },
  });
  expect(first.complete).toBe(false);
  // The first device (4 windows) is finished and its files are in place, whole; the rest are not.
  const early = filesOf(dir);
  expect(Object.keys(early).length).toBe(2);
  for (const [name, text] of Object.entries(early)) expect(text).toBe(reference[name]!);
  expect(existsSync(join(dir, ".nightowl-fetch", "checkpoint.json"))).toBe(true);
  // Something half-written after the last checkpoint is cut away on resume.
  const parts = readdirSync(join(dir, ".nightowl-fetch")).filter((f) => f.endsWith(".csv.part"));
  expect(parts.length).toBeGreaterThan(0);
  await Bun.write(join(dir, ".nightowl-fetch", parts[0]!), readFileSync(join(dir, ".nightowl-fetch", parts[0]!), "utf8") + "1717,half a ro");

  let resumedFrom = -1;
  const second = await runFetch(sim, dir, { onProgress: (e) => e.kind === "start" && (resumedFrom = e.windowsDone) });
  expect(second.complete).toBe(true);
  expect(second.resumed).toBe(true);
  expect(resumedFrom).toBe(5);
  expect(filesOf(dir)).toEqual(reference);
  expect(existsSync(join(dir, ".nightowl-fetch"))).toBe(false);
});

test("an unfinished fetch with other arguments is refused, and --restart starts afresh", async () => {
  const dir = tempDir("fetch-args");
  const controller = new AbortController();
  await runFetch(sim, dir, { concurrency: 1, signal: controller.signal, onProgress: (e) => e.kind === "window" && controller.abort() });
  const error = await runFetch(sim, dir, { keys: ["S1"] }).catch((e: unknown) => e);
  expect(isNightowlError(error, "E_USAGE")).toBe(true);
  expect((error as Error).message).toContain('keys: ["S1","P1C1","Pulse_TotalGallons"] → ["S1"]');
  const fresh = await runFetch(sim, dir, { restart: true });
  expect(fresh.resumed).toBe(false);
  expect(fresh.complete).toBe(true);
  expect(filesOf(dir)).toEqual(reference);
});
