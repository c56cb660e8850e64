import { expect, test } from "bun:test";
import { fatalLine } from "./log.ts";

test("a failure's last line: one escaped line for a person, one JSON object for a JSON log", () => {
  expect(fatalLine("device \"a\nb\" failed", "text")).toBe('nightowl: device "a\\nb" failed\n');
  const json = fatalLine("device \"a\nb\" failed", "json");
  expect(json.endsWith("\n")).toBe(true);
  expect(json.trimEnd().includes("\n")).toBe(false);
  expect(JSON.parse(json)).toMatchObject({ level: "fatal", msg: 'device "a\nb" failed' });
});
