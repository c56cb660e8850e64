import { describe, expect, test } from "bun:test";
import { localClock } from "./local-time.ts";
import { nightMeterHourTriggers } from "./night-meter-hours.ts";
import { ruleAroundEveningLeak } from "./testing.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 2, 2);
const quiet = { fromHour: 0, toHour: 5 };
const clock = localClock("UTC");
/** A 10-gallon meter's joining distance (10 gal ÷ 0.2 gal/min) and a 1-gallon one's. */
const COARSE_MS = 50 * MINUTE;
const FINE_MS = 5 * MINUTE;

/** One night from 22:00 to 06:00 of 1-minute readings: a counter of `pulse` gallons under `gpm(minute after midnight)`. */
function night(gpm: (minute: number) => number, pulse = 10): { ts: number[]; used: number[] } {
  const ts: number[] = [];
  const used: number[] = [];
  let drawn = 0;
  for (let m = -120; m < 360; m++) {
    drawn += gpm(m);
    ts.push(t0 + DAY + m * MINUTE);
    used.push(Math.floor(drawn / pulse) * pulse);
  }
  return { ts, used };
}

/** A toilet flapper: 1.6 gal refilled every 20 minutes. */
const flapper = (m: number) => (((m % 20) + 20) % 20 === 0 ? 1.6 : 0);
/** A softener's regeneration: about 50 gal over 90 minutes from 02:30; a flush at 00:40. */
const softener = (m: number) => (m >= 150 && m < 240 ? 0.55 : m === 40 ? 12 : 0);

describe("night_meter_hours", () => {
  test.each([
    { name: "0.25 gal/min all night on a 10-gallon meter fires in the quiet hours' fourth hour", gpm: () => 0.25, smear: COARSE_MS, firesInHour: 3 },
    { name: "0.5 gal/min from 01:30 fires at its fourth hour", gpm: (m: number) => (m >= 90 ? 0.5 : 0), smear: COARSE_MS, firesInHour: 4, pulse: 10 },
    // 4.8 gal an hour steps a 10-gallon meter about every two hours: in 3 of the 5 hours here
    // (00:00, 02:00, 04:00), too few hours, but each step is a draw of its own.
    { name: "a toilet flapper alone on a 10-gallon meter fires at its third separate draw", gpm: flapper, smear: COARSE_MS, firesInHour: 4 },
    { name: "0.1 gal/min (a step every 100 minutes) fires at its third draw in the quiet hours", gpm: () => 0.1, smear: COARSE_MS, firesInHour: 4 },
    { name: "a softener night with a flush does not (two clock hours with steps, two draws)", gpm: softener, smear: COARSE_MS, firesInHour: null },
    // Steps 40 minutes apart join (one draw), in three clock hours: continuous_flow's business.
    { name: "0.25 gal/min from 02:00 does not (one draw in three hours)", gpm: (m: number) => (m >= 120 ? 0.25 : 0), smear: COARSE_MS, firesInHour: null },
    { name: "two 12-gallon draws beside a softener's regeneration fire (three draws: where the rule stops telling)", gpm: (m: number) => (m === 30 || m === 290 ? 12 : softener(m)), smear: COARSE_MS, firesInHour: 4 },
    { name: "a night drawing nothing does not", gpm: () => 0, smear: COARSE_MS, firesInHour: null },
    { name: "a flapper on a 1-gallon meter is left to night_refills", gpm: flapper, smear: FINE_MS, firesInHour: null, pulse: 1 },
  ])("$name", ({ gpm, smear, firesInHour, pulse }) => {
    const { ts, used } = night(gpm, pulse);
    const found = nightMeterHourTriggers("d", ts, used, clock, ts.at(-1)!, quiet, smear);
    if (firesInHour === null) expect(found).toEqual([]);
    else {
      expect(found.length).toBe(1);
      expect(Math.floor(clock.hourOfDay(found[0]!.startMs))).toBe(firesInHour);
      expect(found[0]!.message).toContain("quiet hours");
    }
  });

  test("a night still in its quiet hours has no end; one that is over ends at its last step in them", () => {
    const { ts, used } = night(() => 0.25);
    const upTo = ts.findIndex((t) => t >= t0 + DAY + 4 * HOUR + 30 * MINUTE);
    const ongoing = nightMeterHourTriggers("d", ts.slice(0, upTo), used.slice(0, upTo), clock, ts[upTo - 1]!, quiet, COARSE_MS);
    expect(ongoing.length).toBe(1);
    expect(ongoing[0]!.endMs).toBeUndefined();
    const over = nightMeterHourTriggers("d", ts, used, clock, ts.at(-1)!, quiet, COARSE_MS);
    expect(over[0]!.endMs).toBeLessThan(t0 + DAY + 5 * HOUR);
    expect(over[0]!.endMs).toBeGreaterThan(t0 + DAY + 4 * HOUR);
  });

  test("on simulator history of the single-phase 10-gallon site: 0.25 gal/min is found at night, two leak-free weeks are silent", () => {
    const zone = "America/Denver";
    const { leakStart, before, during } = ruleAroundEveningLeak({ kind: "single-phase-10gal", seed: 11 }, { kind: "leak", size: 0.25 }, t0, 14, "night_meter_hours", zone);
    expect(before).toEqual([]);
    expect(during.length).toBe(1);
    // In the first night's quiet hours, from its fourth hour on.
    const at = during[0]!.startMs;
    expect(at - leakStart).toBeLessThan(9 * HOUR);
    expect(localClock(zone).hourOfDay(at)).toBeGreaterThanOrEqual(3);
  });

  test("on simulator history of four single-phase 10-gallon sites: a toilet flapper is found in its first night on three, no leak-free night fires", () => {
    const zone = "America/Denver";
    let found = 0;
    for (const seed of [11, 12, 13, 14]) {
      const { leakStart, before, during } = ruleAroundEveningLeak({ kind: "single-phase-10gal", seed }, { kind: "flapper", size: 1.6 }, t0, 14, "night_meter_hours", zone);
      expect(before).toEqual([]);
      if (during.length === 1 && during[0]!.startMs - leakStart < 9 * HOUR) found++;
    }
    // Seed 11's flapper refills about every 22 minutes, a step every 2.3 hours: two in the quiet hours (02:13, 04:44).
    expect(found).toBe(3);
  });
});
