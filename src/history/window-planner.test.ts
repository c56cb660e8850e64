import { expect, test } from "bun:test";
import { chunkOf, fetchComplete, planWindows, type FetchWindow, type FetchedPoint } from "./window-planner.ts";

/** A portal over fixed data: ASC order, cut at `limit` per key, end bound inclusive or not. */
function portal(data: Record<string, FetchedPoint[]>, endInclusive: boolean, calls: { keys: string[]; s: number; e: number }[] = []): FetchWindow {
  return async (keys, s, e, limit) => {
    calls.push({ keys: [...keys], s, e });
    const out: Record<string, FetchedPoint[]> = {};
    for (const key of keys) {
      const points = (data[key] ?? []).filter((p) => p.ts >= s && (endInclusive ? p.ts <= e : p.ts < e)).slice(0, limit);
      if (points.length) out[key] = points;
    }
    return { points: out };
  };
}

function series(start: number, step: number, n: number): FetchedPoint[] {
  return Array.from({ length: n }, (_, i) => ({ ts: start + i * step, value: i }));
}

test("planWindows cuts the range into consecutive half-open windows, the last one shorter", () => {
  expect(planWindows(0, 25, 10)).toEqual([
    { startMs: 0, endMs: 10 },
    { startMs: 10, endMs: 20 },
    { startMs: 20, endMs: 25 },
  ]);
  expect(planWindows(5, 5, 10)).toEqual([]);
  expect(() => planWindows(0, 10, 0)).toThrow(/window length/);
});

test.each([true, false])("a dense key is split until complete, no point lost or doubled (end inclusive: %p)", async (endInclusive) => {
  // 1000 points of S1 every 7 ms, 10 points of S2; limit 64 forces several levels of halves.
  const data = { S1: series(0, 7, 1000), S2: series(3, 700, 10) };
  const calls: { keys: string[]; s: number; e: number }[] = [];
  const stats = { requests: 0, splits: 0 };
  const got = await fetchComplete(portal(data, endInclusive, calls), ["S1", "S2", "S3"], { startMs: 0, endMs: 7000 }, 64, stats);
  expect(Array.from(got.get("S1")!.ts)).toEqual(data.S1.map((p) => p.ts));
  expect(Array.from(got.get("S1")!.values)).toEqual(data.S1.map((p) => p.value));
  expect(Array.from(got.get("S2")!.ts)).toEqual(data.S2.map((p) => p.ts));
  expect(got.has("S3")).toBe(false);
  // Only the full key is asked again.
  expect(calls.slice(1).every((c) => c.keys.length === 1 && c.keys[0] === "S1")).toBe(true);
  expect(stats.splits).toBeGreaterThan(3);
  expect(stats.requests).toBe(calls.length);
});

test("points on window boundaries land in exactly one window", async () => {
  const data = { S1: series(0, 10, 11) }; // 0, 10, …, 100: every boundary of 10-ms windows
  for (const endInclusive of [true, false]) {
    const fetch = portal(data, endInclusive);
    const seen: number[] = [];
    for (const w of planWindows(0, 101, 10)) {
      const got = await fetchComplete(fetch, ["S1"], w, 3);
      seen.push(...(got.get("S1")?.ts ?? []));
    }
    expect(seen).toEqual(data.S1.map((p) => p.ts));
  }
});

test("a full answer on a one-millisecond window is accepted, not split forever", async () => {
  const got = await fetchComplete(portal({ S1: [{ ts: 5, value: 1 }] }, true), ["S1"], { startMs: 5, endMs: 6 }, 1);
  expect(Array.from(got.get("S1")!.ts)).toEqual([5]);
});

test("chunkOf sorts an unordered answer and keeps one point per timestamp", () => {
  const c = chunkOf([{ ts: 3, value: 3 }, { ts: 1, value: 1 }, { ts: 3, value: 4 }, { ts: 9, value: 9 }], 0, 9);
  expect(Array.from(c.ts)).toEqual([1, 3]);
  expect(Array.from(c.values)).toEqual([1, 4]);
});

test("a page cut at the limit is split even when non-numeric points made it look short", async () => {
  // The portal sends 4 points per call at most; one of S1's is "" and is dropped by the client.
  const data = series(0, 10, 10);
  const calls: number[] = [];
  const fetch: FetchWindow = async (keys, s, e, limit) => {
    calls.push(e - s);
    const sent = data.filter((p) => p.ts >= s && p.ts < e).slice(0, limit);
    return { points: { S1: sent.filter((p) => p.ts !== 20) }, received: { S1: sent.length } };
  };
  const got = await fetchComplete(fetch, ["S1"], { startMs: 0, endMs: 100 }, 4);
  expect(Array.from(got.get("S1")!.ts)).toEqual(data.filter((p) => p.ts !== 20).map((p) => p.ts));
  expect(calls.length).toBeGreaterThan(1);
});
