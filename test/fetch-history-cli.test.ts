import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { DAY_MS, filesOf, KEYS, runFetch, SIM_START, tempDir, UNTIL } from "./fetch-history.helpers.ts";

const CLI = join(import.meta.dir, "..", "src", "cli.ts");
let sim: Simulator;
let reference: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ devices: 3, seed: 11, startMs: SIM_START, historyDays: 5, denseDevices: 1 });
  const dir = tempDir("cli-ref");
  await runFetch(sim, dir);
  reference = filesOf(dir);
});

afterAll(async () => {
  await sim.stop();
});

function spawnFetch(dir: string, extra: string[] = []) {
  const account = sim.accounts[0]!;
  return Bun.spawn(
    [process.execPath, CLI, "fetch-history", "--base-url", sim.url, "--username", account.username, "--keys", KEYS.join(","),
      "--since", String(UNTIL - 2 * DAY_MS), "--until", String(UNTIL), "--window-days", "0.5", "--limit", "1000",
      "--format", "csv", "--format", "openmetrics,ndjson", "--output", dir, "--page-size", "1", ...extra],
    { cwd: dir, env: { ...process.env, NIGHTOWL_PASSWORD: account.password, NIGHTOWL_LOG_LEVEL: "info" }, stdout: "pipe", stderr: "pipe" },
  );
}

async function windowsDone(dir: string): Promise<number> {
  try {
    const cp = JSON.parse(readFileSync(join(dir, ".nightowl-fetch", "checkpoint.json"), "utf8"));
    return Object.values(cp.progress as Record<string, { windows: number }>).reduce((n, p) => n + p.windows, 0);
  } catch {
    return 0;
  }
}

async function interruptAndResume(signal: "SIGKILL" | "SIGINT" | "SIGTERM"): Promise<{ code: number; stderr: string; dir: string }> {
  const dir = tempDir(`cli-${signal}`);
  sim.faults.delay(40, { path: "/api/plugins/telemetry" });
  try {
    const child = spawnFetch(dir, ["--concurrency", "1"]);
    const deadline = Date.now() + 20_000;
    while ((await windowsDone(dir)) < 3 && Date.now() < deadline) await Bun.sleep(20);
    expect(await windowsDone(dir)).toBeGreaterThanOrEqual(3);
    child.kill(signal);
    const code = await child.exited;
    const stderr = await new Response(child.stderr).text();
    expect(await windowsDone(dir)).toBeLessThan(12);
    for (const [name, text] of Object.entries(filesOf(dir))) expect(text).toBe(reference[name]!);
    sim.faults.clear();
    const again = spawnFetch(dir);
    expect(await again.exited).toBe(0);
    expect(await new Response(again.stdout).text()).toContain("continuing an interrupted fetch");
    expect(filesOf(dir)).toEqual(reference);
    expect(existsSync(join(dir, ".nightowl-fetch"))).toBe(false);
    return { code, stderr, dir };
  } finally {
    sim.faults.clear();
  }
}

test("a fetch killed mid-way (SIGKILL) is continued by the same command, ending with identical files", async () => {
  const { code } = await interruptAndResume("SIGKILL");
  expect(code).not.toBe(0);
});

test.each([
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)("%s stops cleanly with a one-line reason and exit %d, as shells expect; the same command continues", async (signal, exitCode) => {
  const { code, stderr } = await interruptAndResume(signal);
  expect(code).toBe(exitCode);
  expect(stderr).toMatch(new RegExp(`^nightowl: fetch interrupted by ${signal} .*run the same command again to continue`, "m"));
});

test("--quiet: the files, and nothing on stderr even at NIGHTOWL_LOG_LEVEL=info", async () => {
  const dir = tempDir("cli-quiet");
  const child = spawnFetch(dir, ["--quiet"]);
  expect(await child.exited).toBe(0);
  expect(await new Response(child.stderr).text()).toBe("");
  expect(filesOf(dir)).toEqual(reference);
});

test("off a terminal, one log line per finished device", async () => {
  const dir = tempDir("cli-log");
  const child = spawnFetch(dir);
  expect(await child.exited).toBe(0);
  const stderr = await new Response(child.stderr).text();
  expect(stderr.match(/Fetched device /g)?.length).toBe(3);
  expect(stderr).not.toContain("\r");
  expect(filesOf(dir)).toEqual(reference);
});

test.each([
  [["--since", "2024-06-10", "--until", "2024-06-01"], /range is empty/],
  [["--days", "7", "--since", "2024-06-01"], /exclude each other/],
  [["--since", "last tuesday"], /--since "last tuesday" is not a time/],
  [["--format", "xml"], /--format "xml" is not allowed/],
  [["--limit", "0"], /--limit "0" is not allowed/],
])("usage error %p exits 2 with one line", async (args, message) => {
  const account = sim.accounts[0]!;
  const child = Bun.spawn([process.execPath, CLI, "fetch-history", "--base-url", sim.url, "--username", account.username, "--output", tempDir("cli-usage"), ...args], {
    env: { ...process.env, NIGHTOWL_PASSWORD: account.password },
    stdout: "pipe",
    stderr: "pipe",
  });
  const code = await child.exited;
  const stderr = await new Response(child.stderr).text();
  expect(`${code} ${stderr}`).toMatch(new RegExp(`^2 nightowl: .*${message.source}`));
  expect(stderr.trim().split("\n").length).toBe(1);
});

test("--demo fetches the embedded simulator's three sites without an account", async () => {
  const dir = tempDir("cli-demo");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NIGHTOWL_")));
  const child = Bun.spawn([process.execPath, CLI, "fetch-history", "--demo", "--days", "1", "--output", dir], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  expect(await child.exited).toBe(0);
  expect(await new Response(child.stderr).text()).toContain("Demo: simulator with 3 devices");
  const csvs = Object.keys(filesOf(dir)).filter((f) => f.endsWith(".csv"));
  expect(csvs).toHaveLength(3);
  // A day of 1-minute readings: about 1,440 rows each.
  for (const name of csvs) expect(filesOf(dir)[name]!.trimEnd().split("\n").length).toBeGreaterThan(1_400);
  expect(existsSync(join(dir, ".nightowl-fetch"))).toBe(false);
  expect(await new Response(child.stdout).text()).toContain("The demo sites are in America/Denver: give train, score and report --timezone America/Denver");
});
