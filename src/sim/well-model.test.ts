import { describe, expect, test } from "bun:test";
import { simulateHistory } from "./history.ts";
import { deviceKeys, deviceSpec } from "./site.ts";
import type { ScenarioSpec } from "./scenario.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

const DAY = 86_400_000;
// A Monday in July (irrigation season), at UTC midnight.
const START = Date.UTC(2026, 6, 6);
const spec0 = deviceSpec(42, 0, 0);

function week(scenarios: ScenarioSpec[] = [], stepSeconds?: number, days = 7, device = spec0): HistoryFrame {
  return simulateHistory({ seed: 42, device, startMs: START, endMs: START + days * DAY, scenarios, stepSeconds });
}

function pumpStarts(frame: HistoryFrame, from = 0, to = frame.ts.length): number {
  const c = frame.columns.P1C1;
  let n = 0;
  for (let i = Math.max(1, from); i < to; i++) if (c[i] > 0 && c[i - 1] === 0) n++;
  return n;
}

/** Gallons counted between two instants (nearest samples). */
function gallons(frame: HistoryFrame, fromMs: number, toMs: number): number {
  const g = frame.columns.Pulse_TotalGallons;
  const at = (ms: number) => {
    const i = frame.ts.findIndex((t) => t >= ms);
    return g[i === -1 ? g.length - 1 : i];
  };
  return at(toMs) - at(fromMs);
}

test("same seed gives the same values, another seed different ones", () => {
  const a = week([], undefined, 2);
  const b = week([], undefined, 2);
  expect(a.ts).toEqual(b.ts);
  for (const k of Object.keys(a.columns)) expect(a.columns[k]).toEqual(b.columns[k]);
  const c = simulateHistory({ seed: 7, device: 0, startMs: START, endMs: START + 2 * DAY });
  expect(c.deviceId).not.toBe(a.deviceId);
});

test("pressure cycles between cut-in and cut-out", () => {
  const f = week([], 10, 3);
  const s1 = f.columns.S1;
  let min = Infinity;
  let max = -Infinity;
  for (const x of s1) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  expect(min).toBeGreaterThan(spec0.cutInPsi - 3);
  expect(min).toBeLessThan(spec0.cutInPsi + 2);
  expect(max).toBeGreaterThan(spec0.cutOutPsi - 1);
  expect(max).toBeLessThan(spec0.cutOutPsi + 3);
  expect(pumpStarts(f)).toBeGreaterThan(10);
});

test("currents and frequency are zero when idle, 6–12 A at 60 Hz when running; voltages always present", () => {
  const f = week([], undefined, 2);
  let running = 0;
  for (let i = 0; i < f.ts.length; i++) {
    const on = f.columns.P1Hz[i] > 0;
    for (const k of ["P1C1", "P1C2", "P1C3"]) {
      if (on) expect(f.columns[k][i]).toBeWithin(6, 12.5);
      else expect(f.columns[k][i]).toBe(0);
    }
    if (on) {
      running++;
      expect(f.columns.P1Hz[i]).toBeWithin(59.8, 60.2);
    }
    for (const k of ["P1V1", "P1V2", "P1V3"]) expect(f.columns[k][i]).toBeWithin(222, 245);
  }
  expect(running).toBeGreaterThan(10);
});

test("the meter counts whole pulses and never goes backwards", () => {
  const f = week();
  const g = f.columns.Pulse_TotalGallons;
  for (let i = 1; i < g.length; i++) expect(g[i]).toBeGreaterThanOrEqual(g[i - 1]);
  const perDay = (g[g.length - 1] - g[0]) / 7;
  expect(perDay).toBeWithin(40 * spec0.occupants, 400 * spec0.occupants);
  const ten = deviceSpec(42, 0, 1);
  expect(ten.pulseGallons).toBe(10);
  const f10 = week([], undefined, 2, ten);
  for (const x of f10.columns.Pulse_TotalGallons) expect(x % 10).toBe(0);
});

test("nights are quiet, mornings and evenings busy", () => {
  const f = week();
  const local = (day: number, hour: number) => START + day * DAY + (hour - spec0.tzOffsetHours) * 3_600_000;
  let night = 0;
  let evening = 0;
  for (let d = 0; d < 6; d++) {
    night += gallons(f, local(d, 0), local(d, 2));
    evening += gallons(f, local(d, 18), local(d, 20));
  }
  expect(night / 6).toBeLessThan(5);
  expect(evening / 6).toBeGreaterThan(10);
});

test("sites differ: absent equipment means absent keys", () => {
  const keys = [0, 1, 2].map((i) => deviceKeys(deviceSpec(42, 0, i)));
  expect(keys[0]).toContain("Pulse_TotalGallons");
  expect(keys[0]).toContain("Level1_precent");
  expect(keys[1]).not.toContain("Level1_precent");
  expect(keys[2]).not.toContain("Pulse_TotalGallons");
  expect(keys[2]).toContain("P2C1");
  expect(keys[0]).not.toContain("P2C1");
  const f = week([], undefined, 1, deviceSpec(42, 0, 2));
  expect(Object.keys(f.columns)).toEqual(keys[2]);
});

describe("scenarios", () => {
  const leakStart = START + 3 * DAY;

  test("a leak raises the daily count and the night flow", () => {
    const base = week();
    const leak = week([{ deviceId: spec0.id, kind: "leak", startMs: leakStart, size: 0.5 }]);
    const night = (f: HistoryFrame, d: number) => gallons(f, START + d * DAY + (1 - spec0.tzOffsetHours) * 3_600_000, START + d * DAY + (2 - spec0.tzOffsetHours) * 3_600_000);
    expect(gallons(leak, START, leakStart)).toBe(gallons(base, START, leakStart));
    const extra = gallons(leak, leakStart, START + 7 * DAY) - gallons(base, leakStart, START + 7 * DAY);
    expect(extra).toBeWithin(0.5 * 1440 * 4 * 0.95, 0.5 * 1440 * 4 * 1.05);
    expect(night(leak, 5)).toBeGreaterThanOrEqual(night(base, 5) + 25);
  });

  test("a waterlogged tank short-cycles the pump", () => {
    const from = START + 2 * DAY;
    const base = week([], 10, 4);
    const bad = week([{ deviceId: spec0.id, kind: "waterlogged_tank", startMs: from }], 10, 4);
    const half = base.ts.findIndex((t) => t >= from);
    expect(pumpStarts(bad, 0, half)).toBe(pumpStarts(base, 0, half));
    expect(pumpStarts(bad, half)).toBeGreaterThan(3 * pumpStarts(base, half));
  });

  test("a dry-running pump draws less current and the pressure never rises", () => {
    const from = START + DAY;
    const to = from + 6 * 3_600_000;
    const f = week([{ deviceId: spec0.id, kind: "dry_run", startMs: from, endMs: to }], 10, 2);
    const normal: number[] = [];
    const dry: number[] = [];
    for (let i = 1; i < f.ts.length; i++) {
      const inDry = f.ts[i] > from && f.ts[i] < to;
      if (inDry) expect(f.columns.S1[i]).toBeLessThanOrEqual(f.columns.S1[i - 1] + 0.5);
      if (f.columns.P1C1[i] > 0 && (inDry || f.ts[i] < from)) (inDry ? dry : normal).push(f.columns.P1C1[i]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(dry.length).toBeGreaterThan(100);
    expect(mean(dry) / mean(normal)).toBeWithin(0.35, 0.45);
    // Once the dry run ends the pump refills the tank to cut-out again.
    const after = f.ts.findIndex((t) => t >= to);
    expect(Math.max(...f.columns.S1.subarray(after, after + 360))).toBeGreaterThan(spec0.cutOutPsi - 1);
  });

  test("a stuck sensor repeats one value; a meter replacement restarts the counter", () => {
    const stuckFrom = START + DAY;
    const replaced = START + 2 * DAY + 3_600_000;
    const f = week([
      { deviceId: spec0.id, kind: "stuck_sensor", startMs: stuckFrom, endMs: stuckFrom + DAY },
      { deviceId: spec0.id, kind: "meter_replacement", startMs: replaced },
    ], undefined, 3);
    const s1 = f.ts.reduce<number[]>((acc, t, i) => (t >= stuckFrom && t < stuckFrom + DAY ? [...acc, f.columns.S1[i]] : acc), []);
    expect(new Set(s1).size).toBe(1);
    const g = f.columns.Pulse_TotalGallons;
    const i = f.ts.findIndex((t) => t >= replaced);
    expect(g[i - 1]).toBeGreaterThan(10_000);
    expect(g[i]).toBeLessThan(5);
    for (let j = i + 1; j < g.length; j++) expect(g[j]).toBeGreaterThanOrEqual(g[j - 1]);
  });

  test("a gap leaves no rows", () => {
    const from = START + DAY;
    const f = week([{ deviceId: spec0.id, kind: "gap", startMs: from, endMs: from + 3_600_000 }], undefined, 2);
    expect(f.ts.length).toBe(2 * 1440 - 60);
    expect(f.ts.some((t) => t >= from && t < from + 3_600_000)).toBe(false);
  });
});
