/** `nightowl poll-once` as cron runs it: a real process against the simulator over loopback. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { emptyDir, HAS_PROMTOOL, parseExposition, promtoolCheck, runCli } from "./cli-process.ts";

const PASSWORD = "S3cret-pa55word";
let sim: Simulator;
let portal: string[];

beforeAll(async () => {
  // pageSize 2 with 3 devices: the poll must follow hasNext past page 0.
  sim = await startSimulator({ port: 0, devices: 3, seed: 7, username: "owner@example.com", password: PASSWORD });
  portal = ["--base-url", sim.url, "--username", "owner@example.com", "--page-size", "2"];
});
afterAll(async () => {
  await sim.stop();
});

test("--json prints every device, past the first page, with the values the portal sent", async () => {
  const { code, stdout, stderr } = await runCli(["poll-once", "--json", ...portal], { NIGHTOWL_PASSWORD: PASSWORD });
  expect(code).toBe(0);
  const devices = JSON.parse(stdout) as { id: string; name: string; user_label: string; telemetry: Record<string, unknown> }[];
  expect(devices.map((d) => d.id).sort()).toEqual(sim.devices.map((d) => d.id).sort());
  for (const device of sim.devices) {
    const printed = devices.find((d) => d.id === device.id)!;
    expect(printed.name).toBe(device.name);
    expect(printed.user_label).toBe(sim.accounts[0]!.userLabel);
    expect(Object.keys(printed.telemetry).sort()).toEqual(device.keys.filter((k) => DEFAULT_TIMESERIES_KEYS.includes(k)).sort());
  }
  // Run as cron runs it (stdout not a terminal): a successful poll says nothing on stderr.
  expect(stderr).toBe("");
  expect(stdout).not.toContain(PASSWORD);
});

test("a successful poll as cron runs it is silent: reports, --textfile, --demo, and --quiet", async () => {
  const file = join(emptyDir("textfile"), "nightowl.prom");
  for (const args of [[...portal], ["--textfile", file, ...portal], ["--demo"], ["--quiet", ...portal]]) {
    const { code, stdout, stderr } = await runCli(["poll-once", ...args], { NIGHTOWL_PASSWORD: PASSWORD });
    expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: "" });
    expect(stdout.length).toBeGreaterThan(0);
  }
});

test("--log-level debug shows the login, with only the token's prefix", async () => {
  const { code, stderr } = await runCli(["poll-once", "--json", ...portal, "--log-level", "debug"], { NIGHTOWL_PASSWORD: PASSWORD });
  expect(code).toBe(0);
  expect(stderr).toContain("[DEBUG] Authenticated successfully; token prefix ");
});

test("the report names every device with the original layout", async () => {
  const { code, stdout } = await runCli(["poll-once", ...portal], { NIGHTOWL_PASSWORD: PASSWORD });
  expect(code).toBe(0);
  for (const device of sim.devices) {
    const header = `Device: ${device.name} (${device.id})`;
    expect(stdout).toContain(`${header}\n${"-".repeat(header.length)}\nSummary:\n`);
  }
  expect(stdout.match(/^Telemetry:$/gm)).toHaveLength(3);
  expect(stdout.match(/^Attributes:$/gm)).toHaveLength(3);
});

test("--textfile writes the metrics atomically; the file passes promtool", async () => {
  const dir = emptyDir("textfile");
  const file = join(dir, "nightowl.prom");
  const { code } = await runCli(["poll-once", "--textfile", file, ...portal], { NIGHTOWL_PASSWORD: PASSWORD });
  expect(code).toBe(0);
  expect(readdirSync(dir)).toEqual(["nightowl.prom"]);
  const text = readFileSync(file, "utf8");
  const samples = parseExposition(text);
  const label = sim.accounts[0]!.userLabel;
  expect(samples.filter((s) => s.name === "nightowl_last_poll_success")).toEqual([{ name: "nightowl_last_poll_success", labels: { user_label: label }, value: 1 }]);
  expect(samples.filter((s) => s.name === "nightowl_device_info")).toHaveLength(3);
  const s1 = samples.filter((s) => s.name === "nightowl_telemetry_value" && s.labels.key === "S1");
  expect(s1).toHaveLength(3);
  for (const s of s1) expect(s.value).toBeGreaterThan(0);
  if (HAS_PROMTOOL) expect(await promtoolCheck(text)).toEqual({ code: 0, output: "" });
});

test("bad credentials: exit 2 (a setting to fix) with one line naming what to check and no password; the textfile says the poll failed", async () => {
  const dir = emptyDir("textfile");
  const file = join(dir, "nightowl.prom");
  const { code, stdout, stderr } = await runCli(["poll-once", "--textfile", file, ...portal], { NIGHTOWL_PASSWORD: "not-the-password" });
  expect(code).toBe(2);
  expect(stdout).toBe("");
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^nightowl: the portal refused the login of "owner@example\.com" at http:\/\/\S+ \(HTTP 401: .*\): check the password in NIGHTOWL_PASSWORD, the username in --username and/);
  expect(stderr).not.toContain("not-the-password");
  const samples = parseExposition(readFileSync(file, "utf8"));
  expect(samples.filter((s) => s.name === "nightowl_last_poll_success")).toEqual([{ name: "nightowl_last_poll_success", labels: { user_label: "unknown" }, value: 0 }]);
  expect(samples.filter((s) => s.name === "nightowl_poll_attempts_total" && s.labels.status === "failure").map((s) => s.value)).toEqual([1]);
});

test("a failed poll after a good one: the textfile keeps the account's label and its last success, so the alerts on them fire", async () => {
  const file = join(emptyDir("textfile"), "nightowl.prom");
  const label = sim.accounts[0]!.userLabel;
  expect((await runCli(["poll-once", "--textfile", file, ...portal], { NIGHTOWL_PASSWORD: PASSWORD })).code).toBe(0);
  const good = parseExposition(readFileSync(file, "utf8"));
  const lastSuccess = good.find((s) => s.name === "nightowl_last_success_timestamp_seconds")!;
  expect(lastSuccess.labels).toEqual({ user_label: label });
  for (const run of [1, 2]) {
    // Twice: the second failure reads the first failure's file.
    const { code, stderr } = await runCli(["poll-once", "--textfile", file, ...portal], { NIGHTOWL_PASSWORD: "not-the-password" });
    expect({ run, code, lines: stderr.trimEnd().split("\n").length }).toEqual({ run, code: 2, lines: 1 });
    const text = readFileSync(file, "utf8");
    const samples = parseExposition(text);
    const poll = (name: string) => samples.filter((s) => s.name === name);
    expect(poll("nightowl_last_poll_success")).toEqual([{ name: "nightowl_last_poll_success", labels: { user_label: label }, value: 0 }]);
    expect(poll("nightowl_last_success_timestamp_seconds")).toEqual([lastSuccess]);
    expect(poll("nightowl_last_poll_timestamp").map((s) => s.value)).toEqual([lastSuccess.value]);
    if (HAS_PROMTOOL) expect(await promtoolCheck(text)).toEqual({ code: 0, output: "" });
  }
});

test("a previous textfile with a time in the future: not carried, one warning naming the file, then the failure's line", async () => {
  const file = join(emptyDir("textfile"), "nightowl.prom");
  writeFileSync(file, 'nightowl_last_poll_success{user_label="dgorman"} 1\nnightowl_last_success_timestamp_seconds{user_label="dgorman"} 4102444800\n');
  const { code, stderr } = await runCli(["poll-once", "--textfile", file, ...portal], { NIGHTOWL_PASSWORD: "not-the-password" });
  expect(code).toBe(2);
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain(`--textfile ${JSON.stringify(file)}: the previous file is not carried over in full: its nightowl_last_success_timestamp_seconds (4102444800) is not a Unix time up to now`);
  expect(lines[1]).toStartWith("nightowl: the portal refused the login");
  const samples = parseExposition(readFileSync(file, "utf8"));
  expect(samples.filter((s) => s.name.startsWith("nightowl_last_"))).toEqual([
    { name: "nightowl_last_poll_success", labels: { user_label: "dgorman" }, value: 0 },
    { name: "nightowl_last_poll_timestamp", labels: { user_label: "dgorman" }, value: 0 },
  ]);
});

test("missing credentials: exit 2 naming the variable, and no textfile", async () => {
  const dir = emptyDir("textfile");
  const file = join(dir, "nightowl.prom");
  const { code, stderr } = await runCli(["poll-once", "--textfile", file, "--base-url", sim.url]);
  expect(code).toBe(2);
  expect(stderr).toStartWith("nightowl: NIGHTOWL_USERNAME is not set");
  expect(existsSync(file)).toBe(false);
});

test("a portal that keeps failing: exit 1 with one line after the retries, none per retry", async () => {
  sim.faults.add({ kind: "status", status: 503, count: -1, path: "/api/entitiesQuery" });
  try {
    const { code, stdout, stderr } = await runCli(["poll-once", ...portal], { NIGHTOWL_PASSWORD: PASSWORD });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^nightowl: .*503.*\(after 4 attempts\)$/m);
  } finally {
    sim.faults.add({ kind: "clear" });
  }
});

test("an unreachable portal: one line, exit 1, no retry lines", async () => {
  const { code, stderr } = await runCli(["poll-once", "--base-url", "http://127.0.0.1:9", "--username", "u"], { NIGHTOWL_PASSWORD: "p" });
  expect(code).toBe(1);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).toMatch(/^nightowl: POST \/api\/auth\/login: .*\(after 4 attempts\)$/m);
});

test("--demo polls the embedded simulator", async () => {
  const { code, stdout } = await runCli(["poll-once", "--demo", "--json"]);
  expect(code).toBe(0);
  expect((JSON.parse(stdout) as unknown[]).length).toBe(3);
});
