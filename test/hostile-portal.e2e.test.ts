/**
 * A hostile or careless portal against the real program: redirects to another origin, endless
 * pagination, huge and compressed answers, ids shaped like paths, booleans, hex strings,
 * impossible timestamps and line breaks in names. Each case is a small Bun server on loopback
 * (test/fake-portal.ts) and `poll-once` or `fetch-history` run as a process; see
 * docs/hostile-input.md for what nightowl does in each.
 */
import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli-process.ts";
import { entity, page, portalEnv, startFakePortal, type FakePortal } from "./fake-portal.ts";

const ID = "0f6a2b10-11ee-11ee-8a3c-0123456789ab";
const ID2 = "1a2b3c4d-11ee-11ee-9b00-abcdefabcdef";
const dir = mkdtempSync(join(tmpdir(), "nightowl-hostile-"));
const servers: FakePortal[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function portal(route: Parameters<typeof startFakePortal>[0]): FakePortal {
  const p = startFakePortal(route);
  servers.push(p);
  return p;
}

const QUIET = ["--log-level", "error"];

test("a redirect to another origin: no password and no token reach it; one line names both origins", async () => {
  const other = portal(() => Response.json({ token: "x", refreshToken: "y" }));
  // Redirect every call, login first.
  const everything = portal((_req, url) => new Response(null, { status: 307, headers: { location: `${other.url}${url.pathname}` } }));
  const r = await runCli(["poll-once", ...QUIET], portalEnv(everything));
  expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
    code: 1,
    stderr: `nightowl: POST /api/auth/login: the portal redirected to ${other.url}, another origin than the base URL's ${everything.url}; not following (credentials go to the base URL only)\n`,
    stdout: "",
  });
  // Log in honestly, then redirect the device query: the bearer token must stay home too.
  const query = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? new Response(null, { status: 302, headers: { location: `${other.url}/steal` } }) : undefined));
  const q = await runCli(["poll-once", ...QUIET], portalEnv(query));
  expect(q.code).toBe(1);
  expect(q.stderr).toContain(`POST /api/entitiesQuery/find: the portal redirected to ${other.url}`);
  expect(other.requests).toEqual([]);
});

test("a redirect within the portal's own origin is followed", async () => {
  const p = portal((_req, url) => {
    if (url.pathname === "/api/entitiesQuery/find") return new Response(null, { status: 307, headers: { location: "/v2/find" } });
    if (url.pathname === "/v2/find") return page([entity(ID, "well-a")]);
    return undefined;
  });
  const r = await runCli(["poll-once", "--json", ...QUIET], portalEnv(p));
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).map((d: { name: string }) => d.name)).toEqual(["well-a"]);
});

test("hasNext forever with the same devices: stops after one repeated page, one warning", async () => {
  const p = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? page([entity(ID, "well-a")], true, 1_000_000) : undefined));
  const r = await runCli(["poll-once", "--json", "--log-level", "warn"], portalEnv(p));
  expect(r.code).toBe(0);
  expect(p.count("/api/entitiesQuery/find")).toBe(2);
  expect(r.stderr).toMatch(/^\S+ \[WARN\] POST \/api\/entitiesQuery\/find: page 1 says hasNext but repeats devices already read; stopped there\n$/);
});

/** poll-once against a portal that says hasNext on every page, each with one new device, and totalPages `totalPages`. */
async function pollNewDevicesEveryPage(totalPages: number) {
  const p = portal((_req, url, n) => {
    if (url.pathname !== "/api/entitiesQuery/find") return undefined;
    const id = `${n.toString(16).padStart(8, "0")}-11ee-11ee-8a3c-0123456789ab`;
    return page([entity(id, `well-${n}`)], true, totalPages);
  });
  return { p, r: await runCli(["poll-once", "--json", "--log-level", "warn"], portalEnv(p)) };
}

test("hasNext forever with new devices every page: stops at the first page's totalPages (+1), one warning", async () => {
  const { p, r } = await pollNewDevicesEveryPage(3);
  expect(r.code).toBe(0);
  expect(p.count("/api/entitiesQuery/find")).toBe(4);
  expect(r.stderr).toMatch(/^\S+ \[WARN\] POST \/api\/entitiesQuery\/find: the portal still says hasNext after 4 pages \(totalPages 3\); stopped there\n$/);
});

test("an honest account of more pages than a poll reads: the first 1,000 pages polled, one warning naming the page size", async () => {
  const { p, r } = await pollNewDevicesEveryPage(1_500);
  expect(r.code).toBe(0);
  expect(p.count("/api/entitiesQuery/find")).toBe(1_000);
  expect(JSON.parse(r.stdout)).toHaveLength(1_000);
  expect(r.stderr).toMatch(
    /^\S+ \[WARN\] POST \/api\/entitiesQuery\/find: the account has 1,500 pages of 5 devices and a poll reads at most 1,000; only the first 1,000 devices are polled: raise the page size \(NIGHTOWL_PAGE_SIZE or --page-size, up to 1000\)\n$/,
  );
});

test("an answer over NIGHTOWL_MAX_RESPONSE_MB fails the call with one line; a gzip bomb stops there too", async () => {
  const huge = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? new Response(`{"data":[],"pad":"${"x".repeat(3 << 20)}"}`) : undefined));
  const r = await runCli(["poll-once", ...QUIET, "--max-response-mb", "1"], portalEnv(huge));
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `nightowl: POST /api/entitiesQuery/find: response body exceeds ${1 << 20} bytes (NIGHTOWL_MAX_RESPONSE_MB); refusing to read more\n` });

  const bomb = Bun.gzipSync(new Uint8Array(64 << 20).fill(32));
  const gz = portal((_req, url) =>
    url.pathname === "/api/entitiesQuery/find" ? new Response(bomb, { headers: { "content-encoding": "gzip", "content-type": "application/json" } }) : undefined,
  );
  const g = await runCli(["poll-once", ...QUIET, "--max-response-mb", "2"], portalEnv(gz));
  expect({ code: g.code, stderr: g.stderr }).toEqual({ code: 1, stderr: `nightowl: POST /api/entitiesQuery/find: response body exceeds ${2 << 20} bytes (NIGHTOWL_MAX_RESPONSE_MB); refusing to read more\n` });
});

test("a 100 kB device name and customer become bounded label values", async () => {
  const long = "N".repeat(100_000);
  const p = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? page([entity(ID, long, { S1: { ts: Date.now(), value: 52.5 } }, long)]) : undefined));
  const textfile = join(dir, "long.prom");
  const r = await runCli(["poll-once", "--textfile", textfile, "--json", ...QUIET], portalEnv(p));
  expect(r.code).toBe(0);
  const text = readFileSync(textfile, "utf8");
  const longest = Math.max(...[...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]!.length));
  expect(longest).toBeLessThanOrEqual(256);
  expect(text.length).toBeLessThan(20_000);
});

test("ids that are not UUIDs (.., a/b) are skipped with one line each, and never reach a URL", async () => {
  const p = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? page([entity("..", "dots"), entity("a/../b", "slash"), entity(ID, "well-a")]) : undefined));
  const r = await runCli(["poll-once", "--json", "--log-level", "warn"], portalEnv(p));
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).map((d: { id: string }) => d.id)).toEqual([ID]);
  expect(r.stderr.split("\n").filter(Boolean).map((l) => l.replace(/^\S+ /, ""))).toEqual([
    '[WARN] device id ".." is not a UUID, the portal\'s id shape; skipped that device',
    '[WARN] device id "a/../b" is not a UUID, the portal\'s id shape; skipped that device',
  ]);

  const out = join(dir, "dots-history");
  const h = await runCli(["fetch-history", "--days", "1", "--output", out, "--quiet", "--log-level", "error"], portalEnv(p));
  expect(h.code).toBe(0);
  const paths = p.requests.map((q) => q.path).filter((path) => path.includes("/telemetry/"));
  expect(paths.length).toBeGreaterThan(0);
  for (const path of paths) expect(path).toStartWith(`/api/plugins/telemetry/DEVICE/${ID}/values/`);
});

test("a line break in a device name or id cannot forge a log line or a report line; a right-to-left override is shown escaped", async () => {
  const forged = "x\n2026-01-01T00:00:00.000Z [ERROR] forged\u202e";
  const p = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? page([entity(forged, "bad-id"), entity(ID, forged)]) : undefined));
  const r = await runCli(["poll-once", "--log-level", "warn"], portalEnv(p));
  expect(r.code).toBe(0);
  for (const text of [r.stderr, r.stdout]) for (const line of text.split("\n")) expect(line).not.toStartWith("2026-01-01T00:00:00.000Z [ERROR] forged");
  expect(r.stderr).toContain('device id "x\\n2026-01-01T00:00:00.000Z [ERROR] forged\\u202e" is not a UUID');
  expect(r.stdout).toContain("x\\n2026-01-01T00:00:00.000Z [ERROR] forged\\u202e");
});

test('live telemetry: "0x10" is not 16, a ts of 1e309 gives no +Inf last_seen, a JSON boolean is 1', async () => {
  const now = Date.now();
  const body = JSON.stringify({ data: [entity(ID, "well-a", { S1: { ts: now, value: "0x10" }, S2: { ts: now, value: true }, P1V1: { ts: 0, value: 230 } })], totalPages: 1, totalElements: 1, hasNext: false })
    .replace('"ts":0,', '"ts":1e309,');
  const p = portal((_req, url) => (url.pathname === "/api/entitiesQuery/find" ? new Response(body) : undefined));
  const textfile = join(dir, "values.prom");
  const r = await runCli(["poll-once", "--textfile", textfile, ...QUIET], portalEnv(p));
  expect(r.code).toBe(0);
  const text = readFileSync(textfile, "utf8");
  expect(text).not.toMatch(/key="S1"[^\n]* 16\n/);
  expect(text).toMatch(/key="S2"[^\n]* 1\n/);
  expect(text).not.toMatch(/last_seen[^\n]* \+Inf\n/);
  expect(text).toMatch(/last_seen[^\n]* \d+(\.\d+)?\n/);
  expect(text).not.toMatch(/key="P1V1"/);
});

test("fetch-history: JSON booleans become 1/0 and words are skipped, not a failed fetch", async () => {
  const p = portal((_req, url) => {
    if (url.pathname === "/api/entitiesQuery/find") return page([entity(ID2, "well-b")]);
    if (url.pathname.endsWith("/values/timeseries")) {
      const start = Number(url.searchParams.get("startTs"));
      return Response.json({ S1: [{ ts: start + 60_000, value: true }, { ts: start + 120_000, value: false }, { ts: start + 180_000, value: "offline" }] });
    }
    return undefined;
  });
  const out = join(dir, "bool-history");
  const r = await runCli(["fetch-history", "--days", "1", "--keys", "S1", "--output", out, "--quiet", ...QUIET], portalEnv(p));
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const csv = readdirSync(out).find((f) => f.endsWith(".csv"))!;
  const values = readFileSync(join(out, csv), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").at(-1));
  expect(values).toEqual(["1", "0"]);
});
