/** History and attributes against the simulator over real HTTP on loopback. */
import { expect, test } from "bun:test";
import { clientFor, simulatorPerFile } from "./test-support.ts";

const shared = simulatorPerFile({ devices: 5, seed: 7, historyDays: 2 });

test("timeseries: numeric points per key, ascending, matching the portal's count; absent keys left out", async () => {
  const client = clientFor(shared.sim);
  const device = shared.sim.devices[0]!;
  const end = shared.sim.now();
  const start = end - 3 * 3_600_000;
  const series = await client.timeseries(device.id, ["S1", "P1C1", "No_Such_Key"], start, end);
  expect(Object.keys(series).sort()).toEqual(["P1C1", "S1"]);
  const s1 = series.S1!;
  expect(s1.length).toBe(shared.sim.pointCount(device.id, "S1", start, end));
  expect(s1.every((p) => typeof p.value === "number" && Number.isFinite(p.value))).toBe(true);
  expect(s1.every((p, i) => i === 0 || p.ts > s1[i - 1]!.ts)).toBe(true);
  expect(s1[0]!.ts).toBeGreaterThanOrEqual(start);
});

test("timeseries: limit caps points per key; DESC returns the newest first", async () => {
  const client = clientFor(shared.sim);
  const device = shared.sim.devices[1]!;
  const end = shared.sim.now();
  const series = await client.timeseries(device.id, ["S1", "P1V1"], end - 6 * 3_600_000, end, { limit: 7, orderBy: "DESC" });
  expect(series.S1).toHaveLength(7);
  expect(series.P1V1).toHaveLength(7);
  expect(series.S1![0]!.ts).toBeGreaterThan(series.S1![6]!.ts);
});

test("timeseries: aggregation with an interval returns one point per bucket", async () => {
  const client = clientFor(shared.sim);
  const device = shared.sim.devices[0]!;
  const hour = 3_600_000;
  const end = Math.floor(shared.sim.now() / hour) * hour;
  const series = await client.timeseries(device.id, ["P1V1"], end - 4 * hour, end, { agg: "AVG", intervalMs: hour });
  expect(series.P1V1).toHaveLength(4);
  for (const point of series.P1V1!) expect(point.value).toBeGreaterThan(100);
});

test("timeseries: an aborted signal stops the call with E_HTTP naming the endpoint", async () => {
  const client = clientFor(shared.sim);
  const controller = new AbortController();
  controller.abort();
  const error = await client.timeseries(shared.sim.devices[0]!.id, ["S1"], 0, 1, { signal: controller.signal }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "E_HTTP" });
  expect((error as Error).message).toMatch(/^GET \/api\/plugins\/telemetry\/DEVICE\/.+\/values\/timeseries: aborted$/);
});

test("attributes: key → raw value, absent keys left out", async () => {
  const client = clientFor(shared.sim);
  const attributes = await client.attributes(shared.sim.devices[0]!.id, ["CustomerInfo", "No_Such_Attribute"]);
  expect(attributes).toEqual({ CustomerInfo: shared.sim.accounts[0]!.customer });
});
