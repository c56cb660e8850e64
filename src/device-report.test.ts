import { expect, test } from "bun:test";
import { deviceJson, formatDeviceReport } from "./device-report.ts";
import type { DeviceSnapshot } from "./nightowl/snapshot.ts";

const SUMMARY = ["Well_Level-1", "Level1_precent", "Pulse_TotalGallons"];
const TELEMETRY = ["S1", "S2", "Level1_precent", "P1C1", "Pulse_TotalGallons"];
const ATTRIBUTES = ["CustomerInfo", "active"];

function device(telemetry: Record<string, string | number>, attributes: Record<string, string | number> = {}): DeviceSnapshot {
  const readings = (values: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { ts: 1_700_000_000_000, value }]));
  return { id: "dev-1", name: "3701155", type: "NightOwl Flex", userLabel: "dgorman", telemetry: readings(telemetry), attributes: readings(attributes) };
}

test.each([
  {
    name: "summary with a missing key, telemetry in requested order, attributes",
    device: device({ S2: 48, S1: "52.4", Level1_precent: "63.2" }, { active: "true", CustomerInfo: "Dan Gorman" }),
    expected: [
      "Device: 3701155 (dev-1)",
      "-----------------------",
      "Summary:",
      "  Well_Level-1       : -",
      "  Level1_precent     : 63.2",
      "  Pulse_TotalGallons : -",
      "",
      "Telemetry:",
      "  S1             : 52.4",
      "  S2             : 48",
      "  Level1_precent : 63.2",
      "",
      "Attributes:",
      "  CustomerInfo : Dan Gorman",
      "  active       : true",
    ].join("\n"),
  },
  {
    name: "no summary key has a value: summary falls back to all telemetry; no attributes",
    device: device({ P1C1: 7.5, S1: "41", Extra_Key: "x" }),
    expected: [
      "Device: 3701155 (dev-1)",
      "-----------------------",
      "Summary:",
      "  S1        : 41",
      "  P1C1      : 7.5",
      "  Extra_Key : x",
      "",
      "Telemetry:",
      "  S1        : 41",
      "  P1C1      : 7.5",
      "  Extra_Key : x",
      "",
      "Attributes:",
      "  (none)",
    ].join("\n"),
  },
  {
    name: "nothing at all: every section (none)",
    device: device({}),
    expected: [
      "Device: 3701155 (dev-1)",
      "-----------------------",
      "Summary:",
      "  (none)",
      "",
      "Telemetry:",
      "  (none)",
      "",
      "Attributes:",
      "  (none)",
    ].join("\n"),
  },
])("formatDeviceReport: $name", ({ device, expected }) => {
  expect(formatDeviceReport(device, SUMMARY, TELEMETRY, ATTRIBUTES)).toBe(expected);
});

test("formatDeviceReport: underline matches a non-ASCII header, newlines in values stay on one line", () => {
  const d = { ...device({ S1: 50 }, { CustomerInfo: "Zoë\nÅström" }), name: "Brunnen-Süd" };
  const lines = formatDeviceReport(d, SUMMARY, TELEMETRY, ATTRIBUTES).split("\n");
  expect(lines[0]).toBe("Device: Brunnen-Süd (dev-1)");
  expect(lines[1]).toBe("-".repeat(lines[0]!.length));
  expect(lines.at(-1)).toBe("  CustomerInfo : Zoë Åström");
});

test("deviceJson: telemetry as numbers with each key's reading time; attributes as sent", () => {
  const d = device({ S1: "52.4", P1C1: 7, Mode: "auto" }, { CustomerInfo: "Dan Gorman" });
  expect(deviceJson(d)).toEqual({
    id: "dev-1",
    name: "3701155",
    type: "NightOwl Flex",
    user_label: "dgorman",
    telemetry: { S1: 52.4, P1C1: 7, Mode: "auto" },
    telemetry_ts: { S1: 1_700_000_000_000, P1C1: 1_700_000_000_000, Mode: 1_700_000_000_000 },
    attributes: { CustomerInfo: "Dan Gorman" },
  });
  expect(JSON.parse(JSON.stringify(deviceJson(d))).user_label).toBe("dgorman");
});
