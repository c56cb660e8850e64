import { describe, expect, test } from "bun:test";
import type { Config } from "../config.ts";
import type { Logger, LogLevel } from "../log.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollResult } from "../nightowl/poll-result.ts";
import type { DeviceStatus, StatusSource } from "../status/source.ts";
import type { Level } from "../status/verdict.ts";
import { DEVICE_LINES_MAX, deviceLinesObserver, levelCounts } from "./device-lines.ts";

const CONFIG = { summaryKeys: ["S1"], timeseriesKeys: ["S1"], attributeKeys: [] } as unknown as Config;

function device(i: number): DeviceSnapshot {
  return { id: `id-${i}`, name: `dev-${i}`, type: "well", userLabel: "owner", telemetry: { S1: { ts: 1_000, value: 50 } }, attributes: {} };
}

function status(i: number, level: Level): DeviceStatus {
  return {
    id: `id-${i}`, name: `dev-${i}`, customer: "Owner", userLabel: "owner", level, alarms: new Set(), leakProbability: Number.NaN, readingAt: 1_000,
    reasons: level === "fine" ? [] : [{ rule: "night_flow", sentence: "flow at night", sinceMs: 0 }],
    pressurePsi: 50, tankPercent: Number.NaN, pumps: [], todayGallons: 100, lastNightMinGpm: 0, series: { pressure: [], leakProbability: [] }, fromMs: 0, toMs: 1_000,
  };
}

/** A status source whose levels the test sets, counting full-status builds. */
function source(levels: Level[]): StatusSource & { levels: Level[]; built: number } {
  const s = {
    levels,
    built: 0,
    verdicts: () => s.levels.map((l, i) => status(i, l)),
    reasons: () => [],
    statuses: (_span: number, onlyId?: string) => {
      const all = s.levels.map((l, i) => status(i, l)).filter((x) => onlyId === undefined || x.id === onlyId);
      s.built += all.length;
      return all;
    },
    lastPollAt: () => 0,
    deviceIds: () => s.levels.map((_, i) => `id-${i}`),
    deviceVerdict: (id: string) => s.verdicts().find((v) => v.id === id),
    deviceStatus: (id: string, span: number) => s.statuses(span, id)[0],
  };
  return s;
}

function logger(level: LogLevel): Logger & { lines: string[] } {
  const order: LogLevel[] = ["error", "warn", "info", "debug"];
  const lines: string[] = [];
  const at = (l: LogLevel) => (m: string) => {
    if (order.indexOf(l) <= order.indexOf(level)) lines.push(`${l} ${m}`);
  };
  return { lines, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug"), enabled: (l) => order.indexOf(l) <= order.indexOf(level) };
}

const poll = (n: number): PollResult => ({ ok: true, devices: Array.from({ length: n }, (_, i) => device(i)), startedAt: 0, durationMs: 812.4 });

describe("a small site", () => {
  test("logs a line per device every poll, and the full report when first seen or the verdict changes", () => {
    const levels: Level[] = ["fine", "fine", "leak"];
    const src = source(levels);
    const log = logger("info");
    const observer = deviceLinesObserver(CONFIG, log, src, false);
    observer.observe(poll(3));
    expect(log.lines.filter((l) => l.startsWith("info Device: "))).toEqual(["info Device: dev-0 (id-0)", "info Device: dev-1 (id-1)", "info Device: dev-2 (id-2)"]);
    expect(log.lines.filter((l) => l.includes("psi"))).toHaveLength(3);
    expect(log.lines.at(-1)).toBe("info Polled 3 device(s) in 812 ms");
    log.lines.length = 0;
    src.levels = ["fine", "watch", "leak"];
    observer.observe(poll(3));
    expect(log.lines.filter((l) => l.includes("psi"))).toEqual([
      "info dev-0 (Owner): pressure 50.0 psi · today 100 gal · fine",
      "info dev-1 (Owner): pressure 50.0 psi · today 100 gal · watch: night_flow",
      "info dev-2 (Owner): pressure 50.0 psi · today 100 gal · possible leak: night_flow",
    ]);
    // Only dev-1's verdict changed: its full report comes again, the others' do not.
    expect(log.lines.filter((l) => l.startsWith("info Device: "))).toEqual(["info Device: dev-1 (id-1)"]);
  });
});

describe(`a fleet (more than ${DEVICE_LINES_MAX} devices)`, () => {
  const n = DEVICE_LINES_MAX + 10;

  test("logs one summary line per poll, with a line for each device that is not fine when first seen or whose verdict changed", async () => {
    const src = source(Array.from({ length: n }, (_, i): Level => (i === 7 ? "leak" : "fine")));
    const log = logger("info");
    const observer = deviceLinesObserver(CONFIG, log, src, false);
    await observer.observe(poll(n));
    expect(log.lines).toEqual([
      "info dev-7 (Owner): pressure 50.0 psi · today 100 gal · possible leak: night_flow",
      `info Polled ${n} device(s) in 812 ms: ${n - 1} fine, 1 possible leak`,
    ]);
    // Only the device shown is given its full status: the others' verdicts are enough.
    expect(src.built).toBe(1);
    log.lines.length = 0;
    await observer.observe(poll(n));
    expect(log.lines).toEqual([`info Polled ${n} device(s) in 812 ms: ${n - 1} fine, 1 possible leak`]);
    log.lines.length = 0;
    src.levels[3] = "watch";
    src.levels[7] = "fine";
    await observer.observe(poll(n));
    expect(log.lines).toEqual([
      "info dev-3 (Owner): pressure 50.0 psi · today 100 gal · watch: night_flow",
      "info dev-7 (Owner): pressure 50.0 psi · today 100 gal · fine",
      `info Polled ${n} device(s) in 812 ms: ${n - 1} fine, 1 watch`,
    ]);
  });

  test("keeps every device's line and first report at debug level", async () => {
    const src = source(Array.from({ length: n }, (): Level => "fine"));
    const log = logger("debug");
    const observer = deviceLinesObserver(CONFIG, log, src, false);
    await observer.observe(poll(n));
    await observer.observe(poll(n));
    const lines = log.lines.filter((l) => l.startsWith("debug") && l.includes("psi"));
    expect(lines).toHaveLength(2 * n);
    // The full report once, when each device is first seen.
    expect(log.lines.filter((l) => l.startsWith("debug Device: "))).toHaveLength(n);
    expect(lines[0]).toBe("debug dev-0 (Owner): pressure 50.0 psi · today 100 gal · fine");
    expect(log.lines.filter((l) => l.startsWith("info"))).toEqual([`info Polled ${n} device(s) in 812 ms: ${n} fine`, `info Polled ${n} device(s) in 812 ms: ${n} fine`]);
  });

  test("--verbose keeps a line per device at info", async () => {
    const src = source(Array.from({ length: n }, (): Level => "fine"));
    const log = logger("info");
    await deviceLinesObserver(CONFIG, log, src, true).observe(poll(n));
    expect(log.lines.filter((l) => l.startsWith("info") && l.includes("psi"))).toHaveLength(n);
    expect(log.lines.at(-1)).toBe(`info Polled ${n} device(s) in 812 ms`);
  });
});

test("levelCounts names the levels present, in the page's order", () => {
  expect(levelCounts(["leak", "fine", "fine", "pump", "fine"])).toBe("3 fine, 1 possible leak, 1 pump fault");
  expect(levelCounts(Array.from({ length: 1987 }, (): Level => "fine"))).toBe("1,987 fine");
  expect(levelCounts([])).toBe("");
});
