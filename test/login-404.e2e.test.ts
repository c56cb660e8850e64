/**
 * A base URL without the portal's login (HTTP 404 at POST …/api/auth/login), through the real
 * program: at a command's first login it is a setting to fix, one line and exit 2 naming the URL
 * asked and the setting, with a hint when the URL ends in /api; it never went past the login
 * with "HTTP 404: No handler for POST /api/api/auth/login", and `run` never retried it forever.
 * A 404 in a later poll (a proxy's brief one) is an outage like any other: run keeps polling.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { emptyDir, everyLoginDoor, runCli, startCli } from "./cli-process.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 2, seed: 5, username: "owner@example.com", password: "right-password" });
});
afterAll(async () => {
  await sim.stop();
});

test("a base URL ending in /api: every command that logs in says the same one line, exit 2, naming the URL asked and the setting, and to drop the /api", async () => {
  const dir = emptyDir("login-404");
  const env = { NIGHTOWL_BASE_URL: `${sim.url}/api`, NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD: "right-password" };
  const expected = `nightowl: the portal has no login at ${sim.url}/api/api/auth/login (HTTP 404: No handler for POST /api/api/auth/login): check the portal's base URL, NIGHTOWL_BASE_URL=${JSON.stringify(`${sim.url}/api`)}; drop the "/api" at its end (nightowl adds it to every path)\n`;
  const results = await everyLoginDoor(env, dir);
  expect(results).toEqual(["run", "poll-once", "fetch-history", "score", "train", "report"].map((command) => ({ command, code: 2, stdout: "", stderr: expected })));
  expect(readdirSync(dir)).toEqual([]);
});

test("a base URL from the flag, with a proxy's credentials in it and another wrong path: the flag is named, no credential shown, no /api hint", async () => {
  const url = new URL(sim.url);
  const given = `http://proxy-user:Pr0xy-Secret@${url.host}/portal`;
  const { code, stdout, stderr } = await runCli(["run", "--base-url", given, "--metrics-port", "0", "--warmup-hours", "0"], { NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD: "right-password" });
  expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
  expect(stderr).toBe(`nightowl: the portal has no login at ${sim.url}/portal/api/auth/login (HTTP 404: No handler for POST /portal/api/auth/login): check the portal's base URL, --base-url ${JSON.stringify(`${sim.url}/portal`)}\n`);
  expect(stderr).not.toContain("Pr0xy-Secret");
  expect(stderr).not.toContain("right-password");
});

test("a 404 from the login in a later poll is an outage: run logs it, keeps polling, and recovers", async () => {
  // 50× simulated time: a poll every 10 simulated seconds is one every 200 ms.
  const run = startCli(["run", "--demo", "--demo-speed", "50", "--poll-interval", "10", "--metrics-port", "0", "--ml-enabled", "false", "--warmup-hours", "0"]);
  try {
    const simUrl = (await run.waitFor(/Demo: simulator with \d+ devices at (http:\/\/\S+)/))[1]!;
    const base = (await run.waitFor(/Serving metrics on (http:\/\/\S+)\/metrics/))[1]!;
    await until(async () => (await fetch(`${base}/readyz`)).status === 200);
    // Tokens dropped and refresh refused: the next poll logs in again, and the login answers 404.
    const faults = (body: unknown) => fetch(`${simUrl}/__sim/faults`, { method: "POST", body: JSON.stringify(body) });
    expect((await faults([{ kind: "status", status: 404, path: "/api/auth/login", count: 1000 }, { kind: "reject_refresh" }, { kind: "expire_tokens" }])).status).toBe(200);
    await run.waitFor(/\[(WARN|ERROR)\] poll failed: POST \/api\/auth\/login: HTTP 404/);
    expect(run.proc.exitCode).toBeNull();
    const successes = async () => [...(await (await fetch(`${base}/metrics`)).text()).matchAll(/^nightowl_poll_attempts_total\{[^}]*status="success"[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect((await faults({ kind: "clear" })).status).toBe(200);
    const before = await successes();
    await until(async () => (await successes()) > before);
    expect(run.proc.exitCode).toBeNull();
  } finally {
    run.kill();
  }
});

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error("timed out");
    await Bun.sleep(50);
  }
}
