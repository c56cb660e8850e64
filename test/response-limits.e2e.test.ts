/**
 * Answers nightowl reads from URLs the user names are bounded like the portal's: a
 * `--from-prometheus` answer or an `--import-url` answer over NIGHTOWL_MAX_RESPONSE_MB fails
 * that call with one line instead of filling memory.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { emptyDir, runCli } from "./cli-process.ts";

/** About 3 MiB: a valid-looking start, then padding (the limit stops reading long before the end). */
const BIG = `{"status":"success","data":{"resultType":"matrix","result":[${'{"metric":{},"values":[]},'.repeat(120_000)}{"metric":{},"values":[]}]}}`;

let sim: Simulator;
let server: ReturnType<typeof Bun.serve>;
const seen: string[] = [];
beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 1, username: "owner@example.com", password: "pw" });
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      seen.push(`${req.method} ${new URL(req.url).pathname}`);
      return new Response(BIG, { status: req.method === "POST" ? 400 : 200, headers: { "content-type": "application/json" } });
    },
  });
});
afterAll(async () => {
  await server.stop(true);
  await sim.stop();
});

test("a --from-prometheus answer over NIGHTOWL_MAX_RESPONSE_MB fails train and score with one line", async () => {
  expect(BIG.length).toBeGreaterThan(2 * 1024 * 1024);
  const url = `http://127.0.0.1:${server.port}`;
  for (const [args, env] of [
    [["train", "--from-prometheus", url, "--days", "1", "--max-response-mb", "1"], {}],
    [["score", "--from-prometheus", url, "--days", "1", "--user-label", "x"], { NIGHTOWL_MAX_RESPONSE_MB: "1" }],
  ] as const) {
    const r = await runCli([...args], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([`nightowl: Prometheus ${url}/api/v1/query_range: response body exceeds 1048576 bytes (NIGHTOWL_MAX_RESPONSE_MB); refusing to read more`]);
  }
  // Under the limit the same answer is read (and then found to hold no history).
  const fits = await runCli(["train", "--from-prometheus", url, "--days", "1"]);
  expect(fits.code).toBe(1);
  expect(fits.stderr).not.toContain("exceeds");
}, 60_000);

test("an --import-url answer over NIGHTOWL_MAX_RESPONSE_MB fails fetch-history with one line", async () => {
  const out = emptyDir("limits");
  const r = await runCli(["fetch-history", "--days", "1", "--output", `${out}/history`, "--import-url", `http://127.0.0.1:${server.port}`, "--max-response-mb", "1"], {
    NIGHTOWL_BASE_URL: sim.url,
    NIGHTOWL_USERNAME: "owner@example.com",
    NIGHTOWL_PASSWORD: "pw",
    NIGHTOWL_LOG_LEVEL: "error",
  });
  expect(seen).toContain("POST /api/v1/import/prometheus");
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`POST http://127.0.0.1:${server.port}/api/v1/import/prometheus: response body exceeds 1048576 bytes (NIGHTOWL_MAX_RESPONSE_MB); refusing to read more`);
  expect(r.stderr.trim().split("\n").filter((l) => l.includes("exceeds"))).toHaveLength(1);
}, 60_000);
