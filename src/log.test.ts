import { expect, test } from "bun:test";
import { expectLogFormat, fatalLine } from "./log.ts";

test("a failure's last line: one escaped line for a person, one JSON object for a JSON log", () => {
  expect(fatalLine("device \"a\nb\" failed", "text")).toBe('nightowl: device "a\\nb" failed\n');
  const json = fatalLine("device \"a\nb\" failed", "json");
  expect(json.endsWith("\n")).toBe(true);
  expect(json.trimEnd().includes("\n")).toBe(false);
  expect(JSON.parse(json)).toMatchObject({ level: "fatal", msg: 'device "a\nb" failed' });
});

test.each<[string[], Record<string, string>, string]>([
  [["run", "--log-format", "json"], {}, "json"],
  [["run", "--log-format=json"], {}, "json"],
  [["run"], { NIGHTOWL_LOG_FORMAT: "json" }, "json"],
  [["run", "--log-format", "text"], { NIGHTOWL_LOG_FORMAT: "json" }, "text"],
  [["run"], {}, "text"],
])("before any setting is read, %p with %p asks for %s, and a failure's line follows it", (argv, env, format) => {
  expect(expectLogFormat(argv, env) as string).toBe(format);
  expect(fatalLine("x").startsWith(format === "json" ? "{" : "nightowl: x")).toBe(true);
  expectLogFormat([], {});
});
