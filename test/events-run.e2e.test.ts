/**
 * `run` picks up the owner's events without a restart: the monitor runs in process against the
 * simulator (sped up, a 3 gal/min leak running since before the warm-up, so the first verdicts
 * are alarms); `nightowl events add` — the real program, writing the state folder's file —
 * books an `expected` draw over now, and the next verdicts of that device are silenced and say
 * by which event; a broken file keeps the event in force and sets the metric to 0; `events
 * remove` brings the alarm back. The status page's card says what the event is and what it did.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMonitor, type Monitor } from "../src/commands/start-monitor.ts";
import { loadConfig } from "../src/load-config.ts";
import { silentLogger } from "../src/log.ts";
import type { LiveVerdict } from "../src/metrics/live-scorer.ts";
import type { PollResult } from "../src/nightowl/poll-result.ts";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { deviceSpec } from "../src/sim/site.ts";
import { runCli } from "./cli-process.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2026, 4, 12, 21, 0);
const SPEED = 240;
const dir = mkdtempSync(join(tmpdir(), "nightowl-events-run-"));
const stateDir = join(dir, "state");
const leaky = deviceSpec(42, 0, 0).id;

let sim: Simulator;
let monitor: Monitor;
/** The leaky device's verdict after each poll, in poll order. */
const verdicts: LiveVerdict[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 2, seed: 42, speed: SPEED, startMs: START, historyDays: 3, scenarios: [{ deviceId: leaky, kind: "leak", startMs: START - 4 * HOUR, size: 3 }] });
  const account = sim.accounts[0]!;
  const config = {
    ...loadConfig({ env: {}, flags: { baseUrl: sim.url, username: account.username, password: account.password, metricsHost: "127.0.0.1", metricsPort: "0", timezone: "UTC", stateDir } }),
    pollIntervalSeconds: 0.1,
    mlEnabled: true,
    mlInferenceInterval: 1,
    warmupHours: 26,
  };
  const recorder = {
    observe(r: PollResult) {
      if (!r.ok) return;
      const latest = monitor.scorer?.latest(leaky);
      if (latest) verdicts.push(latest.verdict);
    },
  };
  monitor = await startMonitor(config, silentLogger, { client: { retries: 1, retryBaseMs: 5 }, observers: () => [recorder] });
}, 60_000);

afterAll(async () => {
  await monitor?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until a verdict recorded after `from` satisfies `ok`; returns its index. */
async function until(from: number, ok: (v: LiveVerdict) => boolean, what: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const i = verdicts.findIndex((v, j) => j >= from && ok(v));
    if (i >= 0) return i;
    await Bun.sleep(50);
  }
  throw new Error(`no verdict ${what} within 30 s (last: ${JSON.stringify(verdicts.at(-1))})`);
}

/** The rules `nightowl_rule_triggered` says fired on the leaky device (what NightowlLeakRuleFired reads). */
async function rulesOn(): Promise<string[]> {
  const text = await monitor.registry.metrics();
  return [...text.matchAll(/^nightowl_rule_triggered\{([^}]*)\} 1$/gm)].filter((m) => m[1]!.includes(`device_id="${leaky}"`)).map((m) => /rule="([^"]+)"/.exec(m[1]!)![1]!);
}

test("an event added while run runs silences the device's next verdicts and its rules' metric; removed, the alarm returns", async () => {
  const env = { NIGHTOWL_STATE_DIR: stateDir, NIGHTOWL_TIMEZONE: "UTC" };
  await until(0, (v) => v.isAnomaly, "in alarm");
  const firing = await rulesOn();
  expect(firing.length).toBeGreaterThan(0);

  const now = sim.now();
  const add = await runCli(["events", "add", "--device-id", leaky, "--kind", "expected", "--start", String(now - 12 * HOUR), "--end", String(now + 48 * HOUR), "--note", "pool fill"], env);
  expect(add.stderr).toBe("");
  const added = verdicts.length;
  // The poll under way may have looked at the file just before it changed: the one after it has not.
  const silenced = await until(added, (v) => v.silencedBy !== undefined, "silenced");
  expect(silenced - added).toBeLessThanOrEqual(2);
  expect(verdicts[silenced]).toMatchObject({ isAnomaly: false, silencedBy: { id: "expected-1", kind: "expected" } });
  expect(verdicts[silenced]!.probability).toBeLessThan(50);
  // The alerts on the rules (deploy/prometheus) stay quiet too: the owner booked this draw.
  expect(await rulesOn()).toEqual([]);
  const page = await (await fetch(monitor.server.url.replace(/metrics$/, ""), { headers: { accept: "text/html" } })).text();
  const card = page.slice(page.indexOf(`data-device="${leaky}"`));
  expect(card).toMatch(/^[^]*?<span class="verdict watch"[^]*?<p class="event" data-event="expected-1" data-effect="silenced">expected: pool fill until \d{4}-\d\d-\d\d \d\d:\d\d — an alarm is silenced by this event<\/p>/);

  // A broken file: the event stays in force, the metric says the file was refused.
  const good = readFileSync(join(stateDir, "events.json"), "utf8");
  writeFileSync(join(stateDir, "events.json"), good.replace('"expected"', '"pool"'));
  const broken = verdicts.length;
  await until(broken + 3, () => true, "after three more polls");
  expect(verdicts.slice(broken).every((v) => v.silencedBy?.id === "expected-1" && !v.isAnomaly)).toBe(true);
  expect(await monitor.registry.metrics()).toContain("nightowl_events_file_valid 0");
  writeFileSync(join(stateDir, "events.json"), good);

  const remove = await runCli(["events", "remove", "expected-1"], env);
  expect(remove.stderr).toBe("");
  const removed = verdicts.length;
  const back = await until(removed, (v) => v.silencedBy === undefined, "without the event");
  expect(back - removed).toBeLessThanOrEqual(2);
  expect(verdicts[back]!.isAnomaly).toBe(true);
  expect((await rulesOn()).length).toBeGreaterThan(0);
  expect(await monitor.registry.metrics()).toContain("nightowl_events_file_valid 1");
}, 90_000);
