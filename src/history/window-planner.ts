/**
 * Cutting a time range into fetch windows, and the adaptive split that makes a window
 * complete: the portal caps every key at `limit` points per call without saying so, so a key
 * that comes back with `limit` points is fetched again in halves until no part is full.
 *
 * Window bounds are half-open, [startMs, endMs). The call asks for `startTs=startMs` and
 * `endTs=endMs` and keeps only points with startMs ≤ ts < endMs: whether the server treats
 * `endTs` as inclusive (the API contract) or exclusive (some ThingsBoard back ends), a point
 * on a boundary lands in exactly one window. Fullness is judged on what the server sent,
 * before that filter, since the cut happened there.
 */
import { NightowlError } from "../errors.ts";

/** A half-open window of epoch milliseconds. */
export interface Window {
  startMs: number;
  endMs: number;
}

/** One key's points in one window: epoch milliseconds, strictly increasing, and values. */
export interface SeriesChunk {
  ts: Float64Array;
  values: Float64Array;
}

/** A point as the client returns it. */
export interface FetchedPoint {
  ts: number;
  value: number;
}

/**
 * What one history call returned: numeric points per key, and how many points the portal sent
 * per key before non-numeric ones were dropped. A page is full when `received` reaches the
 * limit even if fewer points survived, so `received` (when given) decides, not `points`.
 */
export interface WindowPage {
  points: Record<string, readonly FetchedPoint[]>;
  received?: Record<string, number>;
}

/**
 * One history call: `keys` of one device from `startMs` to `endMs` (passed to the portal as
 * `startTs`/`endTs`), at most `limit` points per key, oldest first. Keys without points may be
 * absent from the result.
 */
export type FetchWindow = (keys: readonly string[], startMs: number, endMs: number, limit: number) => Promise<WindowPage>;

/** Cuts [startMs, endMs) into consecutive windows of `windowMs` (the last may be shorter). */
export function planWindows(startMs: number, endMs: number, windowMs: number): Window[] {
  if (!(windowMs >= 1) || !Number.isFinite(windowMs)) {
    throw new NightowlError("E_USAGE", `window length ${windowMs} ms is not allowed: expected at least 1 ms`);
  }
  const windows: Window[] = [];
  for (let s = startMs; s < endMs; s += windowMs) windows.push({ startMs: s, endMs: Math.min(endMs, s + windowMs) });
  return windows;
}

export interface CompleteFetchStats {
  /** Calls made, including those repeated for halves. */
  requests: number;
  /** Windows split because at least one key came back full. */
  splits: number;
}

/**
 * Every point of `keys` in `window`, whatever its density: a key that comes back with `limit`
 * points is asked again for the two halves of the window (only that key), recursively. The two
 * halves are fetched concurrently; `fetchWindow` is where concurrency is bounded. Keys without
 * points are absent from the result. A one-millisecond window cannot be split and holds at
 * most one point per key, so it is complete as it comes.
 */
export async function fetchComplete(
  fetchWindow: FetchWindow,
  keys: readonly string[],
  window: Window,
  limit: number,
  stats: CompleteFetchStats = { requests: 0, splits: 0 },
): Promise<Map<string, SeriesChunk>> {
  const parts = await fetchParts(fetchWindow, keys, window.startMs, window.endMs, limit, stats);
  const out = new Map<string, SeriesChunk>();
  for (const key of keys) {
    const list = parts.get(key);
    if (!list) continue;
    const chunk = concatChunks(list);
    if (chunk.ts.length > 0) out.set(key, chunk);
  }
  return out;
}

async function fetchParts(
  fetchWindow: FetchWindow,
  keys: readonly string[],
  startMs: number,
  endMs: number,
  limit: number,
  stats: CompleteFetchStats,
): Promise<Map<string, SeriesChunk[]>> {
  stats.requests++;
  const page = await fetchWindow(keys, startMs, endMs, limit);
  const out = new Map<string, SeriesChunk[]>();
  const full: string[] = [];
  for (const key of keys) {
    const points = page.points[key] ?? [];
    const received = page.received?.[key] ?? points.length;
    if (received >= limit && endMs - startMs > 1) full.push(key);
    else if (points.length > 0) out.set(key, [chunkOf(points, startMs, endMs)]);
  }
  if (full.length === 0) return out;
  stats.splits++;
  const mid = startMs + Math.floor((endMs - startMs) / 2);
  const [left, right] = await Promise.all([
    fetchParts(fetchWindow, full, startMs, mid, limit, stats),
    fetchParts(fetchWindow, full, mid, endMs, limit, stats),
  ]);
  for (const key of full) out.set(key, [...(left.get(key) ?? []), ...(right.get(key) ?? [])]);
  return out;
}

/**
 * The points in [startMs, endMs) as typed arrays, in time order, one per timestamp (a
 * server that sends them unordered or twice is tolerated: sorted, and the last value kept).
 */
export function chunkOf(points: readonly FetchedPoint[], startMs: number, endMs: number): SeriesChunk {
  let ordered = true;
  let prev = -Infinity;
  let n = 0;
  for (const p of points) {
    if (p.ts < startMs || p.ts >= endMs) continue;
    if (p.ts <= prev) ordered = false;
    prev = p.ts;
    n++;
  }
  let src: readonly FetchedPoint[] = points;
  if (!ordered) {
    src = points.filter((p) => p.ts >= startMs && p.ts < endMs).map((p, i) => ({ ...p, i })).sort((a, b) => a.ts - b.ts || a.i - b.i);
  }
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  let m = 0;
  for (const p of src) {
    if (p.ts < startMs || p.ts >= endMs) continue;
    if (m > 0 && ts[m - 1] === p.ts) {
      values[m - 1] = p.value;
      continue;
    }
    ts[m] = p.ts;
    values[m] = p.value;
    m++;
  }
  return m === n ? { ts, values } : { ts: ts.subarray(0, m), values: values.subarray(0, m) };
}

function concatChunks(list: readonly SeriesChunk[]): SeriesChunk {
  if (list.length === 1) return list[0]!;
  let n = 0;
  for (const c of list) n += c.ts.length;
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  let at = 0;
  for (const c of list) {
    ts.set(c.ts, at);
    values.set(c.values, at);
    at += c.ts.length;
  }
  return { ts, values };
}

/** Sum of the points of a window's chunks. */
export function pointsIn(chunks: ReadonlyMap<string, SeriesChunk>): number {
  let n = 0;
  for (const c of chunks.values()) n += c.ts.length;
  return n;
}
