/**
 * The warm-up of `run`: the first time a device is polled, its recent history is read once
 * (from the portal, else from Prometheus when one is configured) and handed to the observers
 * that keep windows (analytics, live scoring), so a restart does not leave night flow, pump
 * figures, rules and the leak model blind for a day.
 */
import type { Logger } from "./log.ts";
import type { HistoryFrame } from "./nightowl/history-frame.ts";
import type { RecentHistorySource } from "./history/recent-source.ts";
import type { DeviceSnapshot } from "./nightowl/snapshot.ts";
import { describeError } from "./errors.ts";
import type { PollObserver, PollResult } from "./nightowl/poll-result.ts";
import { boundGarbage } from "./bound-garbage.ts";
import { paceGarbage } from "./pace-garbage.ts";
import { yieldToServer } from "./yield-to-server.ts";

/** An observer whose windows can be filled from history before it sees a device's first poll. */
export interface WarmTarget {
  warm(device: DeviceSnapshot, frame: HistoryFrame): void;
}

export interface WarmUpOptions {
  /** Tried in order for each device; the first with rows wins. */
  sources: readonly RecentHistorySource[];
  targets: readonly WarmTarget[];
  /** How far back to read, ms. */
  spanMs: number;
  log: Logger;
  /** Devices read at once. Default 4. */
  concurrency?: number;
}

/**
 * Must come before its targets in the observer list. The range ends just after the device's
 * newest reading, not at the local clock, so a portal whose clock differs (or the simulator's
 * sped-up time) is read where its data is. A device no source could give history for is
 * warned about once, naming each source's failure, and then fills from polls.
 */
export function createWarmUp(options: WarmUpOptions): PollObserver {
  const tried = new Set<string>();
  const concurrency = options.concurrency ?? 4;
  return {
    async observe(result: PollResult) {
      if (!result.ok) return;
      const pending = result.devices.filter((d) => !tried.has(d.id));
      for (const d of pending) tried.add(d.id);
      let next = 0;
      const worker = async () => {
        while (next < pending.length) {
          const device = pending[next++]!;
          const newest = Math.max(...Object.values(device.telemetry).map((r) => r.ts));
          if (!Number.isFinite(newest)) continue;
          const found = await readHistory(options.sources, device, newest + 1 - options.spanMs, newest + 1);
          if ("failures" in found) {
            if (found.failures.length > 0) options.log.warn(`could not read the recent history of device ${device.name}; its windows fill from polls instead: ${found.failures.join("; ")}`);
            // Read, but empty (a portal that keeps less history than the span): said, so every device has its line.
            else options.log.info(`no history in the ${options.spanMs / 3_600_000} h before the newest reading of device ${device.name}; its windows fill from polls`);
            continue;
          }
          for (const target of options.targets) {
            await yieldToServer();
            target.warm(device, found.frame);
          }
          // The frame and what warming made of it are garbage now: thousands of devices' worth must
          // not pile up, in the young generation nor (frames held across a history call's wait) in the old.
          paceGarbage();
          boundGarbage();
          options.log.info(`warmed device ${device.name} from ${found.frame.ts.length} rows of history from ${found.source}`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
    },
  };
}

/** The first source's non-empty history of the device, or what each source that threw said. */
async function readHistory(
  sources: readonly RecentHistorySource[],
  device: DeviceSnapshot,
  startMs: number,
  endMs: number,
): Promise<{ frame: HistoryFrame; source: string } | { failures: string[] }> {
  const failures: string[] = [];
  for (const source of sources) {
    try {
      const frame = await source.read(device, startMs, endMs);
      if (frame && frame.ts.length > 0) return { frame, source: source.name };
    } catch (error) {
      failures.push(`${source.name}: ${describeError(error)}`);
    }
  }
  return { failures };
}
