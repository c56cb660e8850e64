import { describe, expect, test } from "bun:test";
import { simulateHistory } from "./history.ts";
import { degradeFrame } from "./telemetry-faults.ts";

const t0 = Date.UTC(2026, 2, 2);
const HOUR = 3_600_000;
const frame = simulateHistory({ seed: 9, device: 1, startMs: t0, endMs: t0 + 24 * HOUR });

describe("telemetry faults", () => {
  test("5-minute polling keeps one row in five, late by a jittered few seconds", () => {
    const f = degradeFrame(frame, { seed: 1, polling: [{ startMs: t0, endMs: t0 + 24 * HOUR, everyMinutes: 5, jitterSeconds: 40 }] });
    expect(f.ts.length).toBe(288);
    const late = Array.from(f.ts, (t) => (t % 300_000) / 1000);
    expect(Math.max(...late)).toBeLessThanOrEqual(40);
    expect(new Set(late).size).toBeGreaterThan(20);
    for (let i = 1; i < f.ts.length; i++) expect(f.ts[i]!).toBeGreaterThan(f.ts[i - 1]!);
  });

  test("outages leave hours empty; missing and repeated rows come in the asked fractions", () => {
    const f = degradeFrame(frame, { seed: 2, missingFraction: 0.05, duplicateFraction: 0.02, outages: [{ startMs: t0 + 3 * HOUR, endMs: t0 + 6 * HOUR }] });
    expect(Array.from(f.ts).some((t) => t >= t0 + 3 * HOUR && t < t0 + 6 * HOUR)).toBe(false);
    const kept = 21 * 60;
    let stale = 0;
    for (let i = 1; i < f.ts.length; i++) {
      expect(f.ts[i]!).toBeGreaterThan(f.ts[i - 1]!);
      if (Object.values(f.columns).every((c) => c[i] === c[i - 1])) stale++;
    }
    expect(f.ts.length).toBeWithin(kept * 0.92, kept * 0.98);
    expect(stale).toBeWithin(kept * 0.01, kept * 0.035);
    expect(f.columns.S1!.length).toBe(f.ts.length);
  });

  test("the same seed degrades the same way", () => {
    const a = degradeFrame(frame, { seed: 3, missingFraction: 0.1 });
    const b = degradeFrame(frame, { seed: 3, missingFraction: 0.1 });
    expect(Array.from(a.ts)).toEqual(Array.from(b.ts));
  });
});
