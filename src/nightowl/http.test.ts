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
