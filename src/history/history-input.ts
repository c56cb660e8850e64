/**
 * Where `train` and `score` read history from: history CSV files, Prometheus (`query_range`),
 * or the NightOwl portal directly. Every source yields the same HistoryFrame per device.
 */
import { fetchDeviceHistory } from "./device-history.ts";
import type { Logger } from "../log.ts";
import type { NightowlClient } from "../nightowl/client.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

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
    const frame = await fetchDeviceHistory(client, device, { keys: options.keys, startMs: options.startMs, endMs: options.endMs, limit });
    options.log.info(`fetched history of device ${device.name}`, { rows: frame?.ts.length ?? 0 });
    if (frame) frames.push(frame);
  }
  return frames;
}
