/**
 * Episodes of a device's alarms, from one verdict per poll: an episode starts the first poll an
 * alarm is in force and ends once it has been off for `quietMs` of the device's reading time,
 * so a verdict that wavers at its threshold is one episode, not a message per poll. Leak and
 * pump alarms have their own episodes.
 */
import type { DeviceVerdict } from "../status/source.ts";
import type { AlarmKind } from "../status/verdict.ts";

const KINDS: readonly AlarmKind[] = ["leak", "pump"];

/** Default quiet time before an episode ends: half an hour of readings. */
export const QUIET_MS = 30 * 60_000;

export interface EpisodeChange {
  event: "started" | "ended";
  alarm: AlarmKind;
  device: DeviceVerdict;
  /** Reading time the alarm came on, or went off for good. */
  atMs: number;
}

export class EpisodeTracker {
  private readonly open = new Map<string, { deviceId: string; clearSince?: number }>();

  constructor(private readonly quietMs = QUIET_MS) {}

  /** Takes the verdicts of one poll; returns the episodes that started or ended with it. */
  update(verdicts: readonly DeviceVerdict[]): EpisodeChange[] {
    const out: EpisodeChange[] = [];
    const seen = new Set<string>();
    for (const device of verdicts) {
      seen.add(device.id);
      for (const alarm of KINDS) {
        const key = `${alarm}\u0000${device.id}`;
        const episode = this.open.get(key);
        if (device.alarms.has(alarm)) {
          if (!episode) {
            this.open.set(key, { deviceId: device.id });
            out.push({ event: "started", alarm, device, atMs: device.readingAt });
          } else episode.clearSince = undefined;
        } else if (episode) {
          episode.clearSince ??= device.readingAt;
          if (device.readingAt - episode.clearSince >= this.quietMs) {
            this.open.delete(key);
            out.push({ event: "ended", alarm, device, atMs: episode.clearSince });
          }
        }
      }
    }
    // A device the portal no longer lists ends silently: there is nothing left to tell.
    for (const [key, episode] of this.open) if (!seen.has(episode.deviceId)) this.open.delete(key);
    return out;
  }
}
