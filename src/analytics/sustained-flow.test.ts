import { describe, expect, test } from "bun:test";
import { analyzeFrame } from "./analyze.ts";
import { DAY, frameOf, HOUR, JAN1, MINUTE } from "./testing.ts";

/**
 * Two days of 1-minute readings of a 1-gallon meter: a draw of `gpm` from `atMin` for `minutes`
 * on each given day (0-based), nothing else. Returns the minutes after today's draw began at
 * which `sustained_flow` is first known (analysing the readings up to each 5-minute mark).
 */
function firstSustained(draws: { day: number; atMin: number; minutes: number; gpm: number }[], today: { atMin: number; minutes: number; gpm: number }): number | null {
  const days = Math.max(...draws.map((d) => d.day), 0) + 2;
  const rows: Record<string, number>[] = [];
  let counter = 1000;
  let frac = 0;
  const all = [...draws, { day: days - 1, ...today }];
  for (let m = 0; m < days * 24 * 60; m++) {
    const day = Math.floor(m / 1440);
    const minute = m % 1440;
    for (const d of all) if (d.day === day && minute >= d.atMin && minute < d.atMin + d.minutes) frac += d.gpm;
    const whole = Math.floor(frac);
    counter += whole;
    frac -= whole;
    rows.push({ ts: JAN1 + m * MINUTE, Pulse_TotalGallons: counter });
  }
  const frame = frameOf(rows);
  const start = JAN1 + (days - 1) * DAY + today.atMin * MINUTE;
  for (let t = start; t <= start + 3 * HOUR; t += 5 * MINUTE) {
    const n = frame.ts.findIndex((x) => x > t);
    const cut = { ...frame, ts: frame.ts.subarray(0, n), columns: { Pulse_TotalGallons: frame.columns.Pulse_TotalGallons!.subarray(0, n) } };
    const a = analyzeFrame(cut);
    if (a.triggers.some((x) => x.rule === "sustained_flow" && x.startMs >= start - HOUR)) return (t - start) / MINUTE;
  }
  return null;
}

describe("sustained_flow", () => {
  test("a 2 gal/min leak fires within the hour", () => {
    expect(firstSustained([], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
  });

  test("a 40-minute garden hose at 5 gal/min does not: the flow never ran unbroken for 45 minutes", () => {
    expect(firstSustained([], { atMin: 900, minutes: 40, gpm: 5 })).toBeNull();
  });

  test("a short hose at that hour yesterday does not excuse today's leak; a long draw there does", () => {
    expect(firstSustained([{ day: 0, atMin: 600, minutes: 15, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 })).toBeLessThanOrEqual(55);
    expect(firstSustained([{ day: 0, atMin: 600, minutes: 40, gpm: 5 }], { atMin: 600, minutes: 240, gpm: 2 })).toBeNull();
  });

  test("a 60-minute irrigation zone is a schedule on its second day", () => {
    const zone = { day: 0, atMin: 330, minutes: 60, gpm: 4 };
    expect(firstSustained([], { atMin: 330, minutes: 60, gpm: 4 })).not.toBeNull();
    expect(firstSustained([zone], { atMin: 330, minutes: 60, gpm: 4 })).toBeNull();
  });
});
