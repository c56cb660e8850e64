import { describe, expect, test } from "bun:test";
import type { SiteKind } from "../sim/site-kinds.ts";
import { localClock } from "./local-time.ts";
import { nightRefillTriggers } from "./night-refills.ts";
import { ruleAroundEveningLeak } from "./testing.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 2, 2);
const quiet = { fromHour: 0, toHour: 5 };

describe("night_refills", () => {
  // A toilet flapper (1.6 gal every ~20 min) on the simulator's sites with a 1-gallon and a
  // 0.1-gallon meter: found in the first quiet hours it runs through; a leak-free week is silent.
  const cases: [SiteKind, number][] = [["switch-1gal", 51], ["vsd-0.1gal", 52], ["single-phase-0.1gal", 53]];
  for (const [kind, seed] of cases) {
    test(`${kind}: a flapper is found at night, ordinary nights are not`, () => {
      const clock = localClock("America/Denver");
      const { analysis, before, during } = ruleAroundEveningLeak({ kind, seed }, { kind: "flapper", size: 1.6 }, t0, 8, "night_refills");
      expect(before).toEqual([]);
      expect(during.length).toBe(1);
      expect(clock.hourOfDay(during[0]!.startMs)).toBeLessThan(1);
      // The flapper leaves 15-minute stretches without a single step: night_flow cannot see it.
      const night = analysis.nights.at(-1)!;
      expect(night.minGpm).toBe(0);
    });
  }

  // Readings every `every` minutes (5: with up to 40 s of jitter), 01:00–04:30, of a 0.1-gallon
  // meter under `gpm(minute after midnight)`. The joining distance is 5 minutes: what the usage
  // curve takes when the history analysed is mostly read every minute (a stretch of 5-minute
  // polling inside it, as when a portal slows down for a few days); a history read only every 5
  // minutes joins steps up to about 10 minutes apart instead.
  test.each([
    // Every reading shows the counter risen, yet this is a leak: steps up to 5:40 apart are separate draws.
    { name: "a 0.25 gal/min leak from 02:00 read every 5 minutes is a chain of draws", every: 5, gpm: (m: number) => (m >= 120 ? 0.25 : 0), fires: true },
    // The readings between refills show the counter standing still: each refill is a draw.
    { name: "a flapper read every 5 minutes is six draws and more", every: 5, gpm: (m: number) => (m % 20 < 2 ? 0.8 : 0), fires: true },
    // Read every minute the same leak steps at every reading: one draw, continuous_flow's to find.
    { name: "a 0.25 gal/min leak read every minute is one draw", every: 1, gpm: (m: number) => (m >= 120 ? 0.25 : 0), fires: false },
  ])("$name", ({ every, gpm, fires }) => {
    const clock = localClock("UTC");
    const ts: number[] = [];
    const used: number[] = [];
    let drawn = 0;
    let next = 60;
    for (let m = 60; m < 270; m++) {
      drawn += gpm(m);
      if (m < next) continue;
      const jitter = every === 5 ? Math.round(40 * Math.sin(m * 12.9898)) : 0;
      ts.push(t0 + m * 60_000 + jitter * 1000);
      used.push(Math.floor(drawn * 10) / 10);
      next = m + every;
    }
    const found = nightRefillTriggers("d", ts, used, clock, ts.at(-1)!, quiet, 5 * 60_000);
    expect(found.length).toBe(fires ? 1 : 0);
  });

  test("a chain still growing at the last reading has no end; one that stopped has", () => {
    const clock = localClock("UTC");
    const ts: number[] = [];
    const used: number[] = [];
    let u = 0;
    for (let m = 0; m < 200; m++) {
      if (m % 20 === 0) u += 2;
      ts.push(t0 + HOUR + m * 60_000);
      used.push(u);
    }
    const ongoing = nightRefillTriggers("d", ts, used, clock, ts.at(-1)!, quiet, 5 * 60_000);
    expect(ongoing.length).toBe(1);
    expect(ongoing[0]!.endMs).toBeUndefined();
    const later = nightRefillTriggers("d", ts, used, clock, ts.at(-1)! + 2 * HOUR, quiet, 5 * 60_000);
    expect(later[0]!.endMs).toBe(t0 + HOUR + 180 * 60_000);
    // Five draws are not enough.
    expect(nightRefillTriggers("d", ts.slice(0, 90), used.slice(0, 90), clock, ts[89]!, quiet, 5 * 60_000)).toEqual([]);
  });
});
