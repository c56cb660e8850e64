/**
 * The client under the simulator's injected faults, over real HTTP: error statuses with and
 * without Retry-After, cut connections, timeouts, broken JSON and values of the wrong type.
 */
import { beforeEach, expect, test } from "bun:test";
import { clientFor, counts, QUERY, recordingLogger, simulatorPerFile } from "./test-support.ts";

const shared = simulatorPerFile({ devices: 3, seed: 11, historyDays: 1 });
beforeEach(() => {
  shared.sim.faults.clear();
});

const QUERY_PATH = "/api/entitiesQuery";

test.each([500, 502, 503, 504])("a burst of %i answers is retried with backoff until it passes", async (status) => {
  const client = clientFor(shared.sim, { retries: 3 });
  await client.authenticate();
  const before = counts(shared.sim).query;
  shared.sim.faults.failNext(3, status, { path: QUERY_PATH });
  expect(await client.devices(QUERY)).toHaveLength(3);
  expect(counts(shared.sim).query - before).toBe(4);
});

// A burst longer than the retries fails after them all; a 400 is not retried at all.
test.each([
  { status: 503, failures: 3, retries: 2, attempts: 3, message: "POST /api/entitiesQuery/find: HTTP 503: Service Unavailable (after 3 attempts)" },
  { status: 400, failures: 1, retries: 3, attempts: 1, message: "POST /api/entitiesQuery/find: HTTP 400: Internal Server Error" },
])("a $status the client gives up on → E_HTTP naming endpoint, status, portal message and attempts", async ({ status, failures, retries, attempts, message }) => {
  const client = clientFor(shared.sim, { retries });
  await client.authenticate();
  const before = counts(shared.sim).query;
  shared.sim.faults.failNext(failures, status, { path: QUERY_PATH });
  const error = await client.devices(QUERY).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "E_HTTP", status });
  expect((error as Error).message).toBe(message);
  expect(counts(shared.sim).query - before).toBe(attempts);
});

test("429 with Retry-After: waits the seconds the portal asks for, then succeeds", async () => {
  const log = recordingLogger();
  const client = clientFor(shared.sim, { log, retryBaseMs: 1 });
  await client.authenticate();
  shared.sim.faults.failNext(1, 429, { retryAfterSeconds: 1, path: QUERY_PATH });
  const started = performance.now();
  expect(await client.devices(QUERY)).toHaveLength(3);
  // A lower bound only: the wait cannot be shorter than asked for.
  expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  expect(log.lines).toContain("debug POST /api/entitiesQuery/find: HTTP 429; retry 1/3 in 1000 ms");
});

test("429 on login is retried too", async () => {
  const before = counts(shared.sim).login;
  shared.sim.faults.failNext(1, 429, { retryAfterSeconds: 0, path: "/api/auth/login" });
  await clientFor(shared.sim).authenticate();
  expect(counts(shared.sim).login - before).toBe(2);
});

test("a connection closed mid-body is a network error, retried", async () => {
  const log = recordingLogger();
  const client = clientFor(shared.sim, { log });
  await client.authenticate();
  const before = counts(shared.sim).query;
  shared.sim.faults.add({ kind: "close", path: QUERY_PATH });
  expect(await client.devices(QUERY)).toHaveLength(3);
  expect(counts(shared.sim).query - before).toBe(2);
  expect(log.lines.some((l) => l.startsWith("debug POST /api/entitiesQuery/find: network error"))).toBe(true);
});

test("a slow answer times out and is retried", async () => {
  const log = recordingLogger();
  const client = clientFor(shared.sim, { log, timeoutMs: 150 });
  await client.authenticate();
  const before = counts(shared.sim).query;
  shared.sim.faults.delay(600, { count: 1, path: QUERY_PATH });
  expect(await client.devices(QUERY)).toHaveLength(3);
  expect(counts(shared.sim).query - before).toBe(2);
  expect(log.lines).toContainEqual(expect.stringMatching(/^debug POST \/api\/entitiesQuery\/find: timed out after 150 ms; retry 1\/3/));
});

test.each(["malformed", "truncated"] as const)("%s JSON → E_PARSE naming the endpoint, no crash", async (kind) => {
  const client = clientFor(shared.sim);
  await client.authenticate();
  shared.sim.faults.add({ kind, path: QUERY_PATH });
  const error = await client.devices(QUERY).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: "NightowlError", code: "E_PARSE" });
  expect((error as Error).message).toMatch(/^POST \/api\/entitiesQuery\/find: response is not valid JSON \(\d+ bytes\): /);
  // the next call finds the portal healthy again
  expect(await client.devices(QUERY)).toHaveLength(3);
});

test("malformed JSON on login → E_PARSE, and the message holds no token", async () => {
  shared.sim.faults.add({ kind: "truncated", path: "/api/auth/login" });
  const error = await clientFor(shared.sim).authenticate().catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "E_PARSE" });
  const message = (error as Error).message;
  expect(message).toStartWith("POST /api/auth/login: response is not valid JSON");
  expect(message).not.toContain("eyJ");
  expect(message).not.toContain(shared.sim.accounts[0]!.password);
});

test.each([
  { value: { v: 1 }, received: "Object" },
  { value: null, received: "null" },
])("a latest value of the wrong type ($received) → E_PARSE naming endpoint and field", async ({ value, received }) => {
  const client = clientFor(shared.sim);
  await client.authenticate();
  const device = shared.sim.devices[0]!;
  shared.sim.faults.add({ kind: "wrong_type", deviceId: device.id, key: "S1", value, count: 1 });
  const error = await client.devices({ ...QUERY, pageSize: 10 }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "E_PARSE" });
  const index = [...shared.sim.devices].sort((a, b) => a.name.localeCompare(b.name)).findIndex((d) => d.id === device.id);
  expect((error as Error).message).toBe(
    `POST /api/entitiesQuery/find: unexpected response at data.${index}.latest.TIME_SERIES.S1.value: expected (string | number | boolean), received ${received}`,
  );
});

test("a JSON boolean (ThingsBoard's useStrictDataTypes) is read as 1/0, not a malformed answer", async () => {
  const client = clientFor(shared.sim);
  const device = shared.sim.devices[0]!;
  shared.sim.faults.add({ kind: "wrong_type", deviceId: device.id, key: "S1", value: true, count: 1 });
  const devices = await client.devices({ ...QUERY, pageSize: 10 });
  expect(devices.find((d) => d.id === device.id)!.telemetry.S1!.value).toBe("true");
});

test("a history point of the wrong type → E_PARSE naming the device's endpoint and the point", async () => {
  const client = clientFor(shared.sim);
  const device = shared.sim.devices[1]!;
  shared.sim.faults.add({ kind: "wrong_type", deviceId: device.id, key: "S1", value: [1], count: 1 });
  const end = shared.sim.now();
  const error = await client.timeseries(device.id, ["S1"], end - 600_000, end).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "E_PARSE" });
  expect((error as Error).message).toBe(
    `GET /api/plugins/telemetry/DEVICE/${device.id}/values/timeseries: unexpected response at S1.0.value: expected (string | number | boolean), received Array`,
  );
});

test("a dropped device is simply missing from the list", async () => {
  const dropped = shared.sim.devices[2]!;
  shared.sim.faults.add({ kind: "drop_device", deviceId: dropped.id });
  const devices = await clientFor(shared.sim).devices({ ...QUERY, pageSize: 1 });
  expect(devices.map((d) => d.id).sort()).toEqual(shared.sim.devices.filter((d) => d.id !== dropped.id).map((d) => d.id).sort());
});

test("a non-numeric history value is dropped, and timeseriesPage still shows the page was full", async () => {
  const client = clientFor(shared.sim);
  const device = shared.sim.devices[0]!;
  const end = shared.sim.now();
  shared.sim.faults.add({ kind: "wrong_type", deviceId: device.id, key: "S1", value: "n/a", count: 1 });
  const page = await client.timeseriesPage(device.id, ["S1", "P1V1"], end - 3_600_000, end, { limit: 5 });
  expect(page.points.S1).toHaveLength(4);
  expect(page.received).toEqual({ S1: 5, P1V1: 5 });
  expect(page.points.P1V1).toHaveLength(5);
});
