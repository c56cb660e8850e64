import { describe, expect, test } from "bun:test";
import { analyzeFrame } from "./analyze.ts";
import { computePumpHealth } from "./pump-health.ts";
import { RULE_DEFAULTS } from "./rules.ts";
import { simulateHistory } from "../sim/history.ts";
import { deviceSpec } from "../sim/site.ts";
import type { ScenarioKind } from "../sim/scenario.ts";
import { DAY, HOUR } from "./testing.ts";

/** The simulator's fixed offset as an IANA zone ("Etc/GMT+7" is UTC−7). */
function zoneOf(seed: number, device: number): string {
  const h = deviceSpec(seed, 0, device).tzOffsetHours;
  return h === 0 ? "UTC" : `Etc/GMT${h < 0 ? "+" : "-"}${Math.abs(h)}`;
}

function simulate(seed: number, device: number, startMs: number, days: number, kind?: ScenarioKind, atDay = 10, stepSeconds?: number) {
  const spec = deviceSpec(seed, 0, device);
  const scenarioStart = startMs + atDay * DAY + 5 * HOUR;
  const frame = simulateHistory({
    seed, device, startMs, endMs: startMs + days * DAY, stepSeconds,
    scenarios: kind ? [{ deviceId: spec.id, kind, startMs: scenarioStart }] : [],
  });
  return { frame, scenarioStart, analysis: analyzeFrame(frame, { timeZone: zoneOf(seed, device) }) };
}

describe("no alarms on leak-free simulated sites", () => {
  // Devices 0–2 are the simulator's fixed profiles: 1-gal meter with irrigation and softener,
  // 10-gal meter with softener, no meter with a storage tank and a well pump. None fills a pool.
  const cases = [7, 23].flatMap((seed) => [0, 6].flatMap((month) => [0, 1, 2].map((device) => ({ seed, month, device }))));
  test.each(cases)("seed $seed, month $month, device $device", ({ seed, month, device }) => {
    const start = Date.UTC(2026, month, 1);
    const { analysis } = simulate(seed, device, start, 16);
    // The first week teaches the baseline and the schedules; after it nothing should warn.
    const alarms = analysis.triggers.filter((t) => t.startMs >= start + 7 * DAY && t.severity !== "info");
    expect(alarms.map((t) => `${t.rule}: ${t.message}`)).toEqual([]);
  });
});

describe("each rule fires on its scenario", () => {
  const start = Date.UTC(2026, 0, 5);
  const rulesAfter = (a: ReturnType<typeof simulate>) => new Set(a.analysis.triggers.filter((t) => t.startMs >= a.scenarioStart - 15 * 60_000).map((t) => t.rule));

  test("a 0.5 gal/min leak: continuous flow, night flow, night pump starts, off-hours use", () => {
    const run = simulate(7, 0, start, 13, "leak");
    const rules = rulesAfter(run);
    for (const r of ["continuous_flow", "night_flow", "night_pump_starts", "unusual_off_hours_use"]) expect(rules).toContain(r);
    const floors = run.analysis.nights.filter((n) => n.startMs > run.scenarioStart).map((n) => n.minGpm);
    for (const f of floors) expect(f).toBeCloseTo(0.5, 1);
    const cf = run.analysis.triggers.find((t) => t.rule === "continuous_flow")!;
    expect(cf.message).toMatch(/^continuous flow for \d+\.\d h at 0\.\d\d gal\/min or more/);
    expect(Math.abs(cf.startMs - run.scenarioStart)).toBeLessThan(HOUR);
    // Every message that speaks of night names the zone its hours are in.
    const zone = zoneOf(7, 0);
    for (const rule of ["night_flow", "night_pump_starts", "unusual_off_hours_use"]) {
      expect(run.analysis.triggers.find((t) => t.rule === rule)!.message).toContain(`:00 ${zone}`);
    }
  });

  test("a leak on a site without a meter: pump starts all night and pressure lost at night", () => {
    const rules = rulesAfter(simulate(7, 2, start, 13, "leak"));
    expect(rules).toContain("night_pump_starts");
  });

  test("a burst of 8 gal/min", () => {
    const run = simulate(7, 0, start, 12, "burst");
    const burst = run.analysis.triggers.filter((t) => t.rule === "burst");
    expect(burst.length).toBe(1);
    expect(Math.abs(burst[0]!.startMs - run.scenarioStart)).toBeLessThanOrEqual(20 * 60_000);
    expect(burst[0]!.severity).toBe("critical");
  });

  test("a dry-running pump", () => {
    const run = simulate(7, 2, start, 12, "dry_run");
    const dry = run.analysis.triggers.filter((t) => t.rule === "dry_run");
    expect(dry.length).toBeGreaterThanOrEqual(1);
    expect(dry[0]!.startMs).toBeGreaterThanOrEqual(run.scenarioStart);
    expect(dry[0]!.message).toContain("running dry");
  });

  test("a waterlogged tank raises starts per hour above the threshold (10-second readings)", () => {
    const s = Date.UTC(2026, 0, 1);
    const before = simulateHistory({ seed: 7, device: 0, startMs: s, endMs: s + 2 * DAY, stepSeconds: 10 });
    const spec = deviceSpec(7, 0, 0);
    const after = simulateHistory({ seed: 7, device: 0, startMs: s, endMs: s + 2 * DAY, stepSeconds: 10, scenarios: [{ deviceId: spec.id, kind: "waterlogged_tank", startMs: s }] });
    const maxPerHour = (f: typeof before) => {
      const cycles = computePumpHealth(f, "P1").cycles;
      let best = 0;
      for (let hi = 0, lo = 0; hi < cycles.length; hi++) {
        while (cycles[hi]!.startMs - cycles[lo]!.startMs >= HOUR) lo++;
        best = Math.max(best, hi - lo + 1);
      }
      return best;
    };
    expect(maxPerHour(before)).toBeLessThan(RULE_DEFAULTS.shortCycleStarts);
    expect(maxPerHour(after)).toBeGreaterThanOrEqual(RULE_DEFAULTS.shortCycleStarts);
    expect(computePumpHealth(after, "P1").startsPerHour).toBeGreaterThan(2 * computePumpHealth(before, "P1").startsPerHour);
    const rules = new Set(analyzeFrame(after, { timeZone: zoneOf(7, 0) }).triggers.map((t) => t.rule));
    expect(rules).toContain("short_cycling");
    expect(new Set(analyzeFrame(before, { timeZone: zoneOf(7, 0) }).triggers.map((t) => t.rule))).not.toContain("short_cycling");
  });

  test("a meter replacement and a data gap change nothing but the bookkeeping", () => {
    const spec = deviceSpec(7, 0, 0);
    const s = Date.UTC(2026, 0, 1);
    const plain = simulateHistory({ seed: 7, device: 0, startMs: s, endMs: s + 3 * DAY });
    const swapped = simulateHistory({
      seed: 7, device: 0, startMs: s, endMs: s + 3 * DAY,
      scenarios: [{ deviceId: spec.id, kind: "meter_replacement", startMs: s + DAY + 10 * HOUR }],
    });
    const a = analyzeFrame(plain, { timeZone: zoneOf(7, 0) });
    const b = analyzeFrame(swapped, { timeZone: zoneOf(7, 0) });
    expect(b.consumption!.replacements.length).toBe(1);
    // The gallons drawn between the old meter's last reading and the swap are the only ones lost.
    expect(b.consumption!.totalGallons).toBeLessThanOrEqual(a.consumption!.totalGallons);
    expect(b.consumption!.totalGallons).toBeGreaterThan(a.consumption!.totalGallons - 10);
    expect(b.triggers.filter((t) => t.severity !== "info")).toEqual(a.triggers.filter((t) => t.severity !== "info"));
  });
});
