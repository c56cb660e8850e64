/**
 * `nightowl events add|list|remove`: the owner's word about a device (docs/events.md), kept in
 * NIGHTOWL_STATE_DIR/events.json or the file `--events` names. Bad input is one line, exit 2,
 * and nothing written.
 */
import { existsSync, mkdirSync } from "node:fs";
import * as v from "valibot";
import { dirname, join, resolve } from "node:path";
import { Command } from "commander";
import { helpNotes } from "./help-text.ts";
import type { SettingName } from "../config.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { NightowlError } from "../errors.ts";
import { parseEventTime } from "../events/event-time.ts";
import { loadKnownDevices } from "../events/known-devices.ts";
import { isPortalId, quotedText } from "../nightowl/values.ts";
import { notAllowedMessage } from "../number-rule.ts";
import { EVENT_KINDS, EventsFileSchema, eventsProblems, iso, loadEventsFile, saveEventsFile, summarize, type EventKind, type EventsFile } from "../events/events-file.ts";
import { zonedStamp } from "../analytics/local-time.ts";
import { commandContext, print } from "./context.ts";

const EVENTS_SETTINGS: readonly SettingName[] = ["stateDir", "timezone", "logFormat", "logLevel"];

interface EventsFlags {
  events?: string;
}

/** The events file a command reads: `--events FILE`, else the state folder's events.json (missing = empty). */
export function eventsPath(flags: { events?: string }, stateDir: string): { path: string; missingIsEmpty: boolean } {
  return flags.events ? { path: flags.events, missingIsEmpty: false } : { path: join(stateDir, "events.json"), missingIsEmpty: true };
}

function withCommon(command: Command): Command {
  command.option("--events <file>", "the events file (default: NIGHTOWL_STATE_DIR/events.json)");
  return addSettingOptions(command, EVENTS_SETTINGS);
}

/**
 * The command's context and events file. `at` tells a time on the sites' wall clock with the
 * zone's name, as the owner typed `--start` and reads the status page: in the list, the
 * confirmations and the problems. `shown` is the file's full path, which every answer names:
 * `state/events.json` is the working directory's, and a service's (deploy/systemd runs in
 * /var/lib/nightowl) is not the one a shell elsewhere would write.
 */
function open(options: EventsFlags & Record<string, unknown>, creating: boolean) {
  const context = commandContext(options);
  const at = zonedStamp(context.config.timezone);
  const where = eventsPath(options, context.config.stateDir);
  const file = loadEventsFile(where.path, { missingIsEmpty: where.missingIsEmpty || creating, at });
  return { context, path: where.path, shown: resolve(where.path), file, at };
}

/** A short id not yet taken: the kind and the first free number. */
function freshId(file: EventsFile, kind: EventKind): string {
  const taken = new Set(file.events.map((e) => e.id));
  for (let n = 1; ; n++) if (!taken.has(`${kind}-${n}`)) return `${kind}-${n}`;
}

function addCommand(): Command {
  const command = new Command("add")
    .description("Add an event for a device: expected (no alarm), away (more sensitive), maintenance (no alarm, not trained on), leak (not trained on).")
    .requiredOption("--device-id <id>", "the device's id (a UUID, as poll-once prints after the name), not its name")
    .requiredOption("--kind <kind>", EVENT_KINDS.join(", "))
    .requiredOption("--start <time>", "epoch ms, ISO 8601 with offset, or local 'YYYY-MM-DD HH:MM' in the sites' zone")
    .requiredOption("--end <time>", "as --start; the event ends before this moment")
    .option("--note <text>", "what it is, for the people reading the list")
    .option("--id <id>", "the event's id (default: kind-N)")
    .option("--any-device", "add it even if the device is not among those run last polled (NIGHTOWL_STATE_DIR/devices.json), or, before run listed them, its id is not a UUID");
  return withCommon(command).action((options: EventsFlags & Record<string, string | undefined>) => {
    const kind = options.kind!;
    if (!(EVENT_KINDS as readonly string[]).includes(kind)) throw new NightowlError("E_USAGE", notAllowedMessage("--kind", JSON.stringify(kind.slice(0, 40)), `one of ${EVENT_KINDS.join(", ")}`));
    const { context, path, shown, file, at } = open(options, true);
    // Only the state folder is ours to create: a folder named by --events that is not there is
    // a typo, and creating it (from the filesystem's root, if need be) would hide it.
    if (options.events !== undefined && !existsSync(dirname(path))) {
      throw new NightowlError("E_USAGE", `--events ${JSON.stringify(path)}: the folder ${JSON.stringify(dirname(path))} does not exist: expected a file in an existing folder (only NIGHTOWL_STATE_DIR is created)`);
    }
    const devicesPath = join(context.config.stateDir, "devices.json");
    const checked = options.anyDevice ? true : checkDevice(options.deviceId!, devicesPath);
    const tz = context.config.timezone;
    const candidate = {
      id: options.id ?? freshId(file, kind as EventKind),
      device_id: options.deviceId!,
      kind,
      start: parseEventTime(options.start!, tz, "--start"),
      end: parseEventTime(options.end!, tz, "--end"),
      ...(options.note !== undefined ? { note: options.note } : {}),
    };
    checkCandidate(candidate, { id: options.id, device_id: options.deviceId, kind, start: options.start, end: options.end, note: options.note });
    // The whole new file goes through the file's own checks, so `add` cannot write what `load` refuses.
    const { file: next, problems } = eventsProblems({ version: 1, events: [...file.events, candidate] }, at);
    if (!next || problems.length > 0) throw new NightowlError("E_USAGE", summarize(problems));
    if (options.events === undefined) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch {
        // saveEventsFile names the path and the reason when it cannot write there.
      }
    }
    saveEventsFile(path, next, at);
    // An unchecked id is said, not refused: before run's first poll there is no list, and a typo
    // booked silently would leave the real well alarming through its pool fill.
    const unchecked = checked ? "" : ` (device id not checked: ${resolve(devicesPath)}, the devices run last polled, is not there yet)`;
    print(`added ${candidate.id} to ${shown}: ${kind} for device ${candidate.device_id}, ${at(candidate.start)} .. ${at(candidate.end)}${unchecked}`);
  });
}

/** The flag each field of a new event comes from. */
const FIELD_FLAGS: Record<string, string> = { id: "--id", device_id: "--device-id", kind: "--kind", start: "--start", end: "--end", note: "--note" };

/**
 * The new event alone through the file's schema, its first problem told as the flag and the
 * value typed (`--start "1999-01-01" is not allowed: …`), not as the file's `events.1.start`.
 * @throws NightowlError E_USAGE
 */
function checkCandidate(candidate: Record<string, unknown>, typed: Record<string, string | undefined>): void {
  const result = v.safeParse(EventsFileSchema, { version: 1, events: [candidate] });
  if (result.success) return;
  const issue = result.issues[0];
  const field = String(issue.path?.[2]?.key ?? "");
  const value = typed[field] ?? String(candidate[field] ?? "");
  throw new NightowlError("E_USAGE", notAllowedMessage(FIELD_FLAGS[field] ?? field, JSON.stringify(value.slice(0, 60)), issue.message));
}

/**
 * Refuses a device id `run` has not polled, when the state folder says which it polled; a
 * device name given for its id is pointed at the id. Without the list, only the id's shape is
 * checked (false): the portal's ids are UUIDs, and a name booked as an id would never apply.
 */
function checkDevice(deviceId: string, devicesPath: string): boolean {
  const known = loadKnownDevices(devicesPath);
  if (!known) {
    if (isPortalId(deviceId)) return false;
    throw new NightowlError("E_USAGE", notAllowedMessage("--device-id", quotedText(deviceId), `the device's id, a UUID as the portal gives it (poll-once prints it after the name: "Device: 3840291 (2e7b9745-…)"); --any-device adds it anyway`));
  }
  if (known.devices.some((d) => d.id === deviceId)) return true;
  const named = known.devices.filter((d) => d.name === deviceId);
  const hint = named.length === 1 ? `: that is the name of device ${named[0]!.id}; give its id` : `: expected one of ${known.devices.slice(0, 5).map((d) => `${d.id} (${d.name})`).join(", ")}${known.devices.length > 5 ? ", …" : ""}`;
  throw new NightowlError("E_USAGE", `device ${quotedText(deviceId)} is not one of the ${known.devices.length} devices run last polled (${devicesPath}, ${known.saved_at})${hint}; --any-device adds it anyway`);
}

function listCommand(): Command {
  const command = new Command("list")
    .description("List the events, by device and start, times on the sites' clock (NIGHTOWL_TIMEZONE) with the zone's name.")
    .option("--device-id <id>", "only this device's")
    .option("--json", "as JSON, times in ISO 8601 UTC as the file keeps them");
  return withCommon(command).action((options: EventsFlags & { deviceId?: string; json?: boolean } & Record<string, unknown>) => {
    const { shown, file, at } = open(options, false);
    const events = file.events.filter((e) => !options.deviceId || e.device_id === options.deviceId).sort((a, b) => (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : a.start - b.start));
    if (options.json) return print(JSON.stringify(events.map((e) => ({ ...e, start: iso(e.start), end: iso(e.end) }))));
    if (events.length === 0) return print(`no events in ${shown}`);
    print([`events in ${shown}:`, "id\tdevice_id\tkind\tstart\tend\tnote", ...events.map((e) => [e.id, e.device_id, e.kind, at(e.start), at(e.end), e.note ?? ""].join("\t"))].join("\n"));
  });
}

function removeCommand(): Command {
  const command = new Command("remove").description("Remove an event by its id.").argument("<id>", "the event's id (see nightowl events list)");
  return withCommon(command).action((id: string, options: EventsFlags & Record<string, unknown>) => {
    const { path, shown, file } = open(options, false);
    const kept = file.events.filter((e) => e.id !== id);
    if (kept.length === file.events.length) throw new NightowlError("E_USAGE", `no event ${JSON.stringify(id.slice(0, 80))} in ${shown}: see nightowl events list`);
    saveEventsFile(path, { version: 1, events: kept });
    print(`removed ${id} from ${shown}`);
  });
}

export function eventsCommand(): Command {
  const command = new Command("events")
    .description("The owner's word about a device: expected draws, time away, maintenance, confirmed leaks (docs/events.md). The file is NIGHTOWL_STATE_DIR/events.json, relative to the working directory: the systemd service's is /var/lib/nightowl/state/events.json (docs/deploy.md).")
    .addHelpText(
      "after",
      helpNotes(`
Examples:
  $ nightowl events add --device-id 6f1c… --kind expected \\
      --start "2026-07-04 08:00" --end "2026-07-04 16:00" --note "pool fill"
  $ nightowl events add --device-id 6f1c… --kind away \\
      --start 2026-07-10 --end 2026-07-24
  $ nightowl events list --device-id 6f1c…
  $ nightowl events remove expected-1`),
    );
  for (const sub of [addCommand(), listCommand(), removeCommand()]) command.addCommand(sub);
  return command;
}
