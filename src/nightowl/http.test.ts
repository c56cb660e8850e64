import { expect, test } from "bun:test";
import * as v from "valibot";
import { createLogger } from "../log.ts";
import { HttpClient } from "./http.ts";

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

test("credentials in the base URL go as a Basic header beside the token, and never into a message", async () => {
  const seen: (string | null)[][] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => (seen.push([req.headers.get("authorization"), req.headers.get("x-authorization")]), Response.json({ ok: true })),
  });
  try {
    const lines: string[] = [];
    const log = createLogger({ format: "text", level: "debug", write: (line) => lines.push(line) });
    await new HttpClient({ baseUrl: `http://u:hunter2@127.0.0.1:${server.port}`, log }).request({ method: "GET", path: "/api/x", token: "tok" }, v.unknown());
    expect(seen).toEqual([[`Basic ${Buffer.from("u:hunter2").toString("base64")}`, "Bearer tok"]]);
    expect(lines.join("")).not.toContain("hunter2");
  } finally {
    server.stop(true);
  }
  // Nobody listens on port 1: the network error and every retry line name the URL without them.
  const lines: string[] = [];
  const log = createLogger({ format: "text", level: "debug", write: (line) => lines.push(line) });
  const failed = new HttpClient({ baseUrl: "http://user:hunter2@127.0.0.1:1", log, retries: 1, retryBaseMs: 1 }).request({ method: "POST", path: "/api/auth/login", body: {} }, v.unknown());
  const error = await failed.catch((e: Error) => e);
  // One short line: where and why, not the fetch library's sentence quoting the request again.
  expect(String(error)).toBe("NightowlError: POST /api/auth/login: network error: http://127.0.0.1:1: ECONNREFUSED (connection refused: nothing listens there) (after 2 attempts)");
  expect(lines.length).toBeGreaterThan(0);
  for (const text of [...lines, String(error)]) expect(text).not.toContain("hunter2");
});
