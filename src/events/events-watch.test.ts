import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localClock } from "../analytics/local-time.ts";
import { registerEventsMetrics } from "../metrics/events.ts";
import { createRegistry } from "../metrics/registry.ts";
import type { Logger } from "../log.ts";
import { saveEventsFile, type OwnerEvent } from "./events-file.ts";
import { createEventsWatch } from "./events-watch.ts";
import type { PollResult } from "../nightowl/poll-result.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 6, 4, 8);
const dir = mkdtempSync(join(tmpdir(), "nightowl-events-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pool: OwnerEvent = { id: "pool", device_id: "d1", kind: "expected", start: T0, end: T0 + 8 * H };
const away: OwnerEvent = { id: "hol", device_id: "d1", kind: "away", start: T0 + 24 * H, end: T0 + 48 * H };

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { lines, error: push, warn: push, info: push, debug() {} };
}

test("a missing file is no events; a change is read at the next refresh; a bad file keeps the last good events and says so once", async () => {
  const path = join(dir, "events.json");
  const log = recordingLog();
  const registry = createRegistry();
  const watch = createEventsWatch({ path, log, metrics: registerEventsMetrics(registry) });
  expect(watch.forVerdict("d1", T0)).toBeUndefined();
  expect(log.lines).toEqual([]);

  saveEventsFile(path, { version: 1, events: [pool] });
  watch.refresh();
  expect(watch.forVerdict("d1", T0 + H)?.id).toBe("pool");
  expect(watch.forVerdict("d2", T0 + H)).toBeUndefined();
  expect(log.lines).toEqual([`events file ${path} read: 1 event in force`]);

  saveEventsFile(path, { version: 1, events: [pool, away] });
  watch.refresh();
  expect(watch.of("d1").map((e) => e.id)).toEqual(["pool", "hol"]);
  expect(log.lines.at(-1)).toBe(`events file ${path} read: 2 events in force`);

  writeFileSync(path, '{"version": 1, "events": [{"id": "x"');
  watch.refresh();
  watch.refresh();
  expect(watch.valid()).toBe(false);
  expect(watch.forVerdict("d1", T0 + H)?.id).toBe("pool");
  const warnings = log.lines.filter((l) => l.includes("last good events"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain("is not JSON");
  expect(await registry.metrics()).toContain("nightowl_events_file_valid 0");
  expect(await registry.metrics()).toContain("nightowl_events_loaded 2");

  saveEventsFile(path, { version: 1, events: [away] });
  await watch.observe({ ok: true, devices: [], startedAt: 0, durationMs: 0 });
  expect(watch.valid()).toBe(true);
  expect(watch.forVerdict("d1", T0 + H)).toBeUndefined();
  expect(await registry.metrics()).toContain("nightowl_events_file_valid 1");

  rmSync(path);
  watch.refresh();
  expect(watch.of("d1")).toEqual([]);
});

test("nothing is read, nor logged, before the first refresh: run reads the file after its first login", () => {
  const path = join(dir, "before-login.json");
  saveEventsFile(path, { version: 1, events: [pool] });
  const log = recordingLog();
  const watch = createEventsWatch({ path, log });
  expect(log.lines).toEqual([]);
  watch.refresh();
  expect(log.lines).toEqual([`events file ${path} read: 1 event in force`]);
  expect(watch.forVerdict("d1", T0 + H)?.id).toBe("pool");
});

test("a file whose events overlap is told on the sites' clock when run gives one", () => {
  const path = join(dir, "overlap.json");
  writeFileSync(path, JSON.stringify({ version: 1, events: [{ ...pool, start: new Date(T0).toISOString(), end: new Date(T0 + 8 * H).toISOString() }, { ...pool, id: "again", start: new Date(T0 + H).toISOString(), end: new Date(T0 + 2 * H).toISOString() }] }));
  const log = recordingLog();
  const watch = createEventsWatch({ path, log, at: (ms) => localClock("America/Denver").stamp(ms, true) });
  watch.refresh();
  expect(watch.valid()).toBe(false);
  expect(log.lines).toEqual([expect.stringContaining("event again (2026-07-04 03:00 MDT .. 2026-07-04 04:00 MDT) overlaps event pool (2026-07-04 02:00 MDT .. 2026-07-04 10:00 MDT)")]);
});

test("an event booked under a polled device's name is warned of once per version of the file, at the first good poll", async () => {
  const path = join(dir, "named.json");
  const log = recordingLog();
  saveEventsFile(path, { version: 1, events: [{ ...pool, device_id: "3967997" }] });
  const watch = createEventsWatch({ path, log });
  const device = { id: "fbd7d4c1-c427-11ee-b9dd-c77aca6dc052", name: "3967997" } as DeviceSnapshot;
  const poll = (ok: boolean): PollResult => (ok ? { ok, devices: [device], startedAt: T0, durationMs: 1 } : { ok, error: new Error("down"), startedAt: T0, durationMs: 1 });
  watch.refresh();
  log.lines.length = 0;
  await watch.observe(poll(false));
  expect(log.lines).toEqual([]);
  await watch.observe(poll(true));
  await watch.observe(poll(true));
  expect(log.lines).toEqual([`events file ${path}: event pool names device "3967997", the name of device ${device.id}: events apply by id, so it applies to no device; give the id`]);
  saveEventsFile(path, { version: 1, events: [{ ...pool, device_id: device.id }] });
  await watch.observe(poll(true));
  expect(log.lines.filter((l) => l.includes("names device"))).toHaveLength(1);
});
