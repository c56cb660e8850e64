/**
 * The events file as `run` sees it: checked once per poll (a `stat`, cheap), read again only
 * when it changed, so `nightowl events add|remove` — or an edit by hand — takes effect at the
 * next poll without a restart. The file is written atomically, so a change is a new inode or a
 * new size or mtime, never half a file.
 *
 * A file that fails its checks keeps the last good events in force (an owner's typo must not
 * drop a pool fill's silence halfway through it), logs one line per bad version of the file,
 * and sets `nightowl_events_file_valid` to 0 until a good version arrives. A missing file is
 * an empty one (no events yet).
 *
 * Nothing is read before the first `refresh` (or poll): `run` reads the file after the portal
 * took its first login, so a refused password's line is the only one it prints.
 */
import { statSync } from "node:fs";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { eventsNamingDevices } from "./names-for-ids.ts";
import type { PollObserver } from "../nightowl/poll-result.ts";
import { EventIndex } from "./covering.ts";
import { loadEventsFile, type OwnerEvent, type TellTime } from "./events-file.ts";

export interface EventsWatchOptions {
  /** The events file (NIGHTOWL_STATE_DIR/events.json). */
  path: string;
  log: Logger;
  /** Where the file's state goes (src/metrics/events.ts); none in tests that do not read it. */
  metrics?: EventsWatchMetrics;
  /** How a problem tells a time: the sites' clock, as `events add` does (default ISO UTC). */
  at?: TellTime;
}

/** What the watch reports after each read of the file. */
export interface EventsWatchMetrics {
  /** Whether the last version read was valid (or absent). */
  fileValid(ok: boolean): void;
  /** Events in force, past and future, from the last good version. */
  eventsInForce(count: number): void;
}

export interface EventsWatch extends PollObserver {
  /** Reads the file the first time, then again if it changed since the last look; called by each poll. */
  refresh(): void;
  /** The event that applies to a device's verdict at `ts` (epoch ms), from the last good file: `EventIndex.forVerdict`. */
  forVerdict(deviceId: string, ts: number): OwnerEvent | undefined;
  /** The device's events from the last good file, by start: the current one and those to come. */
  of(deviceId: string): readonly OwnerEvent[];
  /** Whether the last version of the file read was valid (false: the last good events are in force). */
  valid(): boolean;
  /** Counts the versions of the events put in force: a change means they changed. */
  generation(): number;
}

/** What identifies a version of the file without reading it; "" when there is none. */
function signature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "" : `error:${(error as NodeJS.ErrnoException).code}`;
  }
}

export function createEventsWatch(options: EventsWatchOptions): EventsWatch {
  const { path, log } = options;
  const { metrics } = options;
  let seen: string | undefined;
  let ok = true;
  let index = new EventIndex([]);
  let byDevice = new Map<string, OwnerEvent[]>();
  let generation = 0;
  let current: readonly OwnerEvent[] = [];
  let namesChecked = 0;

  function use(events: readonly OwnerEvent[]): void {
    generation++;
    current = events;
    index = new EventIndex(events);
    byDevice = new Map();
    for (const e of events) byDevice.set(e.device_id, [...(byDevice.get(e.device_id) ?? []), e]);
    for (const list of byDevice.values()) list.sort((a, b) => a.start - b.start);
    metrics?.eventsInForce(events.length);
  }

  function refresh(): void {
    const now = signature(path);
    if (now === seen) return;
    const first = seen === undefined;
    seen = now;
    try {
      const file = loadEventsFile(path, { missingIsEmpty: true, at: options.at });
      use(file.events);
      if (!first || file.events.length > 0) log.info(`events file ${path} read: ${file.events.length} ${file.events.length === 1 ? "event" : "events"} in force`);
      ok = true;
    } catch (error) {
      ok = false;
      log.warn(`${describeError(error)}; the last good events stay in force until the file is fixed`);
    }
    metrics?.fileValid(ok);
  }

  return {
    observe(result) {
      refresh();
      // Each version of the file is checked once against the devices polled, when it is first
      // in force during a good poll: an event booked under a device's name applies to nothing.
      if (!result.ok || namesChecked === generation) return;
      namesChecked = generation;
      for (const line of eventsNamingDevices(current, result.devices.map((d) => ({ deviceId: d.id, deviceName: d.name })))) log.warn(`events file ${path}: ${line}`);
    },
    refresh,
    forVerdict: (deviceId, ts) => index.forVerdict(deviceId, ts),
    of: (deviceId) => byDevice.get(deviceId) ?? [],
    valid: () => ok,
    generation: () => generation,
  };
}
