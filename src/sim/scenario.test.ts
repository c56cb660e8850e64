import { expect, test } from "bun:test";
import { isNightowlError } from "../errors.ts";
import { parseScenarioArg, parseSimTime, resolveScenario, resolveScenarioArg, truthCsv } from "./scenario.ts";

const NOW = Date.UTC(2026, 0, 10, 12);

test.each([
  ["leak:0", { kind: "leak", device: "0", start: "now", end: "", size: undefined }],
  ["leak:0:-2d::0.8", { kind: "leak", device: "0", start: "-2d", end: "", size: 0.8 }],
  ["burst:3701155:2026-01-05T03:00Z:+2h:12", { kind: "burst", device: "3701155", start: "2026-01-05T03:00Z", end: "+2h", size: 12 }],
  ["gap:2:2026-01-05T03:00:00Z:2026-01-05T04:30:00Z", { kind: "gap", device: "2", start: "2026-01-05T03:00:00Z", end: "2026-01-05T04:30:00Z", size: undefined }],
])("parses --scenario %s", (text, expected) => {
  expect(parseScenarioArg(text)).toEqual(expected as never);
});

test.each(["flood:0", "leak", "leak:0:-1d::big"])("rejects --scenario %s with a usage error naming it", (text) => {
  try {
    parseScenarioArg(text);
    throw new Error("no error");
  } catch (error) {
    expect(isNightowlError(error, "E_USAGE")).toBe(true);
    expect((error as Error).message).toContain(`--scenario "${text}"`);
  }
});

test("times: now, offsets (END's + counts from START), epoch ms, ISO", () => {
  expect(parseSimTime("now", NOW, "start")).toBe(NOW);
  expect(parseSimTime("-2d", NOW, "start")).toBe(NOW - 2 * 86_400_000);
  expect(parseSimTime("+90m", NOW, "end", NOW - 3_600_000)).toBe(NOW + 1_800_000);
  expect(parseSimTime("1767225600000", NOW, "start")).toBe(1767225600000);
  expect(parseSimTime("2026-01-05T03:00Z", NOW, "start")).toBe(Date.UTC(2026, 0, 5, 3));
  expect(() => parseSimTime("yesterday", NOW, "start")).toThrow('--scenario start "yesterday"');
});

test("resolves devices by index, name or id", () => {
  const devices = [{ id: "id-a", name: "3700001" }, { id: "id-b", name: "3700002" }];
  expect(resolveScenarioArg(parseScenarioArg("leak:1:-1h"), devices, NOW)).toEqual({ deviceId: "id-b", kind: "leak", startMs: NOW - 3_600_000, endMs: undefined, size: undefined });
  expect(resolveScenarioArg(parseScenarioArg("gap:3700001:-2h:+1h"), devices, NOW).endMs).toBe(NOW - 3_600_000);
  expect(resolveScenarioArg(parseScenarioArg("gap:id-b"), devices, NOW).deviceId).toBe("id-b");
  expect(() => resolveScenarioArg(parseScenarioArg("gap:7"), devices, NOW)).toThrow('no device "7"');
});

test("defaults sizes and validates them", () => {
  expect(resolveScenario({ deviceId: "d", kind: "leak", startMs: 1 })).toEqual({ deviceId: "d", kind: "leak", startMs: 1, endMs: null, size: 0.5 });
  expect(resolveScenario({ deviceId: "d", kind: "gap", startMs: 1, endMs: 2, size: 3 }).size).toBeNull();
  expect(() => resolveScenario({ deviceId: "d", kind: "burst", startMs: 1, size: 2 })).toThrow("a burst is at least 5");
  expect(() => resolveScenario({ deviceId: "d", kind: "leak", startMs: 5, endMs: 5 })).toThrow("must be after start");
  expect(() => resolveScenario({ deviceId: "d", kind: "dry_run", startMs: 1, size: 2 })).toThrow("fraction");
  expect(() => resolveScenario({ deviceId: "d", kind: "flood", startMs: 1 })).toThrow("scenario kind");
});

test("truth CSV", () => {
  expect(truthCsv([
    { deviceId: "a", kind: "leak", startMs: 10, endMs: null, size: 0.5 },
    { deviceId: "b", kind: "gap", startMs: 20, endMs: 30, size: null },
  ])).toBe("device_id,kind,start_ms,end_ms,size\na,leak,10,,0.5\nb,gap,20,30,\n");
});
