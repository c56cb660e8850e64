import { expect, test } from "bun:test";
import { Counter, Gauge, Registry } from "prom-client";
import { SeriesSlots } from "./series-slots.ts";

const DEVICE = { user_label: "u", device_id: "d1", device_name: "3700001" };

function gaugeOn(registry: Registry): Gauge {
  return new Gauge({ name: "x_value", help: "x", labelNames: ["user_label", "device_id", "device_name", "pump"], registers: [registry] });
}

test("a slot writes its series in place, and the page is what gauge.set and gauge.remove give", async () => {
  const slotsRegistry = new Registry();
  const plainRegistry = new Registry();
  const viaSlots = gaugeOn(slotsRegistry);
  const plain = gaugeOn(plainRegistry);
  const slots = new SeriesSlots();
  const other = { ...DEVICE, device_id: "d2" };
  // The same story told twice: values, a series that goes (NaN) and comes back, another device between.
  const steps: Array<[slot: number, value: number, labels: Record<string, string>, pump?: string]> = [
    [0, 1, DEVICE], [1, 2.5, DEVICE, "P1"], [0, 3, DEVICE], [1, Number.NaN, DEVICE, "P1"], [2, 7, other], [1, 4, DEVICE, "P1"], [0, 5, DEVICE],
  ];
  for (const [slot, value, labels, pump] of steps) {
    const full = pump ? { ...labels, pump } : labels;
    if (Number.isNaN(value)) {
      slots.remove(slot, viaSlots);
      plain.remove(full);
    } else {
      slots.set(slot, viaSlots, value, labels, pump ? ["pump", pump] : undefined);
      plain.set(full, value);
    }
  }
  expect(await slotsRegistry.metrics()).toBe(await plainRegistry.metrics());
  expect(await slotsRegistry.metrics()).toContain('x_value{user_label="u",device_id="d1",device_name="3700001",pump="P1"} 4');
  // prom-client's internals are what the slots expect: the writes above went in place.
  expect(slots.inPlace(0) && slots.inPlace(1)).toBe(true);
});

test("removing a slot that never had a series does nothing", async () => {
  const registry = new Registry();
  const g = gaugeOn(registry);
  g.set({ ...DEVICE, pump: "P2" }, 1);
  new SeriesSlots().remove(0, g);
  expect(await registry.metrics()).toContain("pump=\"P2\"} 1");
});

test("a counter's slot adds in place, and refuses what prom-client refuses", async () => {
  const slotsRegistry = new Registry();
  const plainRegistry = new Registry();
  const counterOn = (registry: Registry) => new Counter({ name: "x_total", help: "x", labelNames: ["user_label", "device_id", "device_name", "pump"], registers: [registry] });
  const viaSlots = counterOn(slotsRegistry);
  const plain = counterOn(plainRegistry);
  const slots = new SeriesSlots();
  for (const [slot, delta, pump] of [[0, 0, undefined], [1, 2.5, "P1"], [0, 3, undefined], [1, 0.25, "P1"], [0, Number.NaN, undefined]] as const) {
    slots.add(slot, viaSlots, delta, DEVICE, pump ? ["pump", pump] : undefined);
    plain.inc(pump ? { ...DEVICE, pump } : DEVICE, delta);
  }
  expect(await slotsRegistry.metrics()).toBe(await plainRegistry.metrics());
  expect(await slotsRegistry.metrics()).toContain('x_total{user_label="u",device_id="d1",device_name="3700001",pump="P1"} 2.75');
  expect(slots.inPlace(0) && slots.inPlace(1)).toBe(true);
  expect(() => slots.add(1, viaSlots, -1, DEVICE, ["pump", "P1"])).toThrow("decrease");
  expect(() => slots.add(1, viaSlots, Infinity, DEVICE, ["pump", "P1"])).toThrow("not a valid number");
  slots.remove(1, viaSlots);
  expect(await slotsRegistry.metrics()).not.toContain('pump="P1"');
});
