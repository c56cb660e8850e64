/** The device list against the simulator over real HTTP on loopback: pagination and snapshots. */
import { expect, test } from "bun:test";
import { clientFor, counts, QUERY, simulatorPerFile } from "./test-support.ts";

const shared = simulatorPerFile({ devices: 5, seed: 7, historyDays: 2 });

test("devices: follows hasNext past page 0 (pageSize 2, 5 devices → 5 snapshots)", async () => {
  const before = counts(shared.sim);
  const devices = await clientFor(shared.sim).devices({ ...QUERY, pageSize: 2 });
  expect(devices.map((d) => d.id).sort()).toEqual(shared.sim.devices.map((d) => d.id).sort());
  expect(counts(shared.sim).query - before.query).toBe(3);
  const names = devices.map((d) => d.name);
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  for (const device of devices) {
    expect(device.type).not.toBe("");
    expect(device.userLabel).toBe(shared.sim.accounts[0]!.userLabel);
    expect(device.attributes.CustomerInfo?.value).toBe(shared.sim.accounts[0]!.customer);
    expect(Number(device.telemetry.S1?.value)).toBeGreaterThan(0);
    // absent and "" values are left out, never kept as empty strings
    for (const reading of [...Object.values(device.telemetry), ...Object.values(device.attributes)]) {
      expect(reading.value).not.toBe("");
    }
  }
});
