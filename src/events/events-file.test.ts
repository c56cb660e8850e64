import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AWAY_DRAWING_MINUTES, AWAY_PROBABILITY_BAR, applyEvent, EventIndex, eventsAt, SILENCE_TAIL_MS, type AlarmView } from "./covering.ts";
import { parseEventTime } from "./event-time.ts";
import { loadEventsFile, parseEventsText, saveEventsFile, type OwnerEvent } from "./events-file.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 6, 4, 8);
const ev = (id: string, device_id: string, kind: OwnerEvent["kind"], start: number, end: number): OwnerEvent => ({ id, device_id, kind, start, end });

test("round trip: epoch and offset times are read, written as ISO UTC and read back the same", () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-events-"));
  const path = join(dir, "events.json");
  const file = parseEventsText(
    JSON.stringify({ version: 1, events: [{ id: "pool", device_id: "d1", kind: "expected", start: "2026-07-04T02:00:00-06:00", end: T0 + 8 * H, note: "fill" }] }),
    "test",
  );
  expect(file.events[0]!.start).toBe(T0);
  saveEventsFile(path, file);
  const text = readFileSync(path, "utf8");
  expect(text).toContain('"start": "2026-07-04T08:00:00.000Z"');
  expect(loadEventsFile(path)).toEqual(file);
  expect(readdirSync(dir)).toEqual(["events.json"]);
});

test.each([
  [{ version: 2, events: [] }, /version: 1/],
  [{ version: 1, events: [{ id: "a", device_id: "d", kind: "party", start: T0, end: T0 + H }] }, /events\.0\.kind: one of expected, away/],
  [{ version: 1, events: [{ id: "a", device_id: "d", kind: "away", start: T0 + H, end: T0 }] }, /event a: end .* is not after start/],
  [{ version: 1, events: [{ id: "a", device_id: "d", kind: "away", start: "2026-07-04 08:00", end: T0 }] }, /events\.0\.start: a time/],
  [{ version: 1, events: [ev("a", "d", "away", T0, T0 + 2 * H), ev("b", "d", "expected", T0 + H, T0 + 3 * H)] }, /event b .* overlaps event a .* of device d/],
  [{ version: 1, events: [ev("a", "d", "away", T0, T0 + H), ev("a", "e", "away", T0, T0 + H)] }, /event a: the id is used twice/],
])("bad file %#: one line naming the problem", (doc, message) => {
  let error: Error | undefined;
  try {
    parseEventsText(JSON.stringify(doc), "f");
  } catch (e) {
    error = e as Error;
  }
  expect(error?.message).toMatch(message);
  expect(error?.message).not.toContain("\n");
});

test("events of different devices may overlap; back-to-back events of one device do not overlap", () => {
  expect(() => parseEventsText(JSON.stringify({ version: 1, events: [ev("a", "d", "away", T0, T0 + H), ev("b", "d", "away", T0 + H, T0 + 2 * H), ev("c", "e", "away", T0, T0 + H)] }), "f")).not.toThrow();
});

test("covering: start inclusive, end exclusive, per device; the index agrees with the pure function", () => {
  const events = [ev("a", "d", "expected", T0, T0 + H), ev("b", "d", "away", T0 + 2 * H, T0 + 3 * H), ev("c", "e", "leak", T0, T0 + 9 * H)];
  const index = new EventIndex(events);
  for (const t of [T0 - 1, T0, T0 + H - 1, T0 + H, T0 + 2 * H + 5, T0 + 3 * H]) {
    expect(index.at("d", t)?.id).toBe(eventsAt(events, "d", t)[0]?.id);
  }
  expect(index.at("d", T0)?.id).toBe("a");
  expect(index.at("d", T0 + H)).toBeUndefined();
  expect(index.at("x", T0)).toBeUndefined();
});

const TAIL_EVENTS = [ev("fill", "d", "expected", T0, T0 + 8 * H), ev("hol", "d", "away", T0 + 10 * H, T0 + 20 * H), ev("fix", "d", "maintenance", T0 + 30 * H, T0 + 31 * H), ev("ok", "d", "leak", T0 + 40 * H, T0 + 41 * H), ev("x", "d", "expected", T0 + 50 * H, T0 + 51 * H), ev("y", "d", "away", T0 + 51 * H + 1, T0 + 52 * H)];
test.each([
  ["inside an expected event", T0 + H, "fill"],
  ["just after an expected event: its tail", T0 + 8 * H, "fill"],
  ["the tail's last moment", T0 + 8 * H + SILENCE_TAIL_MS - 1, "fill"],
  ["past the tail", T0 + 8 * H + SILENCE_TAIL_MS, undefined],
  ["after an away week: no tail (it sharpens)", T0 + 20 * H + 1, undefined],
  ["after maintenance: its tail", T0 + 31 * H + 1, "fix"],
  ["after a confirmed leak: no tail", T0 + 41 * H + 1, undefined],
  ["an event starting in the tail takes over", T0 + 51 * H + 2, "y"],
  ["before any event", T0 - 1, undefined],
])("the event for a verdict: %s", (_, t, id) => {
  expect(new EventIndex(TAIL_EVENTS).forVerdict("d", t)?.id).toBe(id);
});

test("expected silences an alarm and says so; away raises one from a rule or the lower bar", () => {
  const alarm = { probability: 90, isAnomaly: true, rules: ["continuous_flow"] };
  expect(applyEvent(alarm, ev("pool", "d", "expected", 0, 1))).toMatchObject({ isAnomaly: false, silencedBy: { id: "pool", kind: "expected" } });
  expect(applyEvent(alarm, ev("m", "d", "leak", 0, 1))).toEqual(alarm);
  const quiet = { probability: AWAY_PROBABILITY_BAR + 1, isAnomaly: false, rules: [] };
  expect(applyEvent(quiet, ev("hol", "d", "away", 0, 1))).toMatchObject({ isAnomaly: true, probability: 50, sharpenedBy: { id: "hol", kind: "away" } });
  expect(applyEvent({ probability: 5, isAnomaly: false, rules: [] }, ev("hol", "d", "away", 0, 1)).isAnomaly).toBe(false);
  const context: AlarmView = { probability: 5, isAnomaly: false, rules: ["unusual_daily_use"] };
  expect(applyEvent(context, ev("hol", "d", "away", 0, 1)).isAnomaly).toBe(true);
});

test.each([
  { name: "a draw without a quiet spell for 45 minutes alarms while away", drawingMinutes: AWAY_DRAWING_MINUTES, event: "away", alarms: true },
  { name: "one of 44 minutes does not", drawingMinutes: AWAY_DRAWING_MINUTES - 1, event: "away", alarms: false },
  { name: "nor a verdict that does not know (an older model without the gate)", drawingMinutes: undefined, event: "away", alarms: false },
  { name: "and without the event a long draw is the verdict's business alone", drawingMinutes: 300, event: undefined, alarms: false },
] as const)("$name", ({ drawingMinutes, event, alarms }) => {
  const verdict: AlarmView = { probability: 5, isAnomaly: false, rules: [], ...(drawingMinutes === undefined ? {} : { drawingMinutes }) };
  const applied = applyEvent(verdict, event ? ev("hol", "d", event, 0, 1) : undefined);
  expect(applied.isAnomaly).toBe(alarms);
  expect(applied.sharpenedBy?.id).toBe(alarms ? "hol" : undefined);
});

test("local times are read in the zone, across a change of offset", () => {
  expect(parseEventTime("2026-07-04 02:00", "America/Denver", "--start")).toBe(T0);
  expect(parseEventTime("2026-01-04T01:00", "America/Denver", "--start")).toBe(Date.UTC(2026, 0, 4, 8));
  expect(parseEventTime("2026-07-04T08:00:00Z", "America/Denver", "--start")).toBe(T0);
  expect(parseEventTime(String(T0), "UTC", "--start")).toBe(T0);
  expect(() => parseEventTime("2026-02-30 08:00", "UTC", "--start")).toThrow(/--start "2026-02-30 08:00" is not a time/);
  expect(() => parseEventTime("tomorrow", "UTC", "--end")).toThrow(/--end/);
  // A POSIX zone's sign reads backwards: the owner is told which way it counts.
  expect(() => parseEventTime("tomorrow", "Etc/GMT+7", "--end")).toThrow(/ in UTC−7 \(Etc\/GMT\+7\)$/);
});
