import { expect, test } from "bun:test";
import { Counter, Gauge, Registry } from "prom-client";
import { DeviceFamily, seriesDevice } from "./device-family.ts";
import { SeriesSlots } from "./series-slots.ts";

const DEVICE = { user_label: "u", device_id: "d1", device_name: "3700001" };
const LABELS = ["user_label", "device_id", "device_name"];

const familyOn = (registry: Registry, type: "gauge" | "counter", name: string) => new DeviceFamily({ name, help: "x", type, deviceLabels: LABELS, extra: "pump", registers: [registry] });

test("a slot writes its series in place, and the page is what gauge.set and gauge.remove give", async () => {
  const slotsRegistry = new Registry();
  const plainRegistry = new Registry();
  const viaSlots = familyOn(slotsRegistry, "gauge", "x_value");
  const plain = new Gauge({ name: "x_value", help: "x", labelNames: [...LABELS, "pump"], registers: [plainRegistry] });
  const devices = new Map<string, SeriesSlots>();
  const slotsOf = (labels: typeof DEVICE) => devices.get(labels.device_id) ?? devices.set(labels.device_id, new SeriesSlots(seriesDevice(labels))).get(labels.device_id)!;
  const other = { ...DEVICE, device_id: "d2" };
  // The same story told twice: values, a series that goes (NaN) and comes back, another device between.
  const steps: Array<[slot: number, value: number, labels: typeof DEVICE, pump: string]> = [
    [0, 1, DEVICE, "P0"], [1, 2.5, DEVICE, "P1"], [0, 3, DEVICE, "P0"], [1, Number.NaN, DEVICE, "P1"], [2, 7, other, "P2"], [1, 4, DEVICE, "P1"], [0, 5, DEVICE, "P0"],
  ];
  for (const [slot, value, labels, pump] of steps) {
    if (Number.isNaN(value)) {
      slotsOf(labels).remove(slot, viaSlots);
      plain.remove({ ...labels, pump });
    } else {
      slotsOf(labels).set(slot, viaSlots, value, pump);
      plain.set({ ...labels, pump }, value);
    }
  }
  expect(await slotsRegistry.metrics()).toBe(await plainRegistry.metrics());
  // The series that went and came back is last, as in prom-client's gauge.
  expect(await slotsRegistry.metrics()).toContain('pump="P0"} 5\nx_value{user_label="u",device_id="d2",device_name="3700001",pump="P2"} 7\nx_value{user_label="u",device_id="d1",device_name="3700001",pump="P1"} 4\n');
  expect(slotsOf(DEVICE).has(0) && slotsOf(DEVICE).has(1) && !slotsOf(DEVICE).has(2)).toBe(true);
});

test("removing a slot that never had a series does nothing", async () => {
  const registry = new Registry();
  const g = familyOn(registry, "gauge", "x_value");
  new SeriesSlots(seriesDevice(DEVICE)).set(0, g, 1, "P2");
  new SeriesSlots(seriesDevice(DEVICE)).remove(0, g);
  expect(await registry.metrics()).toContain('pump="P2"} 1');
});

test("a counter's slot adds in place, and refuses what prom-client refuses", async () => {
  const slotsRegistry = new Registry();
  const plainRegistry = new Registry();
  const viaSlots = familyOn(slotsRegistry, "counter", "x_total");
  const plain = new Counter({ name: "x_total", help: "x", labelNames: [...LABELS, "pump"], registers: [plainRegistry] });
  const slots = new SeriesSlots(seriesDevice(DEVICE));
  for (const [slot, delta, pump] of [[0, 0, "P0"], [1, 2.5, "P1"], [0, 3, "P0"], [1, 0.25, "P1"], [0, Number.NaN, "P0"]] as const) {
    slots.add(slot, viaSlots, delta, pump);
    plain.inc({ ...DEVICE, pump }, delta);
  }
  expect(await slotsRegistry.metrics()).toBe(await plainRegistry.metrics());
  expect(await slotsRegistry.metrics()).toContain('x_total{user_label="u",device_id="d1",device_name="3700001",pump="P1"} 2.75');
  expect(() => slots.add(1, viaSlots, -1, "P1")).toThrow("decrease");
  expect(() => slots.add(1, viaSlots, Infinity, "P1")).toThrow("not a valid number");
  // A new series refuses as well, and is not made.
  expect(() => slots.add(2, viaSlots, -1, "P2")).toThrow("decrease");
  expect(slots.has(2)).toBe(false);
  slots.remove(1, viaSlots);
  expect(await slotsRegistry.metrics()).not.toContain('pump="P1"');
});
