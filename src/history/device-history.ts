/**
 * One device's history through the client as a HistoryFrame, complete despite the portal's
 * silent per-key `limit`: the piece `train --from-nightowl`, `score --from-nightowl`, `report`
 * and the warm-up of `run` share.
 */
import type { NightowlClient } from "../nightowl/client.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { userLabelFor } from "../nightowl/keys.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { customerAndSite } from "./device-meta.ts";
import { fetchComplete, planWindows, type FetchWindow, type SeriesChunk } from "./window-planner.ts";

const DAY_MS = 86_400_000;

/** Joins per-key chunks (each strictly increasing) into one frame on the union of their timestamps. */
export function chunksToFrame(meta: Omit<HistoryFrame, "ts" | "columns">, chunks: ReadonlyMap<string, SeriesChunk>): HistoryFrame {
  const all = new Set<number>();
  for (const chunk of chunks.values()) for (const t of chunk.ts) all.add(t);
  const ts = Float64Array.from(all).sort();
  const columns: Record<string, Float64Array> = {};
  for (const [key, chunk] of chunks) {
    const column = new Float64Array(ts.length).fill(Number.NaN);
    let j = 0;
    for (let i = 0; i < chunk.ts.length; i++) {
      while (ts[j] < chunk.ts[i]) j++;
      column[j] = chunk.values[i];
    }
    columns[key] = column;
  }
  return { ...meta, ts, columns };
}

/** Appends frame `b` (later rows) to frame `a` of the same device. */
function appendFrame(a: HistoryFrame, b: HistoryFrame): HistoryFrame {
  const keys = new Set([...Object.keys(a.columns), ...Object.keys(b.columns)]);
  const n = a.ts.length + b.ts.length;
  const ts = new Float64Array(n);
  ts.set(a.ts);
  ts.set(b.ts, a.ts.length);
  const columns: Record<string, Float64Array> = {};
  for (const key of keys) {
    const column = new Float64Array(n).fill(Number.NaN);
    if (a.columns[key]) column.set(a.columns[key]);
    if (b.columns[key]) column.set(b.columns[key], a.ts.length);
    columns[key] = column;
  }
  return { ...a, ts, columns };
}

/** A frame's identity from a polled device: label, customer and site (`customerAndSite`). */
export function frameMetaOf(device: DeviceSnapshot): Omit<HistoryFrame, "ts" | "columns"> {
  const { customer, site } = customerAndSite(device.attributes);
  return {
    deviceId: device.id,
    deviceName: device.name,
    userLabel: device.userLabel || userLabelFor(customer),
    ...(customer !== undefined ? { customer } : {}),
    ...(site !== undefined ? { site } : {}),
  };
}

export interface DeviceHistoryOptions {
  keys: readonly string[];
  /** Epoch ms, [startMs, endMs). */
  startMs: number;
  endMs: number;
  /** Points per key per call; a full answer is split and asked again. Default 10,000. */
  limit?: number;
  signal?: AbortSignal;
}

/**
 * One device's history in one-day windows, oldest first; undefined when the range holds no
 * point. Memory is the frame itself: callers ask for the range they mean to keep.
 */
export async function fetchDeviceHistory(client: NightowlClient, device: DeviceSnapshot, options: DeviceHistoryOptions): Promise<HistoryFrame | undefined> {
  const meta = frameMetaOf(device);
  const limit = options.limit ?? 10_000;
  const fetchWindow: FetchWindow = (keys, startMs, endMs, max) => client.timeseriesPage(device.id, keys, startMs, endMs, { limit: max, signal: options.signal });
  let frame: HistoryFrame | undefined;
  for (const window of planWindows(options.startMs, options.endMs, DAY_MS)) {
    const part = chunksToFrame(meta, await fetchComplete(fetchWindow, options.keys, window, limit));
    if (part.ts.length === 0) continue;
    frame = frame ? appendFrame(frame, part) : part;
  }
  return frame;
}
