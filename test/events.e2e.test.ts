/**
 * The owner's events through the real program: `events add|list|remove` round trip, bad input
 * (one line, exit 2, the file untouched), and the effect on `score` over simulator history —
 * an `expected` window over an injected draw turns its alarms off and says which event did.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventIndex, LEFT_OUT_OF_TRAINING } from "../src/events/covering.ts";
import type { OwnerEvent } from "../src/events/events-file.ts";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";
import { runCli } from "./cli-process.ts";

const DAY = 86_400_000;
// Devices' ids have the portal's UUID shape: events add refuses others before run has listed the devices.
const D1 = "00000000-0000-4000-8000-0000000000d1";
const D2 = "00000000-0000-4000-8000-0000000000d2";
const D9 = "00000000-0000-4000-8000-0000000000d9";
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4);
const SCORED_FROM = T0 + 4 * DAY;
const SCORED_TO = SCORED_FROM + DAY;
const DRAW_START = SCORED_FROM + 10 * HOUR;
const DRAW_END = DRAW_START + 3 * HOUR;
const dir = mkdtempSync(join(tmpdir(), "nightowl-events-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("add, list and remove round-trip through the state folder, times read in the zone", async () => {
  const env = { NIGHTOWL_STATE_DIR: join(dir, "state"), NIGHTOWL_TIMEZONE: "America/Denver" };
  const added = await runCli(["events", "add", "--device-id", D1, "--kind", "expected", "--start", "2026-07-04 08:00", "--end", "2026-07-04 16:00", "--note", "pool fill"], env);
  expect(added.stderr).toBe("");
  // Told back on the clock it was typed on, with the zone's name; the file keeps ISO UTC.
  // ... and names the file it wrote, in full.
  const file = join(dir, "state", "events.json");
  // No devices.json yet (run has not polled with this state folder): the id is taken, and the
  // answer says it could not be checked.
  expect(added.stdout).toBe(`added expected-1 to ${file}: expected for device ${D1}, 2026-07-04 08:00 MDT .. 2026-07-04 16:00 MDT (device id not checked: ${join(dir, "state", "devices.json")}, the devices run last polled, is not there yet)\n`);
  expect((await runCli(["events", "add", "--device-id", D2, "--kind", "away", "--start", "2026-07-04T00:00:00Z", "--end", "2026-07-11T00:00:00Z"], env)).code).toBe(0);
  const listed = await runCli(["events", "list", "--device-id", D1, "--json"], env);
  expect(JSON.parse(listed.stdout)).toEqual([{ id: "expected-1", device_id: D1, kind: "expected", start: "2026-07-04T14:00:00.000Z", end: "2026-07-04T22:00:00.000Z", note: "pool fill" }]);
  const table = await runCli(["events", "list"], env);
  expect(table.stdout.split("\n")[0]).toBe(`events in ${file}:`);
  expect(table.stdout.split("\n").slice(2, 4)).toEqual([
    `expected-1\t${D1}\texpected\t2026-07-04 08:00 MDT\t2026-07-04 16:00 MDT\tpool fill`,
    `away-1\t${D2}\taway\t2026-07-03 18:00 MDT\t2026-07-10 18:00 MDT\t`,
  ]);
  expect((await runCli(["events", "remove", "expected-1"], env)).stdout).toBe(`removed expected-1 from ${file}\n`);
  expect((await runCli(["events", "list", "--device-id", D1], env)).stdout).toBe(`no events in ${file}\n`);
  const rest = JSON.parse(readFileSync(join(dir, "state", "events.json"), "utf8"));
  expect(rest.events.map((e: { id: string }) => e.id)).toEqual(["away-1"]);
});

const BASE = ["events", "add", "--device-id", D1, "--kind", "away", "--start", "2026-07-04T08:00:00Z", "--end", "2026-07-05T08:00:00Z"];
const cases: Array<[string, string[], RegExp]> = [
  ["unknown kind", ["events", "add", "--device-id", D1, "--kind", "party", "--start", "2026-08-01 08:00", "--end", "2026-08-01 09:00"], /--kind "party" is not allowed: expected one of expected, away, maintenance, leak/],
  ["end before start", ["events", "add", "--device-id", D1, "--kind", "away", "--start", "2026-08-02 08:00", "--end", "2026-08-01 08:00"], /end 2026-08-01 08:00 UTC is not after start 2026-08-02 08:00 UTC/],
  ["overlap with an event of the device", ["events", "add", "--device-id", D1, "--kind", "expected", "--start", "2026-07-04 12:00", "--end", "2026-07-04 13:00"], /\(2026-07-04 12:00 UTC \.\. 2026-07-04 13:00 UTC\) overlaps event away-1 \(2026-07-04 08:00 UTC \.\. 2026-07-05 08:00 UTC\)/],
  ["not a time", ["events", "add", "--device-id", D1, "--kind", "away", "--start", "next tuesday", "--end", "2026-08-01 08:00"], /--start "next tuesday" is not a time/],
  ["taken id", ["events", "add", "--id", "away-1", "--device-id", D9, "--kind", "away", "--start", "2026-08-01 08:00", "--end", "2026-08-02 08:00"], /event away-1: the id is used twice/],
  ["bad id", ["events", "add", "--id", "bad id!", "--device-id", D9, "--kind", "away", "--start", "2026-08-01 08:00", "--end", "2026-08-02 08:00"], /^nightowl: --id "bad id!" is not allowed: expected an id of letters/],
  ["a time before 2000", ["events", "add", "--device-id", D9, "--kind", "away", "--start", "1999-01-01", "--end", "1999-01-02"], /^nightowl: --start "1999-01-01" is not allowed: expected a time between the years 2000 and 2200\n$/],
  ["a note with an escape", ["events", "add", "--device-id", D9, "--kind", "away", "--start", "2026-08-01 08:00", "--end", "2026-08-02 08:00", "--note", "a\u001b[2Jb"], /^nightowl: --note "a\\u001b\[2Jb" is not allowed: expected a note without control characters\n$/],
  ["a wall time the spring change skips", ["events", "add", "--device-id", D1, "--kind", "away", "--start", "2026-03-08 02:15", "--end", "2026-03-08 02:45", "--timezone", "America/Denver"], /^nightowl: --start "2026-03-08 02:15" does not exist in America\/Denver: the clocks skip 60 minutes there that day \(a daylight-saving change\); expected a time before or after the gap\n$/],
  ["a device's name for its id, before run listed the devices", ["events", "add", "--device-id", "3967997", "--kind", "away", "--start", "2026-08-01 08:00", "--end", "2026-08-02 08:00"], /^nightowl: --device-id "3967997" is not allowed: expected the device's id, a UUID as the portal gives it .*; --any-device adds it anyway\n$/],
  ["remove of an unknown id", ["events", "remove", "nope"], /no event "nope"/],
];

test.each(cases)("%s: one line, exit 2, nothing written", async (_name, args, message) => {
  const state = mkdtempSync(join(dir, "bad-"));
  const env = { NIGHTOWL_STATE_DIR: state, NIGHTOWL_TIMEZONE: "UTC" };
  expect((await runCli(BASE, env)).code).toBe(0);
  const before = readFileSync(join(state, "events.json"), "utf8");
  const r = await runCli(args, env);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(readFileSync(join(state, "events.json"), "utf8")).toBe(before);
});

test("--events FILE in a folder that does not exist is refused, the folder not created; the state folder is", async () => {
  const state = join(mkdtempSync(join(dir, "missing-")), "state");
  const missing = join(dir, "no-such-folder", "deeper");
  const args = ["events", "add", "--device-id", D1, "--kind", "away", "--start", "2026-08-01 08:00", "--end", "2026-08-02 08:00", "--any-device"];
  const r = await runCli([...args, "--events", join(missing, "ev.json")], { NIGHTOWL_STATE_DIR: state });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`nightowl: --events ${JSON.stringify(join(missing, "ev.json"))}: the folder ${JSON.stringify(missing)} does not exist: expected a file in an existing folder (only NIGHTOWL_STATE_DIR is created)\n`);
  expect(existsSync(join(dir, "no-such-folder"))).toBe(false);
  expect((await runCli(args, { NIGHTOWL_STATE_DIR: state })).code).toBe(0);
  expect(existsSync(join(state, "events.json"))).toBe(true);
});

test("with the devices run last polled in the state folder, an unknown device id is refused (a name is pointed at its id); --any-device adds it", async () => {
  const state = mkdtempSync(join(dir, "known-"));
  const env = { NIGHTOWL_STATE_DIR: state, NIGHTOWL_TIMEZONE: "UTC" };
  const add = (...more: string[]) => runCli(["events", "add", "--kind", "away", "--start", "2026-08-01 08:00", "--end", "2026-08-02 08:00", ...more], env);
  // No list yet (run has not written one): nothing to check against.
  expect((await add("--device-id", "00000000-0000-4000-8000-00000000abcd", "--id", "first")).code).toBe(0);
  writeFileSync(join(state, "devices.json"), JSON.stringify({ version: 1, saved_at: "2026-07-04T00:00:00.000Z", devices: [{ id: "6f1c", name: "3701155" }, { id: "9a2b", name: "Barn" }] }));
  const before = readFileSync(join(state, "events.json"), "utf8");
  const unknown = await add("--device-id", "6f1d");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(unknown.stderr).toContain('device "6f1d" is not one of the 2 devices run last polled');
  expect(unknown.stderr).toContain("expected one of 6f1c (3701155), 9a2b (Barn); --any-device adds it anyway");
  expect((await add("--device-id", "Barn")).stderr).toContain("that is the name of device 9a2b; give its id");
  expect(readFileSync(join(state, "events.json"), "utf8")).toBe(before);
  const known = await add("--device-id", "9a2b");
  expect(known.code).toBe(0);
  expect(known.stdout).not.toContain("not checked");
  expect((await add("--device-id", "6f1d", "--any-device")).code).toBe(0);
});

test("a broken events file given to score is one line naming the problem", async () => {
  const bad = join(dir, "bad-events.json");
  writeFileSync(bad, JSON.stringify({ version: 1, events: [{ id: "a", device_id: "d", kind: "pool", start: 0, end: 1 }] }));
  const r = await runCli(["score", "--from-file", join(dir, "missing.csv"), "--events", bad]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/events\.0\.kind: one of expected, away, maintenance, leak/);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
});

test("score refuses overlapping events naming their times on the sites' clock, as events add does", async () => {
  const overlapping = join(dir, "overlapping-events.json");
  writeFileSync(overlapping, JSON.stringify({ version: 1, events: [
    { id: "a", device_id: "d", kind: "away", start: Date.UTC(2026, 6, 4, 14), end: Date.UTC(2026, 6, 5, 14) },
    { id: "b", device_id: "d", kind: "expected", start: Date.UTC(2026, 6, 4, 15), end: Date.UTC(2026, 6, 4, 16) },
  ] }));
  const r = await runCli(["score", "--from-file", join(dir, "missing.csv"), "--events", overlapping], { NIGHTOWL_TIMEZONE: "America/Denver" });
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain("(2026-07-04 09:00 MDT .. 2026-07-04 10:00 MDT) overlaps event a (2026-07-04 08:00 MDT .. 2026-07-05 08:00 MDT)");
});

test("maintenance and leak windows are left out of training; expected and away are kept", () => {
  const frame = simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 2 * DAY });
  const id = frame.deviceId;
  const ev = (kind: OwnerEvent["kind"], from: number, hours: number): OwnerEvent => ({ id: `${kind}-${from}`, device_id: id, kind, start: T0 + from * HOUR, end: T0 + (from + hours) * HOUR });
  const events = [ev("maintenance", 30, 2), ev("leak", 36, 3), ev("expected", 40, 4), ev("away", 20, 5)];
  const index = new EventIndex(events);
  const options = { userLabel: "e2e", source: "simulated", nEstimators: 10 };
  const all = trainLeakModel([frame], options).summary.samples;
  const kept = trainLeakModel([frame], { ...options, leaveOut: (d, t) => index.covers(d, t, LEFT_OUT_OF_TRAINING) }).summary.samples;
  // One feature row a minute once the windows fill: the 5 hours of maintenance and leak go.
  expect(all - kept).toBeGreaterThan(5 * 60 * 0.9);
  expect(all - kept).toBeLessThanOrEqual(5 * 60);
}, 60_000);

describe_score();

function describe_score() {
  const device = deviceSpec(42, 0, 0);
  beforeAll(async () => {
    const train = [simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: SCORED_FROM })];
    writeFileSync(join(dir, "model.json"), trainLeakModel(train, { userLabel: "e2e", source: "simulated", nEstimators: 50 }).text);
    // A bounded big draw — what a pool fill looks like to the meter.
    const scenarios = [{ deviceId: device.id, kind: "burst" as const, startMs: DRAW_START, endMs: DRAW_END, size: 6 }];
    await writeHistoryCsv(join(dir, "scored.csv"), [simulateHistory({ seed: 42, device: 0, startMs: SCORED_FROM, endMs: SCORED_TO, scenarios })]);
    const events = { version: 1, events: [{ id: "pool-fill", device_id: device.id, kind: "expected", start: DRAW_START - HOUR, end: DRAW_END + 2 * HOUR, note: "fill the pool" }] };
    writeFileSync(join(dir, "events.json"), JSON.stringify(events));
  });

  type Row = { timestamp: number; is_anomaly: number; rules: string[]; silenced_by: { id: string; kind: string } | null; sharpened_by: unknown };
  const score = async (extra: string[]): Promise<Row[]> => {
    const r = await runCli(["score", "--from-file", join(dir, "scored.csv"), "--model-path", join(dir, "model.json"), "--format", "json", "--log-level", "error", ...extra]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  test("an expected window over an injected draw silences its alarms and names the event; without the file they alarm", async () => {
    expect(existsSync(join(dir, "scored.csv"))).toBe(true);
    const bare = await score([]);
    const told = await score(["--events", join(dir, "events.json")]);
    expect(told.length).toBe(bare.length);
    const inside = (r: Row) => r.timestamp >= DRAW_START - HOUR && r.timestamp < DRAW_END + 2 * HOUR;
    const alarmedInside = bare.filter((r) => inside(r) && r.is_anomaly === 1);
    expect(alarmedInside.length).toBeGreaterThan(10);
    const byTs = new Map(told.map((r) => [r.timestamp, r]));
    for (const r of alarmedInside) expect(byTs.get(r.timestamp)).toMatchObject({ is_anomaly: 0, silenced_by: { id: "pool-fill", kind: "expected" } });
    expect(told.filter(inside).every((r) => r.is_anomaly === 0)).toBe(true);
    // Booked under the device's name instead of its id, the event applies to nothing: said in one warning.
    const named = join(dir, "events-by-name.json");
    writeFileSync(named, JSON.stringify({ version: 1, events: [{ id: "pool-fill", device_id: device.name, kind: "expected", start: DRAW_START - HOUR, end: DRAW_END + 2 * HOUR }] }));
    const r = await runCli(["score", "--from-file", join(dir, "scored.csv"), "--model-path", join(dir, "model.json"), "--format", "csv", "--log-level", "warn", "--events", named]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`event pool-fill names device "${device.name}", the name of device ${device.id}: events apply by id`);
    // Outside the window the file changes nothing, and no row is marked that was not alarmed.
    bare.forEach((r, i) => {
      if (!inside(r)) expect(told[i]).toEqual(r);
      if (r.is_anomaly === 0) expect(told[i]!.silenced_by).toBeNull();
    });
  }, 60_000);
}

test("the state folder is the working directory's (NIGHTOWL_STATE_DIR=state): add names the full path it wrote", async () => {
  const added = await runCli(["events", "add", "--device-id", D1, "--kind", "away", "--start", "2026-08-01", "--end", "2026-08-02"], { NIGHTOWL_TIMEZONE: "UTC" });
  expect(added.code).toBe(0);
  const path = /^added away-1 to (\/\S+\/state\/events\.json): away for device 00000000-0000-4000-8000-0000000000d1, /.exec(added.stdout)?.[1];
  expect(path).toBeDefined();
  expect(JSON.parse(readFileSync(path!, "utf8")).events.map((e: { id: string }) => e.id)).toEqual(["away-1"]);
});
