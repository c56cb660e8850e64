/** `nightowl run` as users run it: a real process, the simulator over loopback, real scrapes. */
import { afterEach, expect, test } from "bun:test";
import { DEMO } from "../src/commands/portal.ts";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { HAS_PROMTOOL, parseExposition, promtoolCheck, startCli, type LongRunning } from "./cli-process.ts";

const running: LongRunning[] = [];
const sims: Simulator[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) r.kill();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

test("run --demo logs the reports, serves a value for every default key each device has, and stops on SIGTERM within 2 s", async () => {
  const run = startCli(["run", "--demo", "--metrics-port", "0"]);
  running.push(run);
  const url = (await run.waitFor(/Serving metrics on (http:\/\/\S+\/metrics)/))[1]!;
  expect(url).toStartWith("http://127.0.0.1:");
  await run.waitFor(/Polled 3 device\(s\)/);

  // The demo's simulator is seeded: one started here with the same settings has the same devices.
  const twin = await startSimulator({ host: "127.0.0.1", port: 0, devices: DEMO.devices, seed: DEMO.seed, speed: DEMO.speed });
  sims.push(twin);
  expect(twin.devices).toHaveLength(3);

  const response = await fetch(url);
  expect(response.status).toBe(200);
  const exposition = await response.text();
  const samples = parseExposition(exposition);
  const telemetry = new Set(samples.filter((s) => s.name === "nightowl_telemetry_value").map((s) => `${s.labels.device_id}/${s.labels.device_name}/${s.labels.key}`));
  for (const device of twin.devices) {
    expect(run.stderr()).toContain(`Device: ${device.name} (${device.id})`);
    const keys = device.keys.filter((k) => DEFAULT_TIMESERIES_KEYS.includes(k));
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(telemetry).toContain(`${device.id}/${device.name}/${key}`);
  }
  expect(samples.filter((s) => s.name === "nightowl_device_info").map((s) => s.labels.device_id).sort()).toEqual(twin.devices.map((d) => d.id).sort());
  const label = twin.accounts[0]!.userLabel;
  expect(samples.find((s) => s.name === "nightowl_last_poll_success")).toEqual({ name: "nightowl_last_poll_success", labels: { user_label: label }, value: 1 });
  expect(samples.find((s) => s.name === "nightowl_poll_attempts_total" && s.labels.status === "success")?.value).toBe(1);

  const root = await fetch(url.replace(/\/metrics$/, "/"));
  expect(parseExposition(await root.text()).filter((s) => s.name === "nightowl_device_info")).toHaveLength(3);
  expect((await fetch(url.replace(/\/metrics$/, "/healthz"))).status).toBe(200);
  const ready = await fetch(url.replace(/\/metrics$/, "/readyz"));
  expect([ready.status, (await ready.text()).slice(0, 7)]).toEqual([200, "ready: "]);

  if (HAS_PROMTOOL) expect(await promtoolCheck(exposition)).toEqual({ code: 0, output: "" });

  const signalledAt = performance.now();
  run.proc.kill("SIGTERM");
  const code = await run.proc.exited;
  const stopMs = performance.now() - signalledAt;
  expect(code).toBe(0);
  // The 2 s bound is the requirement of `run`, not a speed target.
  expect(stopMs).toBeLessThan(2_000);
  expect(run.stderr()).toContain("Received SIGTERM; stopping");
});

test("run keeps serving while every poll fails: failures counted under 'unknown', not ready, scrapes need the token, no secret logged", async () => {
  const sim = await startSimulator({ port: 0, devices: 1, username: "owner@example.com", password: "Ri9ht-Pa55word" });
  sims.push(sim);
  // The login works (a refused one stops run at once, see login-refused.e2e.test.ts); the device query never does.
  sim.faults.add({ kind: "status", status: 503, count: -1, retryAfterSeconds: 0, path: "/api/entitiesQuery" });
  const run = startCli(["run", "--base-url", sim.url, "--username", "owner@example.com", "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", "10"], {
    NIGHTOWL_PASSWORD: "Ri9ht-Pa55word",
    NIGHTOWL_METRICS_AUTH_BEARER_TOKEN: "scrape-t0ken",
  });
  running.push(run);
  const url = (await run.waitFor(/Serving metrics on (http:\/\/\S+\/metrics)/))[1]!;
  await run.waitFor(/poll failed: /);

  const denied = await fetch(url);
  expect(denied.status).toBe(401);
  expect(denied.headers.get("www-authenticate")).toBe('Bearer realm="nightowl"');
  const scrape = await fetch(url, { headers: { authorization: "Bearer scrape-t0ken" } });
  const samples = parseExposition(await scrape.text());
  expect(samples.filter((s) => s.name === "nightowl_last_poll_success")).toEqual([{ name: "nightowl_last_poll_success", labels: { user_label: "unknown" }, value: 0 }]);
  expect(samples.filter((s) => s.name === "nightowl_poll_attempts_total").map((s) => `${s.labels.status}=${s.value}`)).toEqual(["failure=1", "success=0"]);
  expect(samples.filter((s) => s.name === "nightowl_telemetry_value")).toEqual([]);

  const ready = await fetch(url.replace(/\/metrics$/, "/readyz"));
  expect([ready.status, await ready.text()]).toEqual([503, "not ready: no successful poll yet\n"]);
  expect((await fetch(url.replace(/\/metrics$/, "/healthz"))).status).toBe(200);

  run.proc.kill("SIGINT");
  expect(await run.proc.exited).toBe(0);
  expect(run.stderr()).not.toContain("Ri9ht-Pa55word");
  expect(run.stderr()).not.toContain("scrape-t0ken");
});

test("SIGTERM while a poll hangs on a slow portal still stops within 2 s (the poll is cancelled)", async () => {
  const sim = await startSimulator({ port: 0, devices: 1, username: "owner@example.com", password: "pw" });
  sims.push(sim);
  const run = startCli(["run", "--base-url", sim.url, "--metrics-port", "0", "--metrics-host", "127.0.0.1", "--poll-interval", "10"], {
    NIGHTOWL_USERNAME: "owner@example.com",
    NIGHTOWL_PASSWORD: "pw",
  });
  running.push(run);
  await run.waitFor(/Polled 1 device\(s\)/);
  // Every later device query now answers only after 20 s: the next poll hangs.
  sim.faults.delay(20_000, { path: "/api/entitiesQuery/find" });
  const before = sim.requestCount("/api/entitiesQuery/find");
  await run.waitFor(/Serving metrics/);
  const deadline = Date.now() + 15_000;
  while (sim.requestCount("/api/entitiesQuery/find") === before && Date.now() < deadline) await Bun.sleep(100);
  expect(sim.requestCount("/api/entitiesQuery/find")).toBeGreaterThan(before);

  const signalledAt = performance.now();
  run.proc.kill("SIGTERM");
  const code = await run.proc.exited;
  expect(code).toBe(0);
  expect(performance.now() - signalledAt).toBeLessThan(2_000);
});
