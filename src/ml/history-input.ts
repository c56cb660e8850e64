/**
 * Where `train` and `score` read history from: history CSV files, Prometheus (`query_range`),
 * or the NightOwl portal directly. Every source yields the same HistoryFrame per device.
 */
import { fetchComplete, planWindows, type FetchWindow, type SeriesChunk } from "../history/window-planner.ts";
import type { Logger } from "../log.ts";
import type { NightowlClient } from "../nightowl/client.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { userLabelFor } from "../nightowl/keys.ts";

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

export interface NightowlHistoryOptions {
  keys: readonly string[];
  /** Epoch ms, [startMs, endMs). */
  startMs: number;
  endMs: number;
  pageSize: number;
  userLabel?: string;
  deviceId?: string;
  /** Points per key per call; a full answer is split and asked again. Default 10,000. */
  limit?: number;
  log: Logger;
}

/** Pulls every device's history through the client in one-day windows, complete despite the portal's limit. */
export async function fetchNightowlHistory(client: NightowlClient, options: NightowlHistoryOptions): Promise<HistoryFrame[]> {
  const devices = await client.devices({ timeseriesKeys: options.keys, attributeKeys: ["CustomerInfo", "SiteInfo", "Location"], pageSize: options.pageSize });
  const frames: HistoryFrame[] = [];
  const limit = options.limit ?? 10_000;
  for (const device of devices) {
    if (options.deviceId && device.id !== options.deviceId) continue;
    if (options.userLabel && device.userLabel !== options.userLabel) continue;
    const customer = device.attributes.CustomerInfo?.value;
    const site = device.attributes.SiteInfo?.value ?? device.attributes.Location?.value;
    const meta = {
      deviceId: device.id,
      deviceName: device.name,
      userLabel: device.userLabel || userLabelFor(customer === undefined ? undefined : String(customer)),
      ...(customer !== undefined ? { customer: String(customer) } : {}),
      ...(site !== undefined ? { site: String(site) } : {}),
    };
    const fetchWindow: FetchWindow = (keys, startMs, endMs, max) => client.timeseriesPage(device.id, keys, startMs, endMs, { limit: max });
    let frame: HistoryFrame | undefined;
    for (const window of planWindows(options.startMs, options.endMs, 86_400_000)) {
      const part = chunksToFrame(meta, await fetchComplete(fetchWindow, options.keys, window, limit));
      if (part.ts.length === 0) continue;
      frame = frame ? appendFrame(frame, part) : part;
    }
    options.log.info(`fetched history of device ${device.name}`, { rows: frame?.ts.length ?? 0 });
    if (frame) frames.push(frame);
  }
  return frames;
}
