import { expect, test } from "bun:test";
import * as v from "valibot";
import { createLogger } from "../log.ts";
import { HttpClient, parseRetryAfter } from "./http.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

test.each([
  { value: "0", expected: 0 },
  { value: "3", expected: 3000 },
  { value: " 120 ", expected: 120_000 },
  { value: "Thu, 01 Jan 2026 00:00:05 GMT", expected: 5000 },
  { value: "Wed, 31 Dec 2025 23:59:00 GMT", expected: 0 },
  { value: "soon", expected: undefined },
  { value: "-5", expected: undefined },
])("parseRetryAfter($value)", ({ value, expected }) => {
  expect(parseRetryAfter(value, NOW)).toBe(expected);
});

test("retryDelay: equal-jitter exponential backoff, capped", () => {
  const at = (random: number) => new HttpClient({ baseUrl: "http://127.0.0.1:1", retryBaseMs: 100, retryMaxMs: 1000, random: () => random, now: () => NOW });
  expect([0, 1, 2, 3, 4, 5].map((n) => at(0).retryDelay(n, null))).toEqual([50, 100, 200, 400, 500, 500]);
  expect([0, 1, 2, 3, 4, 5].map((n) => at(0.999999).retryDelay(n, null))).toEqual([100, 200, 400, 800, 1000, 1000]);
});

test("retryDelay: Retry-After wins over backoff and is capped", () => {
  const http = new HttpClient({ baseUrl: "http://127.0.0.1:1", retryBaseMs: 100, retryAfterCapMs: 10_000, random: () => 0, now: () => NOW });
  expect(http.retryDelay(0, "2")).toBe(2000);
  expect(http.retryDelay(0, "3600")).toBe(10_000);
  expect(http.retryDelay(0, "Thu, 01 Jan 2026 00:00:04 GMT")).toBe(4000);
  expect(http.retryDelay(2, "garbage")).toBe(200);
});

test("redact: secrets never survive into a message", () => {
  const http = new HttpClient({ baseUrl: "http://127.0.0.1:1", secrets: () => ["hunter22", undefined, "eyJ.secret.token"] });
  expect(http.redact("login hunter22 with eyJ.secret.token")).toBe("login *** with ***");
});

test("every successful call is one debug line (endpoint, status, size), and nothing at info", async () => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ ok: true }) });
  try {
    const call = async (level: "debug" | "info") => {
      const lines: string[] = [];
      const log = createLogger({ format: "text", level, write: (line) => lines.push(line) });
      await new HttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, log }).request({ method: "GET", path: "/api/x" }, v.unknown());
      return lines;
    };
    const debug = await call("debug");
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatch(/\[DEBUG\] GET \/api\/x: HTTP 200, 11 bytes in \d+ ms/);
    expect(await call("info")).toEqual([]);
  } finally {
    server.stop(true);
  }
});
