import { expect, test } from "bun:test";
import { zoneLabel } from "./zone-label.ts";

test.each([
  ["America/Denver", "America/Denver"],
  ["UTC", "UTC"],
  ["Etc/GMT+7", "UTC−7 (Etc/GMT+7)"],
  ["Etc/GMT-10", "UTC+10 (Etc/GMT-10)"],
  ["Etc/GMT", "Etc/GMT"],
])("%s is told as %s", (zone, label) => {
  expect(zoneLabel(zone)).toBe(label);
});
