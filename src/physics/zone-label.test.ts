import { expect, test } from "bun:test";
import { shortZoneName, zoneLabel } from "./zone-label.ts";

test.each([
  ["America/Denver", "America/Denver"],
  ["UTC", "UTC"],
  ["Etc/GMT+7", "UTC−7 (Etc/GMT+7)"],
  ["Etc/GMT-10", "UTC+10 (Etc/GMT-10)"],
  ["Etc/GMT", "Etc/GMT"],
])("%s is told as %s", (zone, label) => {
  expect(zoneLabel(zone)).toBe(label);
});

test.each([
  ["GMT-7", "UTC−7"],
  ["GMT+5:30", "UTC+5:30"],
  ["GMT", "GMT"],
  ["MST", "MST"],
  ["UTC", "UTC"],
])("Intl's short name %s is told as %s, as zoneLabel tells offsets", (name, told) => {
  expect(shortZoneName(name)).toBe(told);
});
