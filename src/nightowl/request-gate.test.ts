import { afterEach, expect, test } from "bun:test";
import * as v from "valibot";
import { HttpClient } from "./http.ts";
import { RequestGate } from "./request-gate.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

test("at most `limit` tasks run at once, in the order they came", async () => {
  const gate = new RequestGate(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await Bun.sleep(5);
        running--;
      }),
    ),
  );
  expect(most).toBe(2);
  expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(gate.inFlight).toBe(0);
});

test("a pause holds every new task until it ends; a waiting task gives up when its signal aborts", async () => {
  const gate = new RequestGate(4);
  gate.pauseFor(150);
  const t0 = performance.now();
  const started: number[] = [];
  const aborter = new AbortController();
  const given = gate.run(async () => "never", aborter.signal, "GET /x");
  aborter.abort();
  await expect(given).rejects.toThrow("GET /x: aborted while waiting for a free portal connection");
  await Promise.all([1, 2].map(() => gate.run(async () => void started.push(performance.now() - t0))));
  expect(Math.min(...started)).toBeGreaterThanOrEqual(140);
});

test("HttpClients sharing a gate keep to its limit, and a 429 with Retry-After pauses them all", async () => {
  let inFlight = 0;
  let most = 0;
  let limited = 1;
  const arrivals: number[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch() {
      arrivals.push(performance.now());
      if (limited-- > 0) return new Response('{"status":429,"message":"slow down"}', { status: 429, headers: { "retry-after": "1" } });
      inFlight++;
      most = Math.max(most, inFlight);
      await Bun.sleep(20);
      inFlight--;
      return Response.json({ ok: true });
    },
  });
  servers.push(server);
  const gate = new RequestGate(3);
  const clients = [1, 2].map(() => new HttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, retries: 2, retryBaseMs: 1, gate }));
  const first = clients[0]!.request({ method: "GET", path: "/a" }, v.object({ ok: v.boolean() }));
  await Bun.sleep(50);
  // The 429 has paused the gate for 1 s: these wait too, though their client never saw it.
  const t = performance.now();
  const rest = Array.from({ length: 10 }, (_, i) => clients[i % 2]!.request({ method: "GET", path: `/b${i}` }, v.object({ ok: v.boolean() })));
  expect(await Promise.all([first, ...rest])).toHaveLength(11);
  expect(most).toBe(3);
  expect(Math.min(...arrivals.slice(1)) - t).toBeGreaterThan(800);
});
