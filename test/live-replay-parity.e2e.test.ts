/**
 * `run` and `score` give the same verdicts: the monitor runs in process against the simulator
 * (sped up, a 3 gal/min leak starting after the warm-up) with live scoring on every poll; then
 * the same readings — the warm-up's history and every sample the polls took — are read back
 * from the simulator and scored as `score` does. Each device's verdict at each inference
 * (alarm, probability, rules, and the owner's event that changed it) must be the replay's
 * verdict for that row; the state folder's events (an `expected` window inside the leak, an
 * `away` window on the other device) are applied by both.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMonitor, type Monitor } from "../src/commands/start-monitor.ts";
import { loadConfig } from "../src/load-config.ts";
import { fetchDeviceHistory } from "../src/history/device-history.ts";
import { silentLogger } from "../src/log.ts";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { parseModelText, type LeakModel } from "../src/ml/model-file.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import type { PollResult } from "../src/nightowl/poll-result.ts";
import type { DeviceSnapshot } from "../src/nightowl/snapshot.ts";
import { clientFor } from "../src/nightowl/test-support.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { deviceSpec } from "../src/sim/site.ts";
import { saveEventsFile, type OwnerEvent } from "../src/events/events-file.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2026, 4, 12, 21, 0);
const SPEED = 240; // simulated seconds per real second: a 60 s sample every 0.25 s
const WARMUP_HOURS = 26;
const dir = mkdtempSync(join(tmpdir(), "nightowl-parity-"));

interface Inference {
  device: DeviceSnapshot;
  ts: number;
  isAnomaly: boolean;
  probability: number;
  rules: readonly string[];
  event: string;
}

let events: OwnerEvent[] = [];
const eventText = (v: { silencedBy?: { id: string }; sharpenedBy?: { id: string } }) => (v.silencedBy ? `silenced_by=${v.silencedBy.id}` : v.sharpenedBy ? `sharpened_by=${v.sharpenedBy.id}` : "");

let sim: Simulator;
let monitor: Monitor;
let model: LeakModel;
const inferences: Inference[] = [];
const polled = new Map<string, Set<number>>();

beforeAll(async () => {
  const d0 = deviceSpec(42, 0, 0);
  const train = [0, 1].map((device) => simulateHistory({ seed: 42, device, startMs: START - 5 * 24 * HOUR, endMs: START - 3 * 24 * HOUR }));
  const { text } = trainLeakModel(train, { userLabel: "global", source: "simulated", nEstimators: 30 });
  writeFileSync(join(dir, "model.json"), text);
  const d1 = deviceSpec(42, 1, 0);
  events = [
    { id: "pool", device_id: d0.id, kind: "expected", start: START + 80 * MINUTE, end: START + 110 * MINUTE },
    { id: "holiday", device_id: d1.id, kind: "away", start: START - 2 * HOUR, end: START + 3 * HOUR },
  ];
  mkdirSync(join(dir, "state"));
  saveEventsFile(join(dir, "state", "events.json"), { version: 1, events });
  model = parseModelText(text, join(dir, "model.json"));
  sim = await startSimulator({ port: 0, devices: 2, seed: 42, speed: SPEED, startMs: START, historyDays: 3, scenarios: [{ deviceId: d0.id, kind: "leak", startMs: START + 20 * MINUTE, size: 3 }] });
  const account = sim.accounts[0]!;
  const config = {
    ...loadConfig({ env: {}, flags: { baseUrl: sim.url, username: account.username, password: account.password, metricsHost: "127.0.0.1", metricsPort: "0", timezone: "UTC", stateDir: join(dir, "state") } }),
    pollIntervalSeconds: 0.1,
    mlEnabled: true,
    mlModelPath: join(dir, "model.json"),
    mlInferenceInterval: 1,
    warmupHours: WARMUP_HOURS,
  };
  // Last in the observer list: the scorer has seen this poll.
  const recorder = {
    observe(r: PollResult) {
      if (!r.ok) return;
      for (const d of r.devices) {
        const newest = Math.max(...Object.values(d.telemetry).map((x) => x.ts));
        if (!polled.has(d.id)) polled.set(d.id, new Set());
        polled.get(d.id)!.add(newest);
        const latest = monitor.scorer?.latest(d.id);
        if (latest) inferences.push({ device: d, ts: latest.ts, isAnomaly: latest.verdict.isAnomaly, probability: latest.verdict.probability, rules: latest.verdict.rules, event: eventText(latest.verdict) });
      }
    },
  };
  monitor = await startMonitor(config, silentLogger, { client: { retries: 1, retryBaseMs: 5 }, observers: () => [recorder] });
  // Two simulated hours of polls: the leak passes sustained_flow (45 min) and continuous flow (2 h).
  const until = Date.now() + ((2 * HOUR + 30 * MINUTE) / 1000 / SPEED) * 1000;
  while (Date.now() < until) await Bun.sleep(100);
  await monitor.stop();
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("every inference of run is the verdict score gives the same readings", async () => {
  const client = clientFor(sim);
  expect(inferences.length).toBeGreaterThan(100);
  const mismatches: string[] = [];
  let compared = 0;
  const byDevice = Map.groupBy(inferences, (i) => i.device.id);
  for (const [id, list] of byDevice) {
    const seen = [...polled.get(id)!].sort((a, b) => a - b);
    // The warm-up read [newest + 1 − span, newest + 1) at the first poll; the polls took the rest.
    const frame = (await fetchDeviceHistory(client, list[0]!.device, { keys: DEFAULT_TIMESERIES_KEYS, startMs: seen[0]! + 1 - WARMUP_HOURS * HOUR, endMs: seen.at(-1)! + 1 }))!;
    // Every sample after the warm-up was seen by a poll, so `run` had exactly these readings.
    const after = Array.from(frame.ts).filter((t) => t > seen[0]!);
    expect(after.filter((t) => !seen.includes(t))).toEqual([]);
    const rows = new Map(scoreReplay(model, [frame], { timeZone: "UTC", topFeatures: 0, events }).map((r) => [r.ts, r]));
    for (const inf of list) {
      const row = rows.get(inf.ts);
      compared++;
      if (!row || row.isAnomaly !== inf.isAnomaly || row.rules.join(";") !== inf.rules.join(";") || eventText(row) !== inf.event || Math.abs(row.probability - inf.probability) > 1e-6) {
        mismatches.push(`${id} ${new Date(inf.ts).toISOString()}: run ${inf.isAnomaly ? 1 : 0} ${inf.probability.toFixed(2)} [${inf.rules}] ${inf.event} score ${row ? `${row.isAnomaly ? 1 : 0} ${row.probability.toFixed(2)} [${row.rules}] ${eventText(row)}` : "no row"}`);
      }
    }
  }
  expect(compared).toBe(inferences.length);
  expect(mismatches).toEqual([]);
  // The check covered an alarm raised by a rule, not only quiet rows.
  expect(inferences.some((i) => i.isAnomaly && i.rules.length > 0)).toBe(true);
  // …and rows an event changed.
  expect(inferences.some((i) => i.event === "silenced_by=pool")).toBe(true);
});
