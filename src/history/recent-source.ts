/**
 * Where the warm-up of `run` reads one device's recent hours from (the portal, else Prometheus):
 * not the fetch-history source of `fetch-history`, which pages whole key ranges resumably.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";

/** A place to read a device's recent history from. */
export interface RecentHistorySource {
  /** Named in log lines, e.g. "the portal". */
  name: string;
  /** One device's history over [startMs, endMs); undefined when there is none. */
  read(device: DeviceSnapshot, startMs: number, endMs: number): Promise<HistoryFrame | undefined>;
}
