/**
 * The monitor in process against the simulator with injected faults: what issue "reliability"
 * asks of `run`. The interval is shortened below the configurable minimum so it takes seconds.
 */
import { afterEach, expect, test } from "bun:test";
import { loadConfig } from "../load-config.ts";
import { silentLogger } from "../log.ts";
import type { PollResult } from "../nightowl/poll-result.ts";
import { startSimulator, type Simulator } from "../sim/server.ts";
import { startMonitor, type Monitor } from "./start-monitor.ts";

const INTERVAL_S = 0.25;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  sim: Simulator;
  monitor: Monitor;
  results: PollResult[];
  base: string;
  /**
   * Runs `read` inside the last observer of the next poll: every built-in observer has seen
   * that poll and the next cannot start, so what `read` sees agrees exactly with `results`.
   * The page scrapes get is rendered first (the monitor renders it after every observer).
   */
  betweenPolls<T>(read: () => T | Promise<T>): Promise<T>;
}

async function setup(): Promise<Setup> {
  const sim = await startSimulator({ port: 0, devices: 2, seed: 3 });
  cleanups.push(() => sim.stop());
  const account = sim.accounts[0]!;
  const config = {
    ...loadConfig({ env: {}, flags: { baseUrl: sim.url, username: account.username, password: account.password, metricsHost: "127.0.0.1", metricsPort: "0" } }),
    pollIntervalSeconds: INTERVAL_S,
  };
  const results: PollResult[] = [];
  let probe: (() => Promise<void>) | undefined;
  const observer = {
    async observe(r: PollResult) {
      results.push(r);
      const p = probe;
      probe = undefined;
      await p?.();
    },
  };
  const monitor = await startMonitor(config, silentLogger, { client: { retries: 1, retryBaseMs: 5 }, observers: () => [observer] });
  cleanups.push(() => monitor.stop());
  const base = monitor.server.url.replace(/\/metrics$/, "");
  const betweenPolls = <T>(read: () => T | Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      probe = async () => {
        try {
          await monitor.exposition.refresh();
          resolve(await read());
        } catch (error) {
          reject(error);
        }
      };
    });
  return { sim, monitor, results, base, betweenPolls };
}

/** Polls `check` every 20 ms until it returns true; fails with `what` after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

async function scrape(base: string): Promise<string> {
  const response = await fetch(base + "/metrics");
  expect(response.status).toBe(200);
  return response.text();
}

const readyStatus = async (base: string) => (await fetch(base + "/readyz")).status;

test("an outage: metrics served throughout, success and counters truthful, unready after 2 intervals, ready after the first good poll", async () => {
  const { sim, results, base, betweenPolls } = await setup();
  const scrapeWithResults = () => betweenPolls(async () => ({ text: await scrape(base), results: [...results] }));
  await until("the first good poll", () => results.some((r) => r.ok));
  // Ready follows; not asserted at once, as a loaded machine may take longer than the short
  // interval to run the first poll's observers.
  await until("/readyz to turn 200", async () => (await readyStatus(base)) === 200);
  const label = sim.accounts[0]!.userLabel;

  sim.faults.add({ kind: "status", status: 503, count: -1, path: "/api/entitiesQuery" });
  const outageAt = results.length;
  await until("/readyz to turn 503", async () => (await readyStatus(base)) === 503);
  const { text: during, results: seen } = await scrapeWithResults();
  expect(during).toContain(`nightowl_last_poll_success{user_label="${label}"} 0\n`);
  const failures = Number(/nightowl_poll_attempts_total\{user_label="[^"]+",status="failure"\} (\d+)/.exec(during)![1]);
  expect(failures).toBe(seen.slice(outageAt).filter((r) => !r.ok).length);
  expect(failures).toBeGreaterThanOrEqual(2);
  // The last values stay, their freshness told by the poll families.
  expect(during.match(/^nightowl_device_info\{/gm)).toHaveLength(2);

  sim.faults.add({ kind: "clear" });
  const clearedAt = results.length;
  await until("/readyz to turn 200", async () => (await readyStatus(base)) === 200);
  const { text: recovered, results: after } = await scrapeWithResults();
  // Recovery by itself: at most the poll in flight when the API came back failed.
  expect(after.slice(clearedAt).filter((r) => !r.ok).length).toBeLessThanOrEqual(1);
  expect(after.at(-1)!.ok).toBe(true);
  expect(recovered).toContain(`nightowl_last_poll_success{user_label="${label}"} 1\n`);

  // Failing or not, polls never started closer than the interval (timer slack of 2 ms allowed).
  const gaps = results.slice(1).map((r, i) => r.startedAt - results[i]!.startedAt);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL_S * 1000 - 2);
});

test("an expired token costs no failed poll; a dropped device loses its series and regains them", async () => {
  const { sim, monitor, results, base, betweenPolls } = await setup();
  await until("the first good poll", () => results.some((r) => r.ok));
  sim.faults.add({ kind: "expire_tokens" });
  const before = results.length;
  await until("two more polls", () => results.length >= before + 2);
  expect(results.slice(before).every((r) => r.ok)).toBe(true);

  const gone = sim.devices[1]!;
  sim.faults.add({ kind: "drop_device", deviceId: gone.id });
  const dropAt = results.length;
  await until("a poll without the device", () => results.slice(dropAt).some((r) => r.ok && r.devices.length === 1));
  // The page is rendered after the poll's last observer, so read it once that is done.
  const text = await betweenPolls(() => scrape(base));
  expect(text).not.toContain(`device_id="${gone.id}"`);
  expect(text).toContain(`device_id="${sim.devices[0]!.id}"`);

  sim.faults.add({ kind: "clear" });
  const clearAt = results.length;
  await until("the device back", () => results.slice(clearAt).some((r) => r.ok && r.devices.length === 2));
  expect(await betweenPolls(() => scrape(base))).toContain(`nightowl_telemetry_value{user_label="${sim.accounts[0]!.userLabel}",device_id="${gone.id}"`);
  expect(await betweenPolls(() => monitor.loop.polls - results.length)).toBe(0);
});

test("stop() ends a poll hung on a slow portal and closes the server", async () => {
  const { sim, monitor, results, base } = await setup();
  await until("the first good poll", () => results.some((r) => r.ok));
  sim.faults.add({ kind: "delay", delayMs: 30_000, path: "/api/entitiesQuery" });
  const n = sim.requestCount("/api/entitiesQuery");
  await until("a poll in flight", () => sim.requestCount("/api/entitiesQuery") > n);
  await monitor.stop();
  const refused = await fetch(base + "/healthz").then(() => "answered", () => "refused");
  expect(refused).toBe("refused");
  sim.faults.add({ kind: "clear" });
});

test.each([
  ["the flag", { flags: { shard: "auto/2" } }, '--shard "auto/2"'],
  ["the variable", { env: { NIGHTOWL_SHARD: "auto/2" } }, 'NIGHTOWL_SHARD="auto/2"'],
])("auto/n on a host name without an ordinal, given by %s: the line names it as given, before anything starts", async (_name, sources, named) => {
  const config = loadConfig({ env: {}, ...sources });
  await expect(startMonitor(config, silentLogger, { hostname: "nightowl" })).rejects.toThrow(`${named} takes the shard from the host name's ordinal, but the host name "nightowl" does not end in -<number>`);
});
