/**
 * The client's session against the simulator over real HTTP on loopback: login, token reuse,
 * refresh and re-login. The calls themselves are in device-list.test.ts and device-values.test.ts;
 * fault handling (retries, malformed bodies) in client-faults.test.ts.
 */
import { expect, test } from "bun:test";
import { NightowlClient } from "./client.ts";
import { clientFor, counts, QUERY, recordingLogger, simulatorPerFile, withSimulator } from "./test-support.ts";

const shared = simulatorPerFile({ devices: 5, seed: 7, historyDays: 2 });

test("login: logs the masked token prefix like the original, never the token or password", async () => {
  const log = recordingLogger();
  const client = clientFor(shared.sim, { log });
  expect(client.tokenPrefix()).toBeUndefined();
  await client.authenticate();
  expect(client.tokenPrefix()).toBe("eyJhbGci...");
  expect(log.lines).toContain("debug Authenticated successfully; token prefix eyJhbGci...");
  const all = log.lines.join("\n");
  expect(all).not.toContain(shared.sim.accounts[0]!.password);
  expect(all).not.toMatch(/eyJ[\w-]{20,}/);
});

test("token reused across calls: one login for many calls, no refresh", () =>
  withSimulator({ devices: 2, seed: 3, historyDays: 1 }, async (local) => {
    const client = clientFor(local);
    const device = local.devices[0]!;
    await client.devices(QUERY);
    await client.devices(QUERY);
    await client.timeseries(device.id, ["S1"], local.now() - 3_600_000, local.now());
    await client.attributes(device.id, ["CustomerInfo"]);
    expect(counts(local)).toEqual({ login: 1, refresh: 0, query: 2 });
  }));

test("refresh shortly before exp: /api/auth/token, not a login, and no call fails with 401", () =>
  withSimulator({ devices: 2, seed: 3, historyDays: 1, tokenTtlSeconds: 120 }, async (local) => {
    let skewMs = 0;
    const client = clientFor(local, { now: () => Date.now() + skewMs, refreshMarginSeconds: 60 });
    await client.devices(QUERY);
    skewMs = 30_000; // 90 s left: still outside the margin
    await client.devices(QUERY);
    expect(counts(local)).toEqual({ login: 1, refresh: 0, query: 2 });
    skewMs = 61_000; // 59 s left: inside the margin
    await client.devices(QUERY);
    // one query per call: the token was renewed before the call, not after a 401
    expect(counts(local)).toEqual({ login: 1, refresh: 1, query: 3 });
    // The simulator dates the new token by its own (unskewed) clock: back to that clock, the
    // fresh token is reused.
    skewMs = 0;
    await client.devices(QUERY);
    expect(counts(local)).toEqual({ login: 1, refresh: 1, query: 4 });
  }));

test("a short-lived token (2 s) is refreshed by the real clock at half its life, before any 401", () =>
  withSimulator({ devices: 1, seed: 3, historyDays: 1, tokenTtlSeconds: 2 }, async (local) => {
    const client = clientFor(local);
    await client.devices(QUERY);
    await Bun.sleep(1600);
    await client.devices(QUERY);
    expect(counts(local)).toEqual({ login: 1, refresh: 1, query: 2 });
  }));

test("401 on a token the portal dropped → transparent refresh and one retry", () =>
  withSimulator({ devices: 2, seed: 3, historyDays: 1 }, async (local) => {
    const log = recordingLogger();
    const client = clientFor(local, { log });
    await client.devices(QUERY);
    local.faults.expireTokens();
    const devices = await client.devices(QUERY);
    expect(devices).toHaveLength(2);
    expect(counts(local)).toEqual({ login: 1, refresh: 1, query: 3 });
    expect(log.lines.some((l) => l.includes("token rejected"))).toBe(true);
  }));

test("refresh rejected → log in again, the call still succeeds", () =>
  withSimulator({ devices: 2, seed: 3, historyDays: 1 }, async (local) => {
    const log = recordingLogger();
    const client = clientFor(local, { log });
    await client.devices(QUERY);
    local.faults.add({ kind: "reject_refresh", count: 1 });
    local.faults.expireTokens();
    expect(await client.devices(QUERY)).toHaveLength(2);
    expect(counts(local)).toEqual({ login: 2, refresh: 1, query: 3 });
    expect(log.lines.some((l) => l.startsWith("warn Token refresh failed; logging in again"))).toBe(true);
    expect(log.lines.join("\n")).not.toMatch(/eyJ[\w-]{20,}/);
  }));

test("concurrent calls that all meet a 401 share one refresh", () =>
  withSimulator({ devices: 4, seed: 3, historyDays: 1 }, async (local) => {
    const client = clientFor(local);
    await client.authenticate();
    local.faults.expireTokens();
    const end = local.now();
    const results = await Promise.all(local.devices.map((d) => client.timeseries(d.id, ["S1"], end - 600_000, end)));
    expect(results.every((r) => (r.S1?.length ?? 0) > 0)).toBe(true);
    expect(counts(local).refresh).toBe(1);
    expect(counts(local).login).toBe(1);
  }));

test("bad credentials → E_AUTH naming the endpoint and status, without the password, not retried", async () => {
  const before = counts(shared.sim);
  const password = "s3cret-Wrong-Pa55";
  const client = new NightowlClient({ baseUrl: shared.sim.url, username: shared.sim.accounts[0]!.username, password, retryBaseMs: 5 });
  const error = await client.devices(QUERY).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: "NightowlError", code: "E_AUTH" });
  const message = (error as Error).message;
  expect(message).toBe("POST /api/auth/login: HTTP 401: Invalid username or password");
  expect(message).not.toContain(password);
  expect(counts(shared.sim).login - before.login).toBe(1);
  expect(counts(shared.sim).query - before.query).toBe(0);
});
