/** The portal client as a history source: devices of every page, history calls oldest first. */
import type { NightowlClient } from "../nightowl/client.ts";
import { deviceMetaOf } from "./device-meta.ts";
import type { HistorySource } from "./fetch-run.ts";

export function portalSource(client: NightowlClient, query: { attributeKeys: readonly string[]; pageSize: number }): HistorySource {
  return {
    devices: async () => (await client.devices({ timeseriesKeys: [], attributeKeys: query.attributeKeys, pageSize: query.pageSize })).map(deviceMetaOf),
    // timeseriesPage, not timeseries: its `received` counts say a page was cut even when
    // non-numeric points were dropped from it.
    timeseries: (deviceId, keys, startMs, endMs, limit, signal) => client.timeseriesPage(deviceId, keys, startMs, endMs, { limit, agg: "NONE", orderBy: "ASC", signal }),
  };
}
