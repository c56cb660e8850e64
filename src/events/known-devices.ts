/**
 * The devices `run` last polled, kept in the state folder (`devices.json`) so `nightowl events
 * add` can refuse a device id nobody monitors — a typo would otherwise book a pool fill for no
 * well and leave the real one alarming. `run` writes the file (atomically) only when the list
 * changed and only into a state folder that exists (it never creates one in the working
 * directory); `events add` checks against it only when it is there.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as v from "valibot";
import { writeFileAtomic } from "../atomic-write.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";

/** A fleet's device list is well under this; a bigger file is not ours. */
const MAX_BYTES = 8 << 20;

const KnownDevicesSchema = v.object({
  version: v.literal(1),
  saved_at: v.string(),
  devices: v.array(v.object({ id: v.string(), name: v.string() })),
});
export type KnownDevices = v.InferOutput<typeof KnownDevicesSchema>;

/** The list in the file, or undefined when there is none or it cannot be read as one (then nothing is checked). */
export function loadKnownDevices(path: string): KnownDevices | undefined {
  try {
    if (!existsSync(path) || statSync(path).size > MAX_BYTES) return undefined;
    const parsed = v.safeParse(KnownDevicesSchema, JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** A poll observer writing the polled devices to `path` when they change (never creating its folder). */
export function knownDevicesRecorder(options: { path: string; log: Logger; now?: () => number }): PollObserver {
  let last = "";
  let failed = false;
  return {
    observe(result: PollResult) {
      if (!result.ok) return;
      const devices = result.devices.map((d) => ({ id: d.id, name: d.name })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const key = JSON.stringify(devices);
      if (key === last) return;
      try {
        writeFileAtomic(options.path, JSON.stringify({ version: 1, saved_at: new Date((options.now ?? Date.now)()).toISOString(), devices }, null, 1) + "\n");
        last = key;
        failed = false;
      } catch (error) {
        // A missing or read-only state folder: events add then checks nothing. Tried again each
        // poll (a failed open is cheap), so a folder made later by `events add` is used; said once.
        if (!failed) options.log.debug(`the polled devices are not kept in ${options.path}: ${describeError(error)}`);
        failed = true;
      }
    },
  };
}
