import { afterAll, expect, test } from "bun:test";
import { fetchPrometheusHistory, telemetrySelector } from "./prometheus-source.ts";

const requests: URL[] = [];
const auths: (string | null)[] = [];
// A loopback stand-in for Prometheus' query_range: two keys of one device, one sample per step.
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const url = new URL(req.url);
    requests.push(url);
    auths.push(req.headers.get("authorization"));
    if (url.pathname !== "/api/v1/query_range") return new Response("not found", { status: 404 });
    const start = Number(url.searchParams.get("start"));
    const end = Number(url.searchParams.get("end"));
    const step = Number(url.searchParams.get("step"));
    const values = (f: (t: number) => number) => {
      const out: [number, string][] = [];
      for (let t = start; t <= end; t += step) out.push([t, String(f(t))]);
      return out;
    };
    return Response.json({
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          { metric: { __name__: "nightowl_telemetry_value", user_label: "dgorman", device_id: "d1", device_name: "3701155", key: "S1" }, values: values((t) => 50 + (t % 7)) },
          { metric: { __name__: "nightowl_telemetry_value", user_label: "dgorman", device_id: "d1", device_name: "3701155", key: "P1C1" }, values: values(() => 0).filter((_, i) => i % 2 === 0) },
        ],
      },
    });
  },
});
afterAll(() => server.stop(true));

test("selector quotes label values", () => {
  expect(telemetrySelector("dg\"x", "d1")).toBe('nightowl_telemetry_value{user_label="dg\\"x",device_id="d1"}');
  expect(telemetrySelector()).toBe("nightowl_telemetry_value{}");
});

test("reads a long range in windows of at most 10,000 steps into one frame per device", async () => {
  const startMs = Date.UTC(2026, 0, 1);
  const endMs = startMs + 15 * 86_400_000; // 21,601 one-minute steps → three queries
  const frames = await fetchPrometheusHistory({ url: `http://127.0.0.1:${server.port}/`, startMs, endMs, stepSeconds: 60, userLabel: "dgorman", auth: { username: "123", password: "tok" } });
  expect(requests.length).toBe(3);
  expect(auths[0]).toBe(`Basic ${Buffer.from("123:tok").toString("base64")}`);
  expect(requests[0].searchParams.get("query")).toBe('nightowl_telemetry_value{user_label="dgorman"}');
  expect(frames.length).toBe(1);
  const f = frames[0];
  expect(f.deviceName).toBe("3701155");
  expect(f.ts.length).toBe(21_601);
  expect(f.ts[1] - f.ts[0]).toBe(60_000);
  expect(Object.keys(f.columns)).toEqual(["P1C1", "S1"]);
  expect(f.columns.S1[0]).toBe(50 + ((startMs / 1000) % 7));
  expect(f.columns.P1C1[0]).toBe(0);
  expect(f.columns.P1C1[1]).toBeNaN();
});

test("an HTTP error names the endpoint and status", async () => {
  await expect(fetchPrometheusHistory({ url: `http://127.0.0.1:${server.port}/nope`, startMs: 0, endMs: 60_000, auth: { bearerToken: "t" } })).rejects.toThrow(
    `Prometheus http://127.0.0.1:${server.port}/nope/api/v1/query_range answered HTTP 404`,
  );
  expect(auths.at(-1)).toBe("Bearer t");
});
