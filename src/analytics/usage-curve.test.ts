import { describe, expect, test } from "bun:test";
import { analyzeFrame } from "./analyze.ts";
import { frameOf, HOUR, MINUTE } from "./testing.ts";
import { joinRunsAcrossGaps, usageCurve } from "./usage-curve.ts";

const t0 = Date.UTC(2026, 2, 2);

/**
 * 1-minute readings of a meter of `pulse` gallons from 12:00 the day before (minute −720) to
 * `untilMin`, under `gpm(minute after midnight)`, none while `silent(minute)` (an outage: the
 * meter counts on, nobody reads it).
 */
function readings(gpm: (m: number) => number, pulse: number, silent: (m: number) => boolean, untilMin = 9 * 60) {
  const ts: number[] = [];
  const used: number[] = [];
  let drawn = 0;
  for (let m = -720; m <= untilMin; m++) {
    drawn += gpm(m);
    if (silent(m)) continue;
    ts.push(t0 + m * MINUTE);
    used.push(Math.floor(drawn / pulse) * pulse);
  }
  return { ts: Float64Array.from(ts), used: Float64Array.from(used) };
}

const outage = (m: number) => m >= 60 && m < 420; // 01:00–07:00
const leak = (rate: number) => (m: number) => (m >= -780 + 10 * 60 ? rate : 0); // from 11:00 the day before
/** A household: 2 gal/min for 10 minutes at 19:00, 22:00, 00:20 and 07:30, nothing else. */
const household = (m: number) => ([-300, -120, 20, 450].some((s) => m >= s && m < s + 10) ? 2 : 0);

function runsOf(gpm: (m: number) => number, pulse: number) {
  const { ts, used } = readings(gpm, pulse, outage);
  const curve = usageCurve(ts, used, { resolutionGallons: pulse, gapMs: 5 * MINUTE });
  return { curve, joined: joinRunsAcrossGaps(curve) };
}

describe("joinRunsAcrossGaps", () => {
  test("a coarse meter's run flowing into an outage and on after it is one run when the step across holds a pulse per joining distance", () => {
    const { curve, joined } = runsOf(leak(0.25), 10);
    expect(curve.runs.some((r) => r.startMs === t0 + 420 * MINUTE)).toBe(true); // begun again after the outage
    const across = joined.find((r) => r.startMs < t0 + 60 * MINUTE && r.endMs > t0 + 420 * MINUTE);
    expect(across).toBeDefined();
    // The gallons of the outage (6 h at 0.25 gal/min, within a pulse) are counted.
    expect(across!.gallons).toBeGreaterThan(90);
  });

  test("not when the step across the outage is less than the joining rate (a flush and a morning shower)", () => {
    const { joined } = runsOf(household, 10);
    expect(joined.some((r) => r.startMs < t0 + 60 * MINUTE && r.endMs > t0 + 420 * MINUTE)).toBe(false);
  });

  test("not on a fine meter, whose run means no stop of more than minutes, which a gap cannot show", () => {
    const { curve, joined } = runsOf(leak(0.25), 1);
    expect(joined).toEqual(curve.runs);
  });
});

describe("continuous_flow across an outage on a coarse meter", () => {
  /** The continuous_flow trigger of the whole history, analysed at its last reading (09:00). */
  function fires(gpm: (m: number) => number): boolean {
    const { ts, used } = readings(gpm, 10, outage);
    const frame = frameOf(Array.from(ts, (t, i) => ({ ts: t, Pulse_TotalGallons: 1000 + used[i]! })));
    return analyzeFrame(frame).triggers.some((t) => t.rule === "continuous_flow");
  }

  test("0.25 gal/min since 11:00 the day before, its one night in a 6-hour outage, fires after it", () => {
    expect(fires(leak(0.25))).toBe(true);
  });

  test("a household's evening, a flush before the outage and a shower after it do not", () => {
    expect(fires(household)).toBe(false);
  });
});
