import { afterAll, expect, test } from "bun:test";
import { importTarget, VmImporter } from "./vm-import.ts";

test("a bare server URL gets the import path; credentials move to a header and out of the shown URL", () => {
  expect(importTarget("http://127.0.0.1:8428").url).toBe("http://127.0.0.1:8428/api/v1/import/prometheus");
  const t = importTarget("https://user:s%40cret@vm.example/api/v1/import/prometheus");
  expect(t.shown).toBe("https://vm.example/api/v1/import/prometheus");
  expect(t.url).not.toContain("cret");
  expect(t.headers.authorization).toBe("Basic " + Buffer.from("user:s@cret").toString("base64"));
  expect(() => importTarget("ftp://x")).toThrow(/^importUrl /);
  expect(() => importTarget("not a url")).toThrow(/^importUrl /);
});

// A stand-in import endpoint over loopback: fails the first POST with 503, records the rest.
const bodies: string[] = [];
let failures = 1;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    const body = await req.text();
    if (failures-- > 0) return new Response("busy", { status: 503 });
    bodies.push(body);
    return new Response(null, { status: 204 });
  },
});
afterAll(() => server.stop(true));

test("lines go out in bounded batches, a 503 is retried, flush sends the rest", async () => {
  const importer = new VmImporter({ url: `http://127.0.0.1:${server.port}`, batchChars: 20, retryBaseMs: 1 });
  for (let i = 0; i < 5; i++) await importer.add(`m{k="a"} ${i} 1000${i}\n`);
  await importer.flush();
  expect(bodies.join("")).toBe([0, 1, 2, 3, 4].map((i) => `m{k="a"} ${i} 1000${i}\n`).join(""));
  expect(bodies.length).toBeGreaterThan(1);
  expect(bodies.every((b) => b.length < 20 + 20)).toBe(true);
});

test("a 400 is not retried and names the endpoint", async () => {
  const bad = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("cannot parse", { status: 400 }) });
  try {
    const importer = new VmImporter({ url: `http://127.0.0.1:${bad.port}`, retryBaseMs: 1 });
    await importer.add("garbage\n");
    await expect(importer.flush()).rejects.toThrow(/POST http:\/\/127.0.0.1:\d+\/api\/v1\/import\/prometheus failed: 400 cannot parse/);
  } finally {
    bad.stop(true);
  }
});
