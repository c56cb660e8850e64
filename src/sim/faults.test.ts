import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "./server.ts";

let sim: Simulator;
let token = "";

const QUERY = {
  entityFilter: { type: "entityType", resolveMultiple: true, entityType: "DEVICE" },
  pageLink: { page: 0, pageSize: 10 },
  entityFields: [{ key: "name", type: "ENTITY_FIELD" }],
  latestValues: [{ key: "S1", type: "TIME_SERIES" }, { key: "P1V1", type: "TIME_SERIES" }],
};

const post = (path: string, body: unknown, auth = true) =>
  fetch(sim.url + path, { method: "POST", headers: { "Content-Type": "application/json", ...(auth ? { "X-Authorization": `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
const loginBody = () => ({ username: sim.accounts[0].username, password: sim.accounts[0].password });

beforeAll(async () => {
  sim = await startSimulator({ devices: 3, historyDays: 2 });
  token = ((await (await post("/api/auth/login", loginBody(), false)).json()) as { token: string }).token;
});
afterEach(() => sim.faults.clear());
afterAll(() => sim.stop());

test.each([500, 502, 503, 429])("fails the next N calls with %d, then recovers", async (status) => {
  sim.faults.failNext(2, status, { retryAfterSeconds: status === 429 ? 3 : undefined });
  for (let i = 0; i < 2; i++) {
    const r = await post("/api/entitiesQuery/find", QUERY);
    expect(r.status).toBe(status);
    expect(((await r.json()) as { status: number }).status).toBe(status);
    if (status === 429) expect(r.headers.get("Retry-After")).toBe("3");
  }
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(200);
});

test("a path prefix limits a fault to one endpoint", async () => {
  sim.faults.failNext(1, 503, { path: "/api/plugins/telemetry" });
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(200);
  const id = sim.devices[0].id;
  const r = await fetch(`${sim.url}/api/plugins/telemetry/DEVICE/${id}/values/timeseries?keys=S1&startTs=0&endTs=${sim.now()}`, { headers: { "X-Authorization": `Bearer ${token}` } });
  expect(r.status).toBe(503);
  expect(sim.faults.active()).toEqual([]);
});

test("delays answers", async () => {
  sim.faults.delay(150, { count: 1 });
  const t0 = performance.now();
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(200);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
});

test("closes the connection mid-body", async () => {
  sim.faults.add({ kind: "close" });
  await expect(post("/api/entitiesQuery/find", QUERY).then((r) => r.text())).rejects.toThrow();
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(200);
});

test("malformed and truncated JSON", async () => {
  sim.faults.add({ kind: "malformed" });
  const bad = await post("/api/entitiesQuery/find", QUERY);
  expect(bad.status).toBe(200);
  const text = await bad.text();
  expect(() => JSON.parse(text)).toThrow();
  expect(text.length).toBeGreaterThan(20);
  sim.faults.add({ kind: "truncated" });
  const cut = await (await post("/api/entitiesQuery/find", QUERY)).text();
  expect(() => JSON.parse(cut)).toThrow();
  expect(cut.startsWith('{"data":[')).toBe(true);
});

test("expire_tokens invalidates issued access tokens; refresh still works", async () => {
  const { refreshToken } = (await (await post("/api/auth/login", loginBody(), false)).json()) as { refreshToken: string };
  sim.faults.expireTokens();
  const r = await post("/api/entitiesQuery/find", QUERY);
  expect(r.status).toBe(401);
  expect(await r.json()).toMatchObject({ message: "Token has expired", errorCode: 11 });
  const refreshed = (await (await post("/api/auth/token", { refreshToken }, false)).json()) as { token: string };
  token = refreshed.token;
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(200);
});

test("reject_refresh refuses refresh tokens; login still works", async () => {
  const { refreshToken } = (await (await post("/api/auth/login", loginBody(), false)).json()) as { refreshToken: string };
  sim.faults.add({ kind: "reject_refresh", count: 1 });
  expect((await post("/api/auth/token", { refreshToken }, false)).status).toBe(401);
  expect((await post("/api/auth/token", { refreshToken }, false)).status).toBe(200);
  expect((await post("/api/auth/login", loginBody(), false)).status).toBe(200);
});

test("drop_device hides a device from the list until cleared", async () => {
  const id = sim.devices[1].id;
  sim.faults.add({ kind: "drop_device", deviceId: id });
  const r = (await (await post("/api/entitiesQuery/find", QUERY)).json()) as { data: { entityId: { id: string } }[]; totalElements: number };
  expect(r.totalElements).toBe(2);
  expect(r.data.map((d) => d.entityId.id)).not.toContain(id);
  sim.faults.clear();
  const back = (await (await post("/api/entitiesQuery/find", QUERY)).json()) as { totalElements: number };
  expect(back.totalElements).toBe(3);
});

test("wrong_type replaces a value in the latest values and in history", async () => {
  const d = sim.devices[0];
  sim.faults.add({ kind: "wrong_type", deviceId: d.id, key: "S1", value: { oops: 1 } });
  const r = (await (await post("/api/entitiesQuery/find", QUERY)).json()) as { data: any[] };
  const row = r.data.find((x) => x.entityId.id === d.id);
  expect(row.latest.TIME_SERIES.S1.value).toEqual({ oops: 1 });
  expect(typeof row.latest.TIME_SERIES.P1V1.value).toBe("string");
  const h = (await (await fetch(`${sim.url}/api/plugins/telemetry/DEVICE/${d.id}/values/timeseries?keys=S1&startTs=0&endTs=${sim.now()}&limit=5`, { headers: { "X-Authorization": `Bearer ${token}` } })).json()) as any;
  expect(h.S1[0].value).toEqual({ oops: 1 });
  expect(typeof h.S1[1].value).toBe("string");
});

test("the control endpoint adds, lists and clears faults over HTTP", async () => {
  const add = await fetch(sim.url + "/__sim/faults", { method: "POST", body: JSON.stringify([{ kind: "status", status: 502, count: 2 }, { kind: "delay", delayMs: 10, path: "/api/auth" }]) });
  expect(add.status).toBe(200);
  const listed = (await (await fetch(sim.url + "/__sim/faults")).json()) as { active: unknown[] };
  expect(listed.active).toEqual([
    { kind: "status", status: 502, count: 2 },
    { kind: "delay", delayMs: 10, path: "/api/auth", count: -1 },
  ]);
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(502);
  await fetch(sim.url + "/__sim/faults", { method: "DELETE" });
  expect((await post("/api/entitiesQuery/find", QUERY)).status).toBe(200);
  const bad = await fetch(sim.url + "/__sim/faults", { method: "POST", body: JSON.stringify({ kind: "explode" }) });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { message: string }).message).toContain("kind");
});

test("the control endpoint injects scenarios and reports the truth", async () => {
  const d = sim.devices[2];
  const r = await fetch(sim.url + "/__sim/scenarios", { method: "POST", body: JSON.stringify({ deviceId: d.id, kind: "burst", startMs: sim.now() - 3_600_000, endMs: sim.now() - 1_800_000, size: 9 }) });
  expect(r.status).toBe(200);
  const truth = (await (await fetch(sim.url + "/__sim/truth")).json()) as unknown[];
  expect(truth).toContainEqual(expect.objectContaining({ deviceId: d.id, kind: "burst", size: 9 }));
  const state = (await (await fetch(sim.url + "/__sim/state")).json()) as { devices: unknown[] };
  expect(state.devices).toHaveLength(3);
});

test("chaos: a seeded share of requests meets random faults, the rest succeed", async () => {
  sim.faults.setChaos(0.5, { seed: 3, path: "/api/entitiesQuery" });
  const statuses: string[] = [];
  for (let i = 0; i < 24; i++) {
    try {
      const r = await post("/api/entitiesQuery/find", QUERY);
      const text = await r.text();
      let parsed = true;
      try {
        JSON.parse(text);
      } catch {
        parsed = false;
      }
      statuses.push(r.status === 200 && parsed ? "ok" : `bad ${r.status}`);
    } catch {
      statuses.push("cut");
    }
  }
  const ok = statuses.filter((s) => s === "ok").length;
  expect(ok).toBeWithin(5, 20);
  expect(new Set(statuses).size).toBeGreaterThanOrEqual(3);
  expect(sim.faults.active()).toEqual([{ kind: "chaos", rate: 0.5, path: "/api/entitiesQuery" }]);
  expect((await post("/api/auth/login", loginBody(), false)).status).toBe(200);
}, 30_000);

test("faults from the command line: JSON or KIND:FIELD=VALUE", async () => {
  const { parseFaultArg } = await import("./faults.ts");
  expect(parseFaultArg("status:status=503:count=3:path=/api/auth")).toEqual({ kind: "status", status: 503, count: 3, path: "/api/auth" });
  expect(parseFaultArg('{"kind":"delay","delayMs":5}')).toEqual({ kind: "delay", delayMs: 5 });
  expect(() => parseFaultArg("status:503")).toThrow('"503" is not FIELD=VALUE');
  expect(() => sim.faults.add(parseFaultArg("status:status=200"))).toThrow("fault status");
});
