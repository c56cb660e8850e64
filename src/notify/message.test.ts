import { expect, test } from "bun:test";
import type { DeviceVerdict } from "../status/source.ts";
import { body, type EpisodeEvent } from "./message.ts";

const device: DeviceVerdict = { id: "d1", name: "Well 1", customer: "Dan Gorman", userLabel: "dgorman", level: "leak", alarms: new Set(["leak"]), leakProbability: Number.NaN, readingAt: 0 };
const started = (atMs: number, timeZone: string): EpisodeEvent => ({ event: "started", alarm: "leak", device, sentence: "Night flow: flow all night", atMs, timeZone });

test.each([
  ["UTC", Date.UTC(2026, 0, 5, 3, 0), "since 2026-01-05 03:00 UTC"],
  ["America/Denver", Date.UTC(2026, 0, 5, 3, 0), "since 2026-01-04 20:00 MST"],
  ["America/Denver", Date.UTC(2026, 6, 5, 3, 0), "since 2026-07-04 21:00 MDT"],
  ["Etc/GMT+7", Date.UTC(2026, 6, 5, 3, 0), "since 2026-07-04 20:00 GMT-7"],
])("a message tells the time in the sites' zone (%s)", (zone, at, words) => {
  expect(body(started(at, zone))).toBe(`Well 1 (Dan Gorman) ${words}: Night flow: flow all night.`);
});
