import { expect, test } from "bun:test";
import { createLogger } from "../log.ts";
import type { PollResult } from "../nightowl/poll-result.ts";
import type { DeviceVerdict, StatusSource } from "../status/source.ts";
import { createNotifier } from "./notifier.ts";
import { parseTarget } from "./target.ts";
import { yieldToServer } from "../yield-to-server.ts";

const ok: PollResult = { ok: true, devices: [], startedAt: 0, durationMs: 1 };

function fixture(fetchImpl: (url: string, init: RequestInit) => Promise<Response>, urls: string[]) {
  let verdict: DeviceVerdict = { id: "d1", name: "Well 1", customer: "Dan Gorman", userLabel: "dgorman", level: "fine", alarms: new Set(), leakProbability: 12, readingAt: Date.UTC(2026, 0, 5, 2, 0) };
  const source: StatusSource = {
    verdicts: () => [verdict],
    reasons: () => [{ rule: "night_flow", sentence: "flow never fell below 0.50 gal/min between 02:00 and 04:00", sinceMs: 0 }],
    statuses: () => [],
    lastPollAt: () => undefined,
    deviceIds: () => [verdict.id],
    deviceVerdict: () => verdict,
    deviceStatus: () => undefined,
  };
  const counts = { sent: 0, failed: 0, dropped: 0, attempts: 0 };
  const lines: string[] = [];
  const log = createLogger({ format: "text", level: "debug", write: (line: string) => void lines.push(line) });
  const notifier = createNotifier({
    targets: urls.map(parseTarget), source, log, publicUrl: "https://well.example.org/",
    metrics: { outcome: (o) => counts[o]++, attemptFailed: () => counts.attempts++ },
    backoffMs: 1, quietMs: 0, fetch: fetchImpl as typeof fetch,
  });
  const set = (alarm: boolean, readingAt: number) => {
    verdict = { ...verdict, level: alarm ? "leak" : "fine", alarms: new Set(alarm ? ["leak"] : []), leakProbability: alarm ? 93 : 12, readingAt };
  };
  return { notifier, counts, lines, set };
}

test("ntfy and JSON targets each get one started and one ended message, with the sentence, probability and link", async () => {
  const posts: { url: string; headers: Record<string, string>; body: string }[] = [];
  const f = fixture(async (url, init) => {
    posts.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
    return new Response("ok");
  }, ["ntfy+https://ntfy.example.org/well", "https://hooks.example.com/hook"]);
  f.set(true, Date.UTC(2026, 0, 5, 3, 0));
  f.notifier.observe(ok);
  f.notifier.observe(ok);
  f.set(false, Date.UTC(2026, 0, 5, 9, 0));
  f.notifier.observe(ok);
  await f.notifier.idle();
  expect(posts.map((p) => p.url).sort()).toEqual(["https://hooks.example.com/hook", "https://hooks.example.com/hook", "https://ntfy.example.org/well", "https://ntfy.example.org/well"]);
  const ntfy = posts.filter((p) => p.url.includes("ntfy"));
  expect(ntfy[0]!.headers).toMatchObject({ title: "Possible leak at Well 1", priority: "high", click: "https://well.example.org/device/d1" });
  expect(ntfy[0]!.body).toBe("Well 1 (Dan Gorman) since 2026-01-05 03:00 UTC: Night flow: flow never fell below 0.50 gal/min between 02:00 and 04:00. Leak probability 93 %. https://well.example.org/device/d1");
  expect(ntfy[1]!.headers.title).toBe("Over: possible leak at Well 1");
  const json = posts.filter((p) => p.url.includes("hooks")).map((p) => JSON.parse(p.body));
  expect(json.map((j) => j.event)).toEqual(["started", "ended"]);
  expect(json[0]).toMatchObject({ alarm: "leak", leak_probability: 93, url: "https://well.example.org/device/d1", device: { id: "d1", name: "Well 1", customer: "Dan Gorman" } });
  expect(json[0].text).toStartWith("Possible leak at Well 1\nWell 1 (Dan Gorman)");
  expect(f.counts).toMatchObject({ sent: 4, failed: 0, attempts: 0 });
});

test("a failing target is retried, counted, given up, and never named with its token; observe never waits for it", async () => {
  let calls = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const f = fixture(async () => {
    calls++;
    await held;
    throw new Error("connect ECONNREFUSED https://hooks.example.com/hook/s3cretT0ken");
  }, ["https://hooks.example.com/hook/s3cretT0ken"]);
  f.set(true, 1);
  // The delivery hangs on the held promise; observe has returned all the same.
  expect(f.notifier.observe(ok)).toBeUndefined();
  expect(calls).toBe(1);
  release();
  await f.notifier.idle();
  expect(calls).toBe(4);
  expect(f.counts).toMatchObject({ sent: 0, failed: 1, attempts: 4 });
  expect(f.lines.join("\n")).toContain("notification to https://hooks.example.com/… failed after 4 attempt(s)");
  expect(f.lines.join("\n")).not.toContain("s3cretT0ken");
});

test("a fleet's verdicts taken in slices tell every device's episode once, in poll order", async () => {
  // "gone" has no verdict (the source no longer knows it): it is passed over, not told.
  const ids = ["d1", "d2", "d3", "gone", "d4", "d5", "d6", "d7"];
  let alarming = new Set(["d1", "d3", "d4", "d7"]);
  let readingAt = Date.UTC(2026, 0, 5, 3, 0);
  const verdictOf = (id: string): DeviceVerdict | undefined => {
    if (id === "gone") return undefined;
    const on = alarming.has(id);
    return { id, name: `Well ${id}`, customer: "Dan Gorman", userLabel: "dgorman", level: on ? "leak" : "fine", alarms: new Set(on ? ["leak"] : []), leakProbability: on ? 90 : 5, readingAt };
  };
  const source: StatusSource = {
    verdicts: () => ids.flatMap((id) => verdictOf(id) ?? []),
    reasons: () => [],
    statuses: () => [],
    lastPollAt: () => undefined,
    deviceIds: () => ids,
    deviceVerdict: verdictOf,
    deviceStatus: () => undefined,
  };
  // A yield before every third device: each poll's pass is four slices.
  let pauses = 0;
  const posts: { event: string; device: { id: string } }[] = [];
  const notifier = createNotifier({
    targets: [parseTarget("https://hooks.example.com/hook")], source, log: createLogger({ format: "text", level: "error", write: () => {} }),
    metrics: { outcome: () => {}, attemptFailed: () => {} }, quietMs: 0,
    fetch: (async (_url: string, init: RequestInit) => {
      posts.push(JSON.parse(String(init.body)));
      return new Response("ok");
    }) as typeof fetch,
    pauses: () => {
      let n = 0;
      return () => (++n % 3 === 0 ? (pauses++, yieldToServer()) : undefined);
    },
  });
  const first = notifier.observe(ok);
  expect(first).toBeInstanceOf(Promise);
  await first;
  alarming = new Set(["d1", "d2", "d4"]);
  readingAt += 60_000;
  await notifier.observe(ok);
  await notifier.idle();
  expect(pauses).toBe(4);
  expect(posts.map((p) => `${p.event} ${p.device.id}`)).toEqual(["started d1", "started d3", "started d4", "started d7", "started d2", "ended d3", "ended d7"]);
});
