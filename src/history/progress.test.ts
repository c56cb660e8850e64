import { expect, test } from "bun:test";
import type { FetchProgress } from "./fetch-run.ts";
import { createProgressReporter, duration, progressLine } from "./progress.ts";

const event = (over: Partial<FetchProgress>): FetchProgress => ({
  kind: "window", devicesDone: 1, devicesTotal: 5, windowsDone: 30, windowsTotal: 65,
  points: 1_234_567, pointsThisRun: 100_000, requests: 40, resumed: false, ...over,
});

test("the progress line: devices, windows, points, rate, and ETA from this run's pace", () => {
  // 20 windows in 10 s this run (10 were done before) → 35 left take 17.5 s.
  expect(progressLine(event({}), 10_000, 10)).toBe("devices 1/5 · windows 30/65 · 1,234,567 points · 10,000 points/s · ETA 18s");
  expect(progressLine(event({ windowsDone: 65 }), 10_000, 10)).toContain("done");
  expect(progressLine(event({ windowsDone: 10 }), 10_000, 10)).toContain("ETA ?");
});

test.each([[45, "45s"], [185, "3m 05s"], [7800, "2h 10m"]])("duration(%p) = %p", (s, text) => {
  expect(duration(s)).toBe(text);
});

test("off a terminal one log line per finished device, on a terminal a redrawn line, quiet nothing", () => {
  const logged: string[] = [];
  const log = { error() {}, warn() {}, debug() {}, info: (m: string) => void logged.push(m) };
  const device = { id: "d1", name: "3701155", type: "", userLabel: "dgorman", attributes: {} };
  const written: string[] = [];
  for (const mode of ["log", "tty", "quiet"] as const) {
    const reporter = createProgressReporter({ mode, write: (t) => written.push(`${mode}:${t}`), log });
    reporter.onProgress(event({ kind: "start", windowsDone: 0 }));
    reporter.onProgress(event({ kind: "window" }));
    reporter.onProgress(event({ kind: "device", device, devicePoints: 10 }));
    reporter.close();
    reporter.close();
  }
  expect(logged).toEqual(["Fetched device 3701155"]);
  expect(written.every((t) => t.startsWith("tty:"))).toBe(true);
  expect(written[0]).toStartWith("tty:\r\x1b[2Kdevices 1/5");
  expect(written.at(-1)).toBe("tty:\n");
});
