/**
 * A wrong password through the real program: refused at the first login, `run` stops with one
 * line and exit 2 (systemd shows the failure); refused later (the password changed on the
 * portal), it keeps polling, logs ERROR, and says so on /readyz and in
 * nightowl_portal_login_refused until a login works again.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { saveEventsFile } from "../src/events/events-file.ts";
import { emptyDir, everyLoginDoor, parseExposition, runCli, startCli } from "./cli-process.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 2, seed: 5, username: "owner@example.com", password: "right-password" });
});
afterAll(async () => {
  await sim.stop();
});

test("refused at the first login: run stops with one line and exit 2, naming what to check, never the password; nothing before it", async () => {
  const { code, stdout, stderr } = await runCli(["run", "--base-url", sim.url, "--username", "owner@example.com", "--metrics-port", "0", "--warmup-hours", "0"], { NIGHTOWL_PASSWORD: "wrong-password" });
  expect(code).toBe(2);
  expect(stdout).toBe("");
  // The zone and "Serving metrics" lines came first, as if the monitor had started.
  expect(stderr).toBe(
    `nightowl: the portal refused the login of "owner@example.com" at ${sim.url} (HTTP 401: Invalid username or password): check the password in NIGHTOWL_PASSWORD, the username in --username and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT)\n`,
  );
});

test("refused at the first login with the owner's events in the state folder: still the one line, the events file's line never before it", async () => {
  const stateDir = emptyDir("refused-events");
  const start = Date.now();
  saveEventsFile(join(stateDir, "events.json"), { version: 1, events: [{ id: "pool", device_id: "d1", kind: "expected", start, end: start + 3_600_000 }] });
  const { code, stdout, stderr } = await runCli(["run", "--base-url", sim.url, "--username", "owner@example.com", "--metrics-port", "0", "--warmup-hours", "0", "--state-dir", stateDir], { NIGHTOWL_PASSWORD: "wrong-password" });
  expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
  // "events file … read: 1 event in force" came first: the file was read while the monitor was built.
  expect(stderr).toBe(
    `nightowl: the portal refused the login of "owner@example.com" at ${sim.url} (HTTP 401: Invalid username or password): check the password in NIGHTOWL_PASSWORD, the username in --username and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT)\n`,
  );
});

test("a wrong password file: every command that logs in says the same one line, exit 2, with the file's path and never its password", async () => {
  const dir = emptyDir("wrong-password-file");
  const file = join(dir, "password");
  writeFileSync(file, "wrong-password\n");
  const env = { NIGHTOWL_BASE_URL: sim.url, NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD_FILE: file };
  const expected = `nightowl: the portal refused the login of "owner@example.com" at ${sim.url} (HTTP 401: Invalid username or password): check the password in NIGHTOWL_PASSWORD_FILE=${JSON.stringify(file)}, the username in NIGHTOWL_USERNAME and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT)\n`;
  const results = await everyLoginDoor(env, dir);
  expect(results).toEqual(["run", "poll-once", "fetch-history", "score", "train", "report"].map((command) => ({ command, code: 2, stdout: "", stderr: expected })));
  expect(readdirSync(dir)).toEqual(["password"]);
});

test("refused later: run keeps polling, logs ERROR, /readyz and the metric say so, and both clear when a login works again", async () => {
  // 50× simulated time: a poll every 10 simulated seconds is one every 200 ms.
  const run = startCli(["run", "--demo", "--demo-speed", "50", "--poll-interval", "10", "--metrics-port", "0", "--ml-enabled", "false", "--warmup-hours", "0"]);
  try {
    const simUrl = (await run.waitFor(/Demo: simulator with \d+ devices at (http:\/\/\S+)/))[1]!;
    const base = (await run.waitFor(/Serving metrics on (http:\/\/\S+)\/metrics/))[1]!;
    const refusedGauge = async () => parseExposition(await (await fetch(`${base}/metrics`)).text()).find((s) => s.name === "nightowl_portal_login_refused")?.value;
    await until(async () => (await fetch(`${base}/readyz`)).status === 200);
    expect(await refusedGauge()).toBe(0);

    // The password changes on the portal: tokens are dropped, refresh and login refused.
    const faults = (body: unknown) => fetch(`${simUrl}/__sim/faults`, { method: "POST", body: JSON.stringify(body) });
    expect((await faults([{ kind: "reject_login" }, { kind: "reject_refresh" }, { kind: "expire_tokens" }])).status).toBe(200);
    await run.waitFor(/\[ERROR\] poll failed: POST \/api\/auth\/login: HTTP 401: Invalid username or password/);
    await until(async () => (await refusedGauge()) === 1);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("the portal refuses the account's credentials");
    expect(run.proc.exitCode).toBeNull();

    // The password is put right: the next poll logs in and all is well again.
    expect((await faults({ kind: "clear" })).status).toBe(200);
    await until(async () => (await refusedGauge()) === 0 && (await fetch(`${base}/readyz`)).status === 200);
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
