import { describe, expect, test } from "bun:test";
import { continuousFlowTriggers, quietMsIn } from "./continuous-flow.ts";
import { localClock } from "./local-time.ts";
import { usageCurve } from "./usage-curve.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 2, 2);
const clock = localClock("UTC");
const quiet = { fromHour: 0, toHour: 5 };

/**
 * 1-minute readings of a meter of `pulse` gallons from 18:00 the day before to 18:00, under
 * `gpm(minute after midnight)`; the rule evaluated at `untilMin` (default the end).
 */
function fired(gpm: (minute: number) => number, pulse: number, untilMin = 18 * 60): number | null {
  const ts: number[] = [];
  const used: number[] = [];
  let drawn = 0;
  for (let m = -360; m <= untilMin; m++) {
    drawn += gpm(m);
    ts.push(t0 + DAY + m * MINUTE);
    used.push(Math.floor(drawn / pulse) * pulse);
  }
  const curve = usageCurve(Float64Array.from(ts), Float64Array.from(used), { resolutionGallons: pulse, gapMs: 3 * MINUTE });
  const found = continuousFlowTriggers("d", curve, clock, ts.at(-1)!);
  return found.length ? found[0]!.startMs : null;
}

/** The first 5-minute mark at which the rule fires (minutes after midnight), or null. */
function firesAt(gpm: (minute: number) => number, pulse: number): number | null {
  for (let m = -300; m <= 18 * 60; m += 5) if (fired(gpm, pulse, m) !== null) return m;
  return null;
}

const from = (start: number, rate: number) => (m: number) => (m >= start ? rate : 0);
/** A household's day on a 10-gallon meter: 2 gal/min for 10 minutes every 40 minutes, 06:00–22:00. */
const busyDay = (m: number) => (m >= 360 && m < 1320 && m % 40 < 10 ? 2 : 0);
/** A softener's regeneration, 02:30–04:00 at 0.6 gal/min. */
const softener = (m: number) => (m >= 150 && m < 240 ? 0.6 : 0);

/** 10 gal every 45 minutes until 23:30, a washer at 0.4 gal/min 23:45–00:45, a softener 01:00–02:30 at 0.6 gal/min. */
const lateEvening = (m: number) =>
  (m >= -300 && m < -25 && (m + 300) % 45 < 5 ? 2 : 0) + (m >= -15 && m < 45 ? 0.4 : 0) + (m >= 60 && m < 150 ? 0.6 : 0);

describe("continuous_flow on a coarse meter", () => {
  test.each([
    // Flows through 02:00–04:00, as the rule always asked.
    { name: "0.25 gal/min on a 10-gallon meter from 20:00 the evening before", gpm: from(-240, 0.25), pulse: 10, fires: true },
    // Begins inside the old 02:00–04:00 window: 2 h 20 min of it and after in the quiet hours.
    { name: "0.25 gal/min from 02:00 (begun inside the night's window)", gpm: from(120, 0.25), pulse: 10, fires: true },
    { name: "0.5 gal/min from 02:30", gpm: from(150, 0.5), pulse: 10, fires: true },
    { name: "0.25 gal/min from 03:30 (1.5 quiet hours before the morning)", gpm: from(210, 0.25), pulse: 10, fires: false },
    { name: "a busy day joined into one run by the coarse meter (no quiet hours)", gpm: busyDay, pulse: 10, fires: false },
    { name: "a softener's regeneration (90 minutes)", gpm: softener, pulse: 10, fires: false },
    { name: "a late evening, a washer from 23:45 and a softener until 02:30, joined by the coarse meter", gpm: lateEvening, pulse: 10, fires: false },
    { name: "2 hours of 0.5 gal/min in the afternoon on a 1-gallon meter (not coarse)", gpm: (m: number) => (m >= 840 && m < 980 ? 0.5 : 0), pulse: 1, fires: true },
  ])("$name", ({ gpm, pulse, fires }) => {
    expect(fired(gpm, pulse) !== null).toBe(fires);
  });

  test("a 0.25 gal/min leak from 02:00 on a 10-gallon meter fires once the run holds two quiet hours and is long enough", () => {
    // Its run begins at the first step (02:40); 3 h 10 min (2 h plus twice 35 minutes) later is 05:50.
    const at = firesAt(from(120, 0.25), 10)!;
    expect(at).toBeGreaterThanOrEqual(5 * 60 + 40);
    expect(at).toBeLessThanOrEqual(6 * 60 + 30);
  });
});

describe("quietMsIn", () => {
  test.each([
    { name: "inside one night", from: 1 * HOUR, to: 3 * HOUR, ms: 2 * HOUR },
    { name: "from the evening into the night", from: -4 * HOUR, to: 2 * HOUR, ms: 2 * HOUR },
    { name: "across a whole night and into the next", from: -1 * HOUR, to: DAY + 1 * HOUR, ms: 6 * HOUR },
    { name: "a day without quiet hours", from: 6 * HOUR, to: 22 * HOUR, ms: 0 },
  ])("$name", ({ from: a, to: b, ms }) => {
    expect(quietMsIn(clock, t0 + a, t0 + b, quiet)).toBe(ms);
  });

  // Denver's nights of the changes: 00:00–05:00 on the wall clock is 4 h in spring, 6 h in autumn.
  test.each([
    { name: "the spring change", midnight: Date.UTC(2026, 2, 8, 7), ms: 4 * HOUR },
    { name: "the autumn change", midnight: Date.UTC(2026, 10, 1, 6), ms: 6 * HOUR },
  ])("the quiet hours on the site's wall clock on $name", ({ midnight, ms }) => {
    const denver = localClock("America/Denver");
    expect(quietMsIn(denver, midnight - HOUR, midnight + 12 * HOUR, quiet)).toBe(ms);
  });
});
