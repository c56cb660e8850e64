import { expect, test } from "bun:test";
import { computeConsumption } from "./consumption.ts";
import { localClock } from "./local-time.ts";
import { nightFlows } from "./night-flow.ts";
import { continuousFlowMinutes, rollingFlow, usageCurve } from "./usage-curve.ts";
import { analyzeFrame } from "./analyze.ts";
import { DAY, frameOf, HOUR, JAN1, MINUTE } from "./testing.ts";

/**
 * Two days of minute readings of a 1-gallon pulse meter. Each night at 02:30 a toilet flush
 * (3 gal in one minute); from Jan 2 00:00 a leak of `leakGpm` that never stops.
 */
function twoNights(leakGpm: number, pulse = 1) {
  const ts: number[] = [];
  const counter: number[] = [];
  let exact = 0;
  for (let t = JAN1; t <= JAN1 + 2 * DAY; t += MINUTE) {
    const hour = ((t - JAN1) % DAY) / HOUR;
    if (Math.abs(hour - 2.5) < 1e-9) exact += 3;
    if (t > JAN1 + DAY) exact += leakGpm;
    ts.push(t);
    counter.push(Math.floor(exact / pulse) * pulse);
  }
  const c = computeConsumption(Float64Array.from(ts), Float64Array.from(counter));
  const curve = usageCurve(Float64Array.from(ts), c.usedGallons, { resolutionGallons: c.resolutionGallons, gapMs: c.gapMs });
  return { ts, c, curve };
}

test("no leak: the night-flow floor is zero despite a flush", () => {
  const { curve } = twoNights(0);
  const nights = nightFlows(curve, localClock("UTC"));
  expect(nights.map((n) => n.date)).toEqual(["2026-01-01", "2026-01-02"]);
  expect(nights.map((n) => n.minGpm)).toEqual([0, 0]);
  expect(nights[0]!.meanGpm).toBeCloseTo(3 / 120, 12);
  expect(continuousFlowMinutes(curve, JAN1 + 2 * DAY)).toBe(0);
});

test("a 0.4 gal/min leak gives a 0.4 gal/min night-flow floor, to the meter's resolution", () => {
  for (const pulse of [1, 10]) {
    const { curve } = twoNights(0.4, pulse);
    const nights = nightFlows(curve, localClock("UTC"));
    expect(nights[0]!.minGpm).toBe(0);
    // A 15-minute window of a smoothed pulse meter is off by at most one pulse over the joining distance.
    expect(Math.abs(nights[1]!.minGpm - 0.4)).toBeLessThanOrEqual(pulse / (curve.smearMs / MINUTE));
    // The flow has not stopped since the leak began (about 24 h by the end).
    const minutes = continuousFlowMinutes(curve, JAN1 + 2 * DAY);
    expect(minutes).toBeGreaterThan(23 * 60);
    expect(minutes).toBeLessThanOrEqual(24 * 60);
  }
});

test("the joining distance grows with the pulse size so a 0.2 gal/min flow reads as continuous", () => {
  expect(twoNights(0.4, 1).curve.smearMs).toBe(5 * MINUTE);
  expect(twoNights(0.4, 10).curve.smearMs).toBe(50 * MINUTE);
});

test("a night with a gap in its window gets no figure, and no rolling window crosses the gap", () => {
  const { ts, c } = twoNights(0.4);
  const keep = ts.map((t) => !(t > JAN1 + DAY + 2.5 * HOUR && t < JAN1 + DAY + 3.5 * HOUR));
  const t2 = Float64Array.from(ts.filter((_, i) => keep[i]));
  const used = Float64Array.from([...c.usedGallons].filter((_, i) => keep[i]));
  const curve = usageCurve(t2, used, { resolutionGallons: 1, gapMs: 5 * MINUTE });
  expect(curve.gaps).toEqual([[JAN1 + DAY + 2.5 * HOUR, JAN1 + DAY + 3.5 * HOUR]]);
  expect(nightFlows(curve, localClock("UTC")).map((n) => n.date)).toEqual(["2026-01-01"]);
  const rolling = rollingFlow(curve, JAN1 + DAY + 2 * HOUR, JAN1 + DAY + 4 * HOUR, 15 * MINUTE);
  for (const end of rolling.t) expect(end <= JAN1 + DAY + 2.5 * HOUR || end - 15 * MINUTE >= JAN1 + DAY + 3.5 * HOUR).toBe(true);
  expect(rolling.t.length).toBe(2 * 16); // window ends 02:15–02:30 before the gap and 03:45–04:00 after it
});

test("night_flow leaves a coarse meter to night_meter_hours: a flush and a softener joined by its curve are no floor", () => {
  // A 10-gallon meter: a flush at 02:05 (one step), a softener 02:30–04:10 at 0.55 gal/min. The
  // curve joins steps up to 50 minutes apart, so its 15-minute flow never fell to zero 02:00–04:00.
  const night = (pulse: number) => {
    const rows: Record<string, number>[] = [];
    let drawn = 0;
    for (let m = 0; m <= 6 * 60; m++) {
      if (m === 125) drawn += 10;
      if (m >= 150 && m < 250) drawn += 0.55;
      rows.push({ ts: JAN1 + m * MINUTE, Pulse_TotalGallons: 1000 + Math.floor(drawn / pulse + 1e-9) * pulse });
    }
    return analyzeFrame(frameOf(rows)).triggers.filter((t) => t.rule === "night_flow");
  };
  expect(night(10)).toEqual([]);
  // A 1-gallon meter reads the twenty minutes before the softener still: no floor either.
  expect(night(1)).toEqual([]);
});
