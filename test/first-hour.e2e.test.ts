/**
 * The small things a newcomer meets in the first hour, through the real program: help for a
 * command that does not exist, one error format for bad flags (nested commands' too), a reader
 * that closes the pipe early, the address run is bound to, poll-once --json's numbers and
 * times, and score --from-nightowl against the simulator.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { join } from "node:path";
import { cleanEnv, emptyDir, runCli, startCli } from "./cli-process.ts";

let sim: Simulator;
const USER = "owner@example.com";
const PASSWORD = "first-hour-password";
beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 2, seed: 9, username: USER, password: PASSWORD });
});
afterAll(async () => {
  await sim.stop();
});

test("help for an unknown command: one line, exit 2; a known one (or a subcommand: help events add) prints its help", async () => {
  const nope = await runCli(["help", "nope"]);
  expect([nope.code, nope.stdout]).toEqual([2, ""]);
  expect(nope.stderr).toMatch(/^nightowl: unknown command "nope": expected one of run, poll-once, fetch-history, train, score, [a-z, -]+\n$/);
  const score = await runCli(["help", "score"]);
  expect(score.code).toBe(0);
  expect(score.stdout).toContain("Usage: nightowl score [options]");
  const add = await runCli(["help", "events", "add"]);
  expect([add.code, add.stdout.split("\n")[0]]).toEqual([0, "Usage: nightowl events add [options]"]);
  const nested = await runCli(["help", "events", "nope"]);
  expect([nested.code, nested.stderr]).toEqual([2, 'nightowl: unknown subcommand of events "nope": expected one of add, list, remove\n']);
  // No command at all is bad usage: the help on stderr, exit 2 (a script that forgot its command fails).
  for (const args of [[], ["events"]]) {
    const bare = await runCli(args);
    expect([bare.code, bare.stdout]).toEqual([2, ""]);
    expect(bare.stderr).toContain("Usage: nightowl");
  }
});

test.each([
  [["run", "--no-such-flag"], "nightowl: unknown option '--no-such-flag' (nightowl help run lists the commands and flags)\n"],
  [["nope"], "nightowl: unknown command 'nope' (nightowl --help lists the commands and flags)\n"],
  [["events", "add", "--kind", "leak"], "nightowl: required option '--device-id <id>' not specified (nightowl events add --help lists the commands and flags)\n"],
  [["events", "list", "--no-such-flag"], "nightowl: unknown option '--no-such-flag' (nightowl events list --help lists the commands and flags)\n"],
  [["fetch-history", "--format", "xml", "--username", "u"], /^nightowl: --format "xml" is not allowed/],
])("bad flags and commands share one format: %p", async (args, expected) => {
  const { code, stderr } = await runCli(args, { NIGHTOWL_PASSWORD: "p" });
  expect(code).toBe(2);
  if (typeof expected === "string") expect(stderr).toBe(expected);
  else expect(stderr).toMatch(expected);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
});

test("a reader that stops early (help | head) ends the program quietly, exit 0", async () => {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "..", "src", "cli.ts"), "score", "--help"], { cwd: emptyDir("epipe"), env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
  await proc.stdout.cancel();
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
});

test("run logs the address it is bound to", async () => {
  const run = startCli(["run", "--base-url", sim.url, "--username", USER, "--metrics-host", "0.0.0.0", "--metrics-port", "0", "--warmup-hours", "0"], { NIGHTOWL_PASSWORD: PASSWORD });
  try {
    await run.waitFor(/Serving metrics on http:\/\/127\.0\.0\.1:\d+\/metrics \(bound to 0\.0\.0\.0:\d+: every interface;/);
  } finally {
    run.kill();
  }
});

test("poll-once --json: telemetry as numbers, with each key's reading time", async () => {
  const { code, stdout } = await runCli(["poll-once", "--json", "--base-url", sim.url, "--username", USER], { NIGHTOWL_PASSWORD: PASSWORD });
  expect(code).toBe(0);
  const devices = JSON.parse(stdout) as { telemetry: Record<string, unknown>; telemetry_ts: Record<string, unknown> }[];
  expect(devices).toHaveLength(2);
  for (const d of devices) {
    expect(Object.keys(d.telemetry).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(d.telemetry)) {
      expect(typeof value).toBe("number");
      expect(Math.abs((d.telemetry_ts[key] as number) - sim.now())).toBeLessThan(10 * 60_000);
    }
  }
});

test("score --from-nightowl scores the last --days from the portal, from a folder without models", async () => {
  const { code, stdout, stderr } = await runCli(["score", "--from-nightowl", "--days", "2", "--base-url", sim.url, "--username", USER, "--timezone", "America/Denver", "--log-level", "error"], { NIGHTOWL_PASSWORD: PASSWORD });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Model: .* source simulated\)$/m);
  expect(stdout).toContain("Nights, weekdays and the times below in America/Denver");
  for (const device of sim.devices) expect(stdout).toContain(`Device: ${device.name} (${device.id})`);
  expect(stdout).toMatch(/rows \d{3,}, /);
});

test("a setting refused at start-up under --log-format json (the systemd unit's) is one JSON line, exit 2", async () => {
  const { code, stderr } = await runCli(["run", "--log-format", "json"], { NIGHTOWL_LOG_LEVEL: "bogus", NIGHTOWL_PASSWORD: "p" });
  expect(code).toBe(2);
  expect(stderr.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([
    { time: expect.any(String), level: "fatal", msg: 'NIGHTOWL_LOG_LEVEL="bogus" is not allowed: expected error, warn, info or debug' },
  ]);
});
