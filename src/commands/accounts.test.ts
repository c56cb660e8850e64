/**
 * NIGHTOWL_ACCOUNTS_FILE on a real monitor against simulators: one bad account (a wrong
 * password; a portal that never answers) does not keep the others from being polled, and the
 * account families say which one is failing.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../load-config.ts";
import type { Logger } from "../log.ts";
import { startSimulator, type Simulator } from "../sim/server.ts";
import { startMonitor, type Monitor } from "./start-monitor.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(options: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  const s = await startSimulator({ port: 0, ...options });
  cleanups.push(() => s.stop());
  return s;
}

/** Writes the accounts file and one password file per account; returns the file's path. */
function accountsFile(accounts: { label: string; username: string; password: string; baseUrl?: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-accounts-"));
  for (const a of accounts) writeFileSync(join(dir, `${a.label}.password`), a.password + "\n");
  const path = join(dir, "accounts.json");
  writeFileSync(path, JSON.stringify(accounts.map((a) => ({ label: a.label, username: a.username, passwordFile: `${a.label}.password`, ...(a.baseUrl ? { baseUrl: a.baseUrl } : {}) }))));
  return path;
}

async function monitorOf(file: string, baseUrl: string, intervalSeconds: number, log: string[]): Promise<Monitor> {
  const config = loadConfig({ env: { NIGHTOWL_WARMUP_HOURS: "0", NIGHTOWL_ACCOUNTS_FILE: file }, flags: { baseUrl, metricsHost: "127.0.0.1", metricsPort: "0" } });
  const logger: Logger = { error: (m) => void log.push(m), warn: (m) => void log.push(m), info: (m) => void log.push(m), debug() {} };
  const monitor = await startMonitor({ ...config, pollIntervalSeconds: intervalSeconds }, logger, { client: { retries: 0 } });
  cleanups.push(() => monitor.stop());
  return monitor;
}

async function scrapeUntil(monitor: Monitor, ok: (text: string) => boolean, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await (await fetch(monitor.server.url)).text();
    if (ok(text) || Date.now() > end) return text;
    await Bun.sleep(50);
  }
}

test("an accounts file with one bad password still polls the others, and reports the bad one in its metrics", async () => {
  const portal = await sim({ accounts: 3, devices: 2, seed: 9 });
  const [a, b, c] = portal.accounts;
  // The bad one first: the start's login is every account's, not the first's alone.
  const file = accountsFile([
    { label: "bravo", username: b!.username, password: "Wr0ng-Passw0rd" },
    { label: "alpha", username: a!.username, password: a!.password },
    { label: "charlie", username: c!.username, password: c!.password },
  ]);
  const log: string[] = [];
  const monitor = await monitorOf(file, portal.url, 3600, log);
  // The page of the first poll: rendered after its observers, so it has the devices too.
  const text = await scrapeUntil(monitor, (t) => t.includes('nightowl_account_last_poll_success{account="bravo"} 0') && /^nightowl_device_info\{/m.test(t));
  const devices = [...text.matchAll(/^nightowl_device_info\{[^}]*device_id="([^"]+)"/gm)].map((m) => m[1]!).sort();
  const ofAccount = (i: number) => portal.devices.filter((d) => d.accountIndex === i).map((d) => d.id);
  expect(devices).toEqual([...ofAccount(0), ...ofAccount(2)].sort());
  const samples = [...text.matchAll(/^nightowl_account_(\w+)\{account="(\w+)"\} (\S+)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  expect(samples).toEqual(expect.arrayContaining([
    "last_poll_success alpha 1", "last_poll_success bravo 0", "last_poll_success charlie 1",
    "poll_failures_total bravo 1", "poll_failures_total alpha 0", "devices charlie 2",
  ]));
  expect(log.some((l) => l.startsWith("account bravo: poll failed: "))).toBe(true);
  expect(log).toContainEqual(expect.stringMatching(new RegExp(`^the portal refused the login of "${b!.username}" .*check account "bravo"'s username, passwordFile and tenant in NIGHTOWL_ACCOUNTS_FILE=.*; the other accounts are polled$`)));
  expect(log.join("\n")).not.toContain("Wr0ng-Passw0rd");
});

test("an accounts file whose every login is refused stops the start with one line and exit 2", async () => {
  const portal = await sim({ accounts: 2, devices: 1, seed: 9 });
  const file = accountsFile(portal.accounts.map((a, i) => ({ label: `acct${i}`, username: a.username, password: `Wr0ng-${i}` })));
  const error = await monitorOf(file, portal.url, 3600, []).then(() => undefined, (e: unknown) => e);
  expect(error).toMatchObject({ code: "E_AUTH", exitCode: 2 });
  expect((error as Error).message).toMatch(/^the portal refused every account's login \(2\); the first: the portal refused the login of "[^"]+" at http:\/\/127\.0\.0\.1:\d+ \(HTTP 401[^)]*\): check account "acct0"'s /);
  expect((error as Error).message).not.toContain("Wr0ng");
});

test("an account whose portal never answers does not hold up the others' poll past the interval", async () => {
  const good = await sim({ devices: 2, seed: 3 });
  const hung = await sim({ devices: 1, seed: 4 });
  hung.faults.delay(60_000, { path: "/api/auth/login" });
  const file = accountsFile([
    { label: "hung", username: hung.accounts[0]!.username, password: hung.accounts[0]!.password, baseUrl: hung.url },
    { label: "good", username: good.accounts[0]!.username, password: good.accounts[0]!.password },
  ]);
  const log: string[] = [];
  const monitor = await monitorOf(file, good.url, 1, log);
  const text = await scrapeUntil(monitor, (t) => t.includes('nightowl_account_last_poll_success{account="hung"} 0') && /^nightowl_device_info\{/m.test(t));
  expect(text).toContain('nightowl_account_last_poll_success{account="good"} 1');
  expect((text.match(/^nightowl_device_info\{/gm) ?? []).length).toBe(2);
  expect(log.some((l) => /^account hung: poll failed: no answer within 1 s/.test(l))).toBe(true);
});

test("an account whose base URL has no login (404) is a warning naming its baseUrl; when every account fails so or is refused, one line and exit 2", async () => {
  const portal = await sim({ accounts: 2, devices: 1, seed: 9 });
  const [a, b] = portal.accounts;
  const file = accountsFile([
    { label: "wrongurl", username: a!.username, password: a!.password, baseUrl: `${portal.url}/api` },
    { label: "good", username: b!.username, password: b!.password },
  ]);
  const log: string[] = [];
  const monitor = await monitorOf(file, portal.url, 3600, log);
  await scrapeUntil(monitor, (t) => t.includes('nightowl_account_last_poll_success{account="good"} 1'));
  expect(log).toContainEqual(`the portal has no login at ${portal.url}/api/api/auth/login (HTTP 404: No handler for POST /api/api/auth/login): check the portal's base URL, account "wrongurl"'s baseUrl in NIGHTOWL_ACCOUNTS_FILE=${JSON.stringify(file)}; drop the "/api" at its end (nightowl adds it to every path); the other accounts are polled`);

  const none = accountsFile([
    { label: "wrongurl", username: a!.username, password: a!.password, baseUrl: `${portal.url}/api` },
    { label: "refused", username: b!.username, password: "Wr0ng-Passw0rd" },
  ]);
  const error = await monitorOf(none, portal.url, 3600, []).then(() => undefined, (e: unknown) => e);
  expect(error).toMatchObject({ code: "E_CONFIG", exitCode: 2 });
  expect((error as Error).message).toStartWith(`no account could log in (2); the first: the portal has no login at ${portal.url}/api/api/auth/login `);
  expect((error as Error).message).not.toContain("Wr0ng");
});
