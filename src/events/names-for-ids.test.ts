import { expect, test } from "bun:test";
import type { OwnerEvent } from "./events-file.ts";
import { eventsNamingDevices } from "./names-for-ids.ts";

const ID = "fbd7d4c1-c427-11ee-b9dd-c77aca6dc052";
const event = (id: string, device: string): OwnerEvent => ({ id, device_id: device, kind: "away", start: 0, end: 1 });

test.each([
  ["a device's name for its id", [event("away-1", "3967997")], ["event away-1 names device \"3967997\", the name of device " + ID + ": events apply by id, so it applies to no device; give the id"]],
  ["the id", [event("away-1", ID)], []],
  ["another device of the fleet, not in this history", [event("away-1", "0d1e5a70-0000-4000-8000-000000000001")], []],
])("%s", (_name, events, lines) => {
  expect(eventsNamingDevices(events, [{ deviceId: ID, deviceName: "3967997" }])).toEqual(lines);
});
