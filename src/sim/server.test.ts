import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "./server.ts";

const DAY = 86_400_000;
let sim: Simulator;

async function call(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(sim.url + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "Content-Type": "application/json", ...(init.token ? { "X-Authorization": `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function login(username = sim.accounts[0].username, password = sim.accounts[0].password) {
  return (await call("/api/auth/login", { body: { username, password } })).body as { token: string; refreshToken: string };
}

function query(page: number, pageSize: number, extra: Record<string, unknown> = {}) {
  return {
    entityFilter: { type: "entityType", resolveMultiple: true, entityType: "DEVICE" },
    pageLink: { page, pageSize, textSearch: null, dynamic: false, sortOrder: { key: { key: "name", type: "ENTITY_FIELD" }, direction: "ASC" } },
    entityFields: [{ key: "type", type: "ENTITY_FIELD" }, { key: "name", type: "ENTITY_FIELD" }],
    latestValues: [
      { key: "S1", type: "TIME_SERIES" },
      { key: "Pulse_TotalGallons", type: "TIME_SERIES" },
      { key: "P3C1", type: "TIME_SERIES" },
      { key: "CustomerInfo", type: "ATTRIBUTE" },
    ],
    ...extra,
  };
}

const history = (id: string, params: Record<string, string | number>) =>
  `/api/plugins/telemetry/DEVICE/${id}/values/timeseries?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;

beforeAll(async () => {
  sim = await startSimulator({ accounts: 2, devices: 4, historyDays: 10, denseDevices: 1, startMs: Date.UTC(2026, 2, 10, 12) });
});
afterAll(() => sim.stop());

describe("auth", () => {
  test("login returns JWTs whose exp is the configured lifetime", async () => {
    const { token, refreshToken } = await login();
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(payload.sub).toBe(sim.accounts[0].username);
    expect(payload.exp - Date.now() / 1000).toBeWithin(8990, 9002);
    expect(refreshToken.split(".")).toHaveLength(3);
  });

  test("bad credentials, missing and forged tokens answer 401 with a ThingsBoard body", async () => {
    const bad = await call("/api/auth/login", { body: { username: sim.accounts[0].username, password: "wrong" } });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ status: 401, errorCode: 10 });
    expect((await call("/api/entitiesQuery/find", { body: query(0, 5) })).status).toBe(401);
    const { token } = await login();
    const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    const r = await call("/api/entitiesQuery/find", { body: query(0, 5), token: forged });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ status: 401, message: "Token has expired", errorCode: 11 });
  });

  test("a refresh token buys a new working access token", async () => {
    const { refreshToken } = await login();
    const r = await call("/api/auth/token", { body: { refreshToken } });
    expect(r.status).toBe(200);
    expect((await call("/api/entitiesQuery/find", { body: query(0, 5), token: r.body.token })).status).toBe(200);
    expect((await call("/api/auth/token", { body: { refreshToken: "x.y.z" } })).status).toBe(401);
  });

  test("tokens expire after tokenTtlSeconds (real time)", async () => {
    const quick = await startSimulator({ devices: 1, historyDays: 0, tokenTtlSeconds: 1 });
    try {
      const res = await fetch(quick.url + "/api/auth/login", { method: "POST", body: JSON.stringify({ username: quick.accounts[0].username, password: quick.accounts[0].password }) });
      const { token, refreshToken } = (await res.json()) as { token: string; refreshToken: string };
      const ask = (t: string) => fetch(quick.url + "/api/entitiesQuery/find", { method: "POST", headers: { "X-Authorization": `Bearer ${t}` }, body: JSON.stringify(query(0, 5)) });
      expect((await ask(token)).status).toBe(200);
      const exp = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).exp * 1000;
      await Bun.sleep(Math.max(0, exp - Date.now()) + 20);
      const expired = await ask(token);
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ message: "Token has expired", errorCode: 11 });
      const refreshed = await fetch(quick.url + "/api/auth/token", { method: "POST", body: JSON.stringify({ refreshToken }) });
      expect((await ask(((await refreshed.json()) as { token: string }).token)).status).toBe(200);
    } finally {
      await quick.stop();
    }
  });
});

describe("entity data query", () => {
  test("pages through an account's devices with hasNext, values as strings", async () => {
    const { token } = await login();
    const seen: string[] = [];
    for (let page = 0; ; page++) {
      const r = await call("/api/entitiesQuery/find", { body: query(page, 3), token });
      expect(r.status).toBe(200);
      expect(r.body.totalElements).toBe(4);
      expect(r.body.totalPages).toBe(2);
      for (const d of r.body.data) {
        seen.push(d.entityId.id);
        expect(d.entityId.entityType).toBe("DEVICE");
        expect(d.latest.ENTITY_FIELD.type.value).toBe("NightOwl Flex");
        expect(typeof d.latest.TIME_SERIES.S1.value).toBe("string");
        expect(Number(d.latest.TIME_SERIES.S1.value)).toBeWithin(0, 80);
        expect(d.latest.TIME_SERIES.S1.ts).toBeLessThanOrEqual(sim.now());
        expect(d.latest.TIME_SERIES.P3C1).toEqual({ ts: 0, value: "" });
        expect(d.latest.ATTRIBUTE.CustomerInfo.value).toBe(sim.accounts[0].customer);
      }
      if (!r.body.hasNext) break;
    }
    expect(seen.sort()).toEqual(sim.devices.filter((d) => d.accountIndex === 0).map((d) => d.id).sort());
  });

  test("each account sees only its own devices; a device without a meter has no counter value", async () => {
    const second = await login(sim.accounts[1].username, sim.accounts[1].password);
    const r = await call("/api/entitiesQuery/find", { body: query(0, 10), token: second.token });
    const ids = r.body.data.map((d: any) => d.entityId.id).sort();
    expect(ids).toEqual(sim.devices.filter((d) => d.accountIndex === 1).map((d) => d.id).sort());
    const noMeter = sim.devices.find((d) => d.accountIndex === 1 && !d.hasMeter)!;
    const row = r.body.data.find((d: any) => d.entityId.id === noMeter.id);
    expect(row.latest.TIME_SERIES.Pulse_TotalGallons.value).toBe("");
    const other = sim.devices.find((d) => d.accountIndex === 0)!;
    expect((await call(history(other.id, { keys: "S1", startTs: 0, endTs: sim.now() }), { token: second.token })).status).toBe(403);
  });
});

describe("history", () => {
  test("limit cuts silently; pointCount tells how many there are", async () => {
    const { token } = await login();
    const dense = sim.devices.find((d) => d.sampleIntervalSeconds === 10)!;
    const end = sim.now();
    const start = end - 7 * DAY;
    const total = sim.pointCount(dense.id, "S1", start, end);
    expect(total).toBeGreaterThan(50_000);
    const cut = await call(history(dense.id, { keys: "S1,P1C1", startTs: start, endTs: end, limit: 50_000, orderBy: "ASC", useStrictDataTypes: "true" }), { token });
    expect(cut.body.S1).toHaveLength(50_000);
    expect(cut.body.P1C1).toHaveLength(50_000);
    expect(cut.body.S1[0].ts).toBeGreaterThanOrEqual(start);
    const all = await call(history(dense.id, { keys: "S1", startTs: start, endTs: end, limit: 1_000_000, orderBy: "ASC", useStrictDataTypes: "true" }), { token });
    expect(all.body.S1).toHaveLength(total);
    expect(typeof all.body.S1[0].value).toBe("number");
    for (let i = 1; i < all.body.S1.length; i++) expect(all.body.S1[i].ts).toBeGreaterThan(all.body.S1[i - 1].ts);
  });

  test("default limit 100 and order DESC; strings unless useStrictDataTypes; absent keys are absent", async () => {
    const { token } = await login();
    const d = sim.devices.find((x) => x.accountIndex === 0 && !x.hasMeter)!;
    const end = sim.now();
    const r = await call(history(d.id, { keys: "S1,Pulse_TotalGallons", startTs: end - DAY, endTs: end }), { token });
    expect(r.body.S1).toHaveLength(100);
    expect(r.body.S1[0].ts).toBeGreaterThan(r.body.S1[1].ts);
    expect(typeof r.body.S1[0].value).toBe("string");
    expect("Pulse_TotalGallons" in r.body).toBe(false);
  });

  test("history before the origin is empty, and the window end is exclusive", async () => {
    const { token } = await login();
    const d = sim.devices[1];
    expect(d.sampleIntervalSeconds).toBe(60);
    const origin = sim.now() - 10 * DAY;
    const before = await call(history(d.id, { keys: "S1", startTs: origin - 5 * DAY, endTs: origin - DAY }), { token });
    expect(before.body).toEqual({});
    const t0 = Math.ceil(origin / 60_000) * 60_000 + 3_600_000;
    const r = await call(history(d.id, { keys: "S1", startTs: t0, endTs: t0 + 600_000, limit: 1000, orderBy: "ASC" }), { token });
    expect(r.body.S1.map((p: any) => p.ts)).toEqual(Array.from({ length: 10 }, (_, i) => t0 + i * 60_000));
    expect(sim.pointCount(d.id, "S1", t0, t0 + 600_000)).toBe(10);
  });

  test("aggregation: COUNT per hour, AVG within the cut-in/cut-out band", async () => {
    const { token } = await login();
    const d = sim.devices[1];
    const end = Math.floor(sim.now() / 3_600_000) * 3_600_000;
    const count = await call(history(d.id, { keys: "S1", startTs: end - 6 * 3_600_000, endTs: end, agg: "COUNT", interval: 3_600_000, orderBy: "ASC", useStrictDataTypes: "true" }), { token });
    expect(count.body.S1.map((p: any) => p.value)).toEqual([60, 60, 60, 60, 60, 60]);
    expect(count.body.S1[0].ts).toBe(end - 6 * 3_600_000 + 1_800_000);
    const avg = await call(history(d.id, { keys: "S1", startTs: end - 6 * 3_600_000, endTs: end, agg: "AVG", interval: 3_600_000, useStrictDataTypes: "true" }), { token });
    for (const p of avg.body.S1) expect(p.value).toBeWithin(d.cutInPsi - 5, d.cutOutPsi + 2);
  });

  test("bad parameters answer 400", async () => {
    const { token } = await login();
    const d = sim.devices[0];
    expect((await call(history(d.id, { startTs: 0, endTs: 1 }), { token })).status).toBe(400);
    expect((await call(history(d.id, { keys: "S1", startTs: "x", endTs: 1 }), { token })).status).toBe(400);
    expect((await call(history(d.id, { keys: "S1", startTs: 0, endTs: 1, agg: "AVG" }), { token })).status).toBe(400);
    expect((await call(history("nope", { keys: "S1", startTs: 0, endTs: 1 }), { token })).status).toBe(404);
  });

  test("attributes", async () => {
    const { token } = await login();
    const d = sim.devices[0];
    const r = await call(`/api/plugins/telemetry/DEVICE/${d.id}/values/attributes?keys=CustomerInfo,active,Nope`, { token });
    expect(r.body).toEqual([
      { key: "CustomerInfo", value: sim.accounts[0].customer, lastUpdateTs: d.createdTime },
      { key: "active", value: "true", lastUpdateTs: d.createdTime },
    ]);
  });

  test("a scenario injected at runtime changes the served history from its start", async () => {
    const { token } = await login();
    const d = sim.devices.find((x) => x.accountIndex === 0 && x.hasMeter && x.sampleIntervalSeconds === 60)!;
    const end = sim.now();
    const ask = async () => (await call(history(d.id, { keys: "Pulse_TotalGallons", startTs: end - 2 * DAY, endTs: end, limit: 10_000, orderBy: "ASC", useStrictDataTypes: "true" }), { token })).body.Pulse_TotalGallons;
    const before = await ask();
    sim.inject({ deviceId: d.id, kind: "leak", startMs: end - DAY, size: 1 });
    const after = await ask();
    const used = (xs: any[]) => xs[xs.length - 1].value - xs[0].value;
    expect(used(after) - used(before)).toBeWithin(1440 * 0.95, 1440 * 1.05);
    expect(sim.truth().at(-1)).toMatchObject({ deviceId: d.id, kind: "leak", size: 1, endMs: null });
  });
});

test("requestCount counts by path prefix", async () => {
  const before = sim.requestCount("/api/auth/login");
  await login();
  await login();
  expect(sim.requestCount("/api/auth/login")).toBe(before + 2);
  expect(sim.requestCount()).toBeGreaterThanOrEqual(sim.requestCount("/api/auth/login"));
});

test("simulated time runs at the configured speed", async () => {
  const fast = await startSimulator({ devices: 1, historyDays: 0, speed: 3600, startMs: Date.UTC(2026, 0, 1) });
  try {
    const t0 = fast.now();
    await Bun.sleep(50);
    expect(fast.now() - t0).toBeGreaterThanOrEqual(50 * 3600);
  } finally {
    await fast.stop();
  }
});

test("two simulators with the same seed serve the same devices and values; pointCount honours gaps", async () => {
  const options = { devices: 2, historyDays: 2, startMs: Date.UTC(2026, 4, 2, 9, 30) };
  const [a, b] = await Promise.all([startSimulator(options), startSimulator(options)]);
  try {
    expect(a.devices.map((d) => d.id)).toEqual(b.devices.map((d) => d.id));
    const d = a.devices[0];
    const gapStart = options.startMs - DAY;
    b.inject({ deviceId: d.id, kind: "gap", startMs: gapStart, endMs: gapStart + 3_600_000 });
    const fetchAll = async (s: Simulator) => {
      const login = await fetch(s.url + "/api/auth/login", { method: "POST", body: JSON.stringify({ username: s.accounts[0].username, password: s.accounts[0].password }) });
      const { token } = (await login.json()) as { token: string };
      const url = s.url + history(d.id, { keys: d.keys.join(","), startTs: options.startMs - 2 * DAY, endTs: options.startMs, limit: 100_000, orderBy: "ASC", useStrictDataTypes: "true" });
      return (await (await fetch(url, { headers: { "X-Authorization": `Bearer ${token}` } })).json()) as Record<string, { ts: number; value: number }[]>;
    };
    const [ha, hb] = await Promise.all([fetchAll(a), fetchAll(b)]);
    const outsideGap = <P extends { ts: number }>(points: P[]) => points.filter((p) => p.ts < gapStart || p.ts >= gapStart + 3_600_000);
    // The gap only hides points; it does not change the model, so the rest is identical.
    for (const key of d.keys) expect(hb[key]).toEqual(outsideGap(ha[key]));
    expect(ha.S1).toHaveLength(a.pointCount(d.id, "S1", options.startMs - 2 * DAY, options.startMs));
    expect(hb.S1).toHaveLength(b.pointCount(d.id, "S1", options.startMs - 2 * DAY, options.startMs));
    expect(ha.S1.length - hb.S1.length).toBe(60);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test("a port in use is one usage error naming it", async () => {
  const taken = new URL(sim.url).port;
  await expect(startSimulator({ port: Number(taken), devices: 1, historyDays: 0 })).rejects.toThrow(`simulator port ${taken} on 127.0.0.1 is in use`);
});
