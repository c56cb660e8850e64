import { expect, test } from "bun:test";
import type { DeviceVerdict } from "../status/source.ts";
import { body, request, type EpisodeEvent } from "./message.ts";
import type { NotifyTarget } from "./target.ts";

const device: DeviceVerdict = { id: "d1", name: "Well 1", customer: "Dan Gorman", userLabel: "dgorman", level: "leak", alarms: new Set(["leak"]), leakProbability: Number.NaN, readingAt: 0 };
const started = (atMs: number, timeZone: string): EpisodeEvent => ({ event: "started", alarm: "leak", device, sentence: "Night flow: flow all night", atMs, timeZone });

test.each([
  ["UTC", Date.UTC(2026, 0, 5, 3, 0), "since 2026-01-05 03:00 UTC"],
  ["America/Denver", Date.UTC(2026, 0, 5, 3, 0), "since 2026-01-04 20:00 MST"],
  ["America/Denver", Date.UTC(2026, 6, 5, 3, 0), "since 2026-07-04 21:00 MDT"],
  ["Etc/GMT+7", Date.UTC(2026, 6, 5, 3, 0), "since 2026-07-04 20:00 UTC−7"],
])("a message tells the time in the sites' zone (%s)", (zone, at, words) => {
  expect(body(started(at, zone))).toBe(`Well 1 (Dan Gorman) ${words}: Night flow: flow all night.`);
});

test("a reason's own question mark ends the message; no reading time is null in the JSON, not a crash", () => {
  const flapper = { ...started(Date.UTC(2026, 0, 5, 3, 0), "UTC"), sentence: "Night refills: 7 separate draws while the house sleeps — a toilet flapper refilling?" };
  expect(body(flapper)).toBe("Well 1 (Dan Gorman) since 2026-01-05 03:00 UTC: Night refills: 7 separate draws while the house sleeps — a toilet flapper refilling?");
  const json = JSON.parse(request(started(Number.NaN, "UTC"), { format: "json" } as NotifyTarget).body);
  expect(json.at).toBeNull();
  expect(json.message).toContain("since —");
});
