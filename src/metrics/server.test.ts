import { afterEach, expect, test } from "bun:test";
import { Gauge } from "prom-client";
import { silentLogger } from "../log.ts";
import { createRegistry } from "./registry.ts";
import { gunzipSync } from "node:zlib";
import { createPrerenderedExposition } from "./exposition.ts";
import { acceptsGzip, startMetricsServer, type MetricsServer, type MetricsServerOptions } from "./server.ts";

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function start(overrides: Partial<MetricsServerOptions> = {}) {
  const registry = overrides.registry ?? createRegistry();
  if (!overrides.registry) new Gauge({ name: "nightowl_test_value", help: "test", registers: [registry] }).set(3);
  const server = startMetricsServer({ host: "127.0.0.1", port: 0, registry, readiness: () => ({ ready: true, reason: "fresh" }), log: silentLogger, ...overrides });
  servers.push(server);
  return { server, base: server.url.replace(/\/metrics$/, "") };
}

test("/metrics and / serve the exposition in the text format", async () => {
  const { server, base } = start();
  expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
  for (const path of ["/metrics", "/"]) {
    const response = await fetch(base + path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await response.text()).toContain("\nnightowl_test_value 3\n");
  }
});

test("/healthz is ok; unknown paths 404; other methods 405", async () => {
  const { base } = start();
  const health = await fetch(base + "/healthz");
  expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
  expect((await fetch(base + "/nope")).status).toBe(404);
  expect((await fetch(base + "/metrics", { method: "POST" })).status).toBe(405);
});

test("/readyz follows the readiness function, with its reason", async () => {
  let state = { ready: false, reason: "no successful poll yet" };
  const { base } = start({ readiness: () => state });
  const before = await fetch(base + "/readyz");
  expect([before.status, await before.text()]).toEqual([503, "not ready: no successful poll yet\n"]);
  state = { ready: true, reason: "last successful poll 1.0 s ago" };
  const after = await fetch(base + "/readyz");
  expect([after.status, await after.text()]).toEqual([200, "ready: last successful poll 1.0 s ago\n"]);
});

test("bearer auth: 401 with a challenge unless the token matches; probes stay open", async () => {
  const { base } = start({ auth: { bearerToken: "s3cret-token" } });
  const none = await fetch(base + "/metrics");
  expect(none.status).toBe(401);
  expect(none.headers.get("www-authenticate")).toBe('Bearer realm="nightowl"');
  expect((await fetch(base + "/", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  expect((await fetch(base + "/metrics", { headers: { authorization: "Bearer s3cret-token" } })).status).toBe(200);
  expect((await fetch(base + "/healthz")).status).toBe(200);
  expect((await fetch(base + "/readyz")).status).toBe(200);
});

test("basic auth: 401 for a wrong password, 200 for the right one; a bearer token works beside it", async () => {
  const { base } = start({ auth: { username: "prom", password: "pä:ss", bearerToken: "tok" } });
  const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
  const denied = await fetch(base + "/metrics", { headers: basic("prom", "wrong") });
  expect(denied.status).toBe(401);
  expect(denied.headers.get("www-authenticate")).toBe('Basic realm="nightowl", charset="UTF-8", Bearer realm="nightowl"');
  expect((await fetch(base + "/metrics", { headers: basic("prom", "pä:ss") })).status).toBe(200);
  expect((await fetch(base + "/metrics", { headers: { authorization: "Bearer tok" } })).status).toBe(200);
  expect((await fetch(base + "/metrics", { headers: { authorization: "Basic !!!" } })).status).toBe(401);
});

test("a port in use is an E_IO error naming the address", () => {
  const { server } = start();
  expect(() => startMetricsServer({ host: "127.0.0.1", port: server.port, registry: createRegistry(), readiness: () => ({ ready: true, reason: "" }), log: silentLogger })).toThrow(
    new RegExp(`^metrics server cannot listen on 127\\.0\\.0\\.1:${server.port} \\(EADDRINUSE\\)`),
  );
});

test("with a pre-rendered exposition, scrapes get the last rendering until it is refreshed", async () => {
  const registry = createRegistry();
  const gauge = new Gauge({ name: "nightowl_test_value", help: "test", registers: [registry] });
  gauge.set(1);
  const exposition = createPrerenderedExposition(registry, silentLogger);
  const server = startMetricsServer({ host: "127.0.0.1", port: 0, registry, readiness: () => ({ ready: true, reason: "" }), log: silentLogger, exposition });
  servers.push(server);
  const scrape = async () => (await (await fetch(server.url)).text()).split("\n").find((l) => l.startsWith("nightowl_test_value "));
  expect(await scrape()).toBe("nightowl_test_value 1");
  gauge.set(2);
  expect(await scrape()).toBe("nightowl_test_value 1");
  await exposition.refresh();
  expect(await scrape()).toBe("nightowl_test_value 2");
});

test.each([false, true])("a scraper sending Accept-Encoding: gzip gets gzip that decodes to the same exposition (pre-rendered: %p)", async (prerendered) => {
  const registry = createRegistry();
  const gauge = new Gauge({ name: "nightowl_test_value", help: "test", labelNames: ["device_id"], registers: [registry] });
  for (let i = 0; i < 3000; i++) gauge.set({ device_id: `device-${i}` }, i / 7);
  const exposition = prerendered ? createPrerenderedExposition(registry, silentLogger) : undefined;
  const { server } = start({ registry, exposition });
  const plain = await fetch(server.url, { headers: { "accept-encoding": "identity" }, decompress: false });
  expect(plain.headers.get("content-encoding")).toBeNull();
  const text = await plain.text();
  expect(text).toBe(await registry.metrics());
  for (const accept of ["gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"]) {
    const zipped = await fetch(server.url, { headers: { "accept-encoding": accept }, decompress: false });
    expect([zipped.headers.get("content-encoding"), zipped.headers.get("vary"), zipped.headers.get("content-type")]).toEqual(["gzip", "accept-encoding", registry.contentType]);
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(text.length / 5);
    expect(gunzipSync(bytes).toString("utf8")).toBe(text);
  }
  const refused = await fetch(server.url, { headers: { "accept-encoding": "gzip;q=0, deflate" }, decompress: false });
  expect(refused.headers.get("content-encoding")).toBeNull();
});

test.each([
  [null, false],
  ["", false],
  ["identity", false],
  ["deflate, br", false],
  ["gzip", true],
  ["GZIP", true],
  ["x-gzip", true],
  ["gzip;q=0", false],
  ["gzip; q=0.001", true],
  ["*;q=0", false],
  ["br, *", true],
])("acceptsGzip(%p) is %p", (header, expected) => {
  expect(acceptsGzip(header)).toBe(expected);
});

test("pages claimed by the status page pass the same auth as /metrics; the rest is unchanged", async () => {
  const pages = {
    claims: (r: Request) => new URL(r.url).pathname === "/" && (r.headers.get("accept") ?? "").startsWith("text/html"),
    render: () => new Response("<p>page</p>", { headers: { "content-type": "text/html; charset=utf-8" } }),
  };
  const { base } = start({ pages, auth: { bearerToken: "page-t0ken" } });
  const html = { accept: "text/html" };
  expect((await fetch(base + "/", { headers: html })).status).toBe(401);
  const page = await fetch(base + "/", { headers: { ...html, authorization: "Bearer page-t0ken" } });
  expect([page.status, await page.text()]).toEqual([200, "<p>page</p>"]);
  const exposition = await fetch(base + "/", { headers: { authorization: "Bearer page-t0ken" } });
  expect(await exposition.text()).toContain("nightowl_test_value 3");
  expect((await fetch(base + "/healthz", { headers: html })).status).toBe(200);
});
