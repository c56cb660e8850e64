import { expect, test } from "bun:test";
import { computePumpHealth, nemaUnbalancePct, pumpsIn } from "./pump-health.ts";
import { frameOf, JAN1, MINUTE } from "./testing.ts";

test("NEMA unbalance of a known three-phase sample", () => {
  // Voltages 230, 232, 225: mean 229, largest deviation 4 → 4 / 229 × 100.
  expect(nemaUnbalancePct(230, 232, 225)).toBeCloseTo(400 / 229, 12);
  // Currents 10, 10.5, 9: mean 9.8333…, largest deviation 0.8333… → 8.4746 %.
  expect(nemaUnbalancePct(10, 10.5, 9)).toBeCloseTo((0.8333333333333 / 9.8333333333333) * 100, 9);
  expect(nemaUnbalancePct(230, 230, 230)).toBe(0);
  expect(Number.isNaN(nemaUnbalancePct(0, 0, 0))).toBe(true);
});

/** One hour-long run at 240 V × 10 A on each phase, sampled every minute, with stopped readings either side. */
function oneRun(): ReturnType<typeof frameOf> {
  const rows: Array<Record<string, number>> = [];
  for (let m = 0; m <= 62; m++) {
    const amps = m >= 1 && m <= 61 ? 10 : 0;
    rows.push({ ts: JAN1 + m * MINUTE, P1V1: 240, P1V2: 240, P1V3: 240, P1C1: amps, P1C2: amps, P1C3: amps, S1: m === 0 ? 40 : 40 + Math.min(m, 20) });
  }
  return frameOf(rows);
}

test("energy is the trapezoidal integral of pf × Σ V·I", () => {
  const h = computePumpHealth(oneRun(), "P1", { powerFactor: 0.8 });
  // 3 × 240 V × 10 A × 0.8 = 5760 W for the 60 min between the first and last running readings
  // (5.76 kWh), plus two one-minute ramps between 0 and 5760 W (5760 / 2 × 60 s = 0.048 kWh each).
  expect(h.energyKwh).toBeCloseTo(5.76 + 2 * 0.048, 12);
  expect(computePumpHealth(oneRun(), "P1", { powerFactor: 1 }).energyKwh).toBeCloseTo((5.76 + 0.096) / 0.8, 12);
  expect(h.days[0]!.energyKwh).toBeCloseTo(5.856, 12);
});

test("one run: one start, its run time, duty cycle and no dry run", () => {
  const h = computePumpHealth(oneRun(), "P1");
  expect(h.starts).toBe(1);
  expect(h.cycles.length).toBe(1);
  expect(h.cycles[0]).toMatchObject({ startMs: JAN1 + MINUTE, endMs: JAN1 + 62 * MINUTE, complete: true, meanCurrentA: 10, pressureRisePsi: 20, dryRun: false });
  expect(h.runSecondsPerStart).toBe(61 * 60);
  expect(h.runMs).toBe(61 * MINUTE);
  expect(h.dutyCycle).toBeCloseTo(61 / 62, 12);
  expect(h.startsPerHour).toBeCloseTo(1 / (62 / 60), 12);
  expect(h.learnedRunningCurrentA).toBe(10);
  expect(h.voltageUnbalancePct.every((x) => x === 0)).toBe(true);
  expect(Number.isNaN(h.currentUnbalancePct[0])).toBe(true); // stopped: undefined
  expect(h.currentUnbalancePct[10]).toBe(0);
});

test("a pump with no current keys is absent; P2 is found when it reports", () => {
  expect(pumpsIn(oneRun())).toEqual(["P1"]);
  const f = frameOf([{ ts: JAN1, P1C1: 0, P2C1: 5 }, { ts: JAN1 + MINUTE, P2C2: NaN }]);
  expect(pumpsIn(f)).toEqual(["P1", "P2"]);
});

test("short cycling of a waterlogged tank shows as many starts per hour with short runs", () => {
  const rows: Array<Record<string, number>> = [];
  // 10-second readings for one hour: on for 20 s, off for 40 s, every minute.
  for (let s = 0; s < 3600; s += 10) {
    const on = s % 60 >= 20 && s % 60 < 40;
    const a = on ? 8 : 0;
    rows.push({ ts: JAN1 + s * 1000, P1C1: a, P1C2: a, P1C3: a, S1: on ? 55 : 45 });
  }
  const h = computePumpHealth(frameOf(rows), "P1");
  expect(h.starts).toBe(60);
  expect(h.startsPerHour).toBeGreaterThan(59);
  expect(h.runSecondsPerStart).toBe(20);
});

test("a cycle well under the learned current without a pressure rise is a suspected dry run", () => {
  const rows: Array<Record<string, number>> = [];
  let t = JAN1;
  const cycle = (amps: number, rise: boolean) => {
    rows.push({ ts: t, P1C1: 0, P1C2: 0, P1C3: 0, S1: 40 }); t += MINUTE;
    for (let m = 1; m <= 4; m++) { rows.push({ ts: t, P1C1: amps, P1C2: amps, P1C3: amps, S1: rise ? 40 + 5 * m : 40 }); t += MINUTE; }
    rows.push({ ts: t, P1C1: 0, P1C2: 0, P1C3: 0, S1: rise ? 60 : 40 }); t += MINUTE;
  };
  cycle(10, true); cycle(10, true); cycle(10.2, true); cycle(4, false); cycle(9.8, true);
  const h = computePumpHealth(frameOf(rows), "P1");
  expect(h.learnedRunningCurrentA).toBe(10);
  expect(h.cycles.map((c) => c.dryRun)).toEqual([false, false, false, true, false]);
  expect(h.dryRunCycles).toBe(1);
});
