import { describe, expect, test } from "bun:test";
import { simulateHistory } from "./history.ts";
import { siteOfKind } from "./site-kinds.ts";
import { vsdStep, type VsdDrive, type VsdState } from "./vsd.ts";

const drive: VsdDrive = { setpointPsi: 50, minGpm: 1, sleepAfterSeconds: 60, boostPsi: 5, wakeDropPsi: 7, minHz: 30 };
const tank = { gallons: 8, prechargePsi: 35, pumpMaxGpm: 14, pumpShutoffPsi: 110 };
const fresh = (): VsdState => ({ psi: 50, pumpOn: true, hz: 0, lowFlowSeconds: 0, boosting: false });

/** Runs the drive `minutes` at `gpm` in 10-s steps; returns pressures and run flags per step. */
function run(gpm: number, minutes: number) {
  const state = fresh();
  const psi: number[] = [];
  const on: boolean[] = [];
  const hz: number[] = [];
  for (let i = 0; i < minutes * 6; i++) {
    vsdStep(drive, tank, state, gpm, 1 / 6, false);
    psi.push(state.psi);
    on.push(state.pumpOn);
    hz.push(state.hz);
  }
  return { psi, on, hz };
}

describe("constant-pressure drive", () => {
  test("holds the set point while the house draws, faster for more flow", () => {
    const shower = run(2.5, 30);
    const irrigation = run(8, 30);
    for (const p of shower.psi.slice(6)) expect(p).toBeWithin(49, 51);
    for (const p of irrigation.psi.slice(6)) expect(p).toBeWithin(49, 51);
    expect(irrigation.hz.at(-1)!).toBeGreaterThan(shower.hz.at(-1)!);
    expect(shower.on.every(Boolean)).toBe(true);
  });

  test("below its minimum flow it boosts, sleeps and wakes in a regular cycle", () => {
    const { psi, on } = run(0.4, 120);
    const starts = on.filter((x, i) => x && i > 0 && !on[i - 1]).length;
    expect(starts).toBeGreaterThan(5);
    // Pressure stays between the wake level and the boost (plus a sub-step's overshoot).
    for (const p of psi) expect(p).toBeWithin(42.5, 57);
    expect(Math.max(...psi)).toBeGreaterThan(54.5);
  });

  test("a demand beyond the pump lets the pressure fall", () => {
    const { psi } = run(20, 10);
    expect(psi.at(-1)!).toBeLessThan(45);
  });

  test("a simulated drive site reads its speed in P1Hz and holds pressure within a band", () => {
    const spec = siteOfKind(3, "vsd-0.1gal", 0);
    const t0 = Date.UTC(2026, 2, 2);
    const f = simulateHistory({ seed: 3, device: spec, startMs: t0, endMs: t0 + 86_400_000 });
    const set = spec.drive!.setpointPsi;
    const hz = Array.from(f.columns.P1Hz!).filter((x) => x > 0);
    expect(new Set(hz.map(Math.round)).size).toBeGreaterThan(1);
    for (const x of hz) expect(x).toBeWithin(spec.drive!.minHz - 0.5, 60.5);
    expect(hz.filter((x) => x < 59).length).toBeGreaterThan(hz.length / 2);
    for (const p of f.columns.S1!) expect(p).toBeWithin(set - spec.drive!.wakeDropPsi - 3, set + spec.drive!.boostPsi + 3);
  });
});
