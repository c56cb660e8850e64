/**
 * The owner's word about a device: an events file (`{ version: 1, events: [...] }`) saying
 * when a draw is expected (a pool fill), when the house is empty (away), when the pump is
 * being worked on (maintenance) and when a leak was confirmed (leak). The schema is the one
 * source of the types; times are read as epoch ms or ISO 8601 with an offset and written as
 * ISO UTC. Loading checks what the schema cannot — end after start, no two events of one
 * device overlapping, unique ids — and reports each problem as one line.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as v from "valibot";
import { writeFileAtomic } from "../atomic-write.ts";
import { NightowlError } from "../errors.ts";

export const EVENT_KINDS = ["expected", "away", "maintenance", "leak"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A file larger than this is not an events file anyone wrote by hand or by `nightowl events`. */
export const MAX_EVENTS_FILE_BYTES = 1 << 20;
/** Events per file: years of pool fills and holidays for a fleet, and bounded work per row. */
export const MAX_EVENTS = 10_000;

/** ISO 8601 date and time with seconds optional and an explicit offset (Z or ±hh:mm). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Years 2000–2200: anything else is a typo, not a holiday. */
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

const TIME_MESSAGE = "a time: epoch milliseconds or ISO 8601 with an offset such as 2026-07-04T08:00:00-06:00";
const TimeSchema = v.pipe(
  v.union([v.pipe(v.number(), v.integer(TIME_MESSAGE)), v.pipe(v.string(), v.regex(ISO_WITH_OFFSET, TIME_MESSAGE))], TIME_MESSAGE),
  v.transform((t) => (typeof t === "number" ? t : Date.parse(t))),
  v.check((t) => Number.isFinite(t) && t >= MIN_MS && t < MAX_MS, "a time between the years 2000 and 2200"),
);

const EventSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "an id of letters, digits, '.', '_' or '-' (at most 64)")),
  device_id: v.pipe(v.string(), v.regex(/^[\x21-\x7e]{1,128}$/, "a device id of 1 to 128 printable characters")),
  kind: v.picklist(EVENT_KINDS, `one of ${EVENT_KINDS.join(", ")}`),
  start: TimeSchema,
  end: TimeSchema,
  note: v.optional(v.pipe(v.string(), v.maxLength(500, "a note of at most 500 characters"), v.regex(/^[^\x00-\x1f\x7f]*$/, "a note without control characters"))),
});

export const EventsFileSchema = v.object({
  version: v.literal(1, "1 (the only events file version)"),
  events: v.pipe(v.array(EventSchema), v.maxLength(MAX_EVENTS, `at most ${MAX_EVENTS} events`)),
});

/** One event, times as epoch ms (end exclusive). */
export type OwnerEvent = v.InferOutput<typeof EventSchema>;
export type EventsFile = v.InferOutput<typeof EventsFileSchema>;

export const EMPTY_EVENTS: EventsFile = { version: 1, events: [] };

/**
 * How a problem tells a time: ISO UTC by default; a command the owner types gives the sites'
 * wall clock (`LocalClock.stamp(ms, true)`), the clock the owner's `--start` was read on.
 */
export type TellTime = (ms: number) => string;

/** Every problem of a parsed document as one line each; empty when it is a good events file. */
export function eventsProblems(raw: unknown, at: TellTime = iso): { file?: EventsFile; problems: string[] } {
  const result = v.safeParse(EventsFileSchema, raw);
  if (!result.success) {
    const problems = result.issues.slice(0, 20).map((issue) => {
      const where = issue.path?.map((p) => String(p.key)).join(".") || "top level";
      return `${where}: ${issue.message}`;
    });
    return { problems };
  }
  const file = result.output;
  return { file, problems: ruleProblems(file.events, at) };
}

/** What the schema cannot say: end after start, unique ids, no overlap within a device. */
export function ruleProblems(events: readonly OwnerEvent[], at: TellTime = iso): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const e of events) {
    if (ids.has(e.id)) problems.push(`event ${e.id}: the id is used twice`);
    ids.add(e.id);
    if (!(e.end > e.start)) problems.push(`event ${e.id}: end ${at(e.end)} is not after start ${at(e.start)}`);
  }
  const byDevice = groupByDevice(events.filter((e) => e.end > e.start));
  for (const list of byDevice.values()) {
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      if (b.start < a.end) problems.push(`event ${b.id} (${at(b.start)} .. ${at(b.end)}) overlaps event ${a.id} (${at(a.start)} .. ${at(a.end)}) of device ${a.device_id}`);
    }
  }
  return problems;
}

/** Events of each device, sorted by start. */
export function groupByDevice(events: readonly OwnerEvent[]): Map<string, OwnerEvent[]> {
  const out = new Map<string, OwnerEvent[]>();
  for (const e of events) {
    const list = out.get(e.device_id) ?? [];
    list.push(e);
    out.set(e.device_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start || a.end - b.end);
  return out;
}

/** Parses and checks an events file's text; throws `E_DATA` with the problems on one line. */
export function parseEventsText(text: string, source: string, at: TellTime = iso): EventsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NightowlError("E_DATA", `${source} is not JSON (${(error as Error).message})`, { cause: error });
  }
  const { file, problems } = eventsProblems(raw, at);
  if (!file || problems.length > 0) throw new NightowlError("E_DATA", `${source} is not a valid events file: ${summarize(problems)}`);
  return file;
}

/** The first problem, and how many more: one line however bad the input. */
export function summarize(problems: readonly string[]): string {
  return problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more problems)` : (problems[0] ?? "");
}

/** Reads an events file; a missing file is an empty one when `missingIsEmpty` (the state dir's). */
export function loadEventsFile(path: string, options: { missingIsEmpty?: boolean; at?: TellTime } = {}): EventsFile {
  if (!existsSync(path)) {
    if (options.missingIsEmpty) return EMPTY_EVENTS;
    throw new NightowlError("E_IO", `events file ${JSON.stringify(path)} does not exist`);
  }
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_EVENTS_FILE_BYTES) throw new NightowlError("E_DATA", `events file ${JSON.stringify(path)} is ${size} bytes; at most ${MAX_EVENTS_FILE_BYTES} are read`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof NightowlError) throw error;
    throw new NightowlError("E_IO", `events file ${JSON.stringify(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  return parseEventsText(text, `events file ${JSON.stringify(path)}`, options.at);
}

/** The file's text: times as ISO UTC, events sorted by device and start. */
export function eventsToText(file: EventsFile): string {
  const events = [...file.events]
    .sort((a, b) => (a.device_id < b.device_id ? -1 : a.device_id > b.device_id ? 1 : a.start - b.start))
    .map((e) => ({ id: e.id, device_id: e.device_id, kind: e.kind, start: iso(e.start), end: iso(e.end), ...(e.note !== undefined ? { note: e.note } : {}) }));
  return JSON.stringify({ version: 1, events }, null, 2) + "\n";
}

/**
 * Checks `file` and writes it atomically (a temporary file beside it, then a rename), so a
 * reader — `run` picking up changes — sees the old file or the new one, never half of one.
 */
export function saveEventsFile(path: string, file: EventsFile, at: TellTime = iso): void {
  const problems = ruleProblems(file.events, at);
  if (problems.length > 0) throw new NightowlError("E_USAGE", summarize(problems));
  const text = eventsToText(file);
  if (file.events.length > MAX_EVENTS || Buffer.byteLength(text) > MAX_EVENTS_FILE_BYTES) throw new NightowlError("E_USAGE", `the events file would exceed ${MAX_EVENTS} events or ${MAX_EVENTS_FILE_BYTES} bytes`);
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    throw new NightowlError("E_IO", `events file ${JSON.stringify(path)} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): expected a writable file in an existing directory`, { cause: error });
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
