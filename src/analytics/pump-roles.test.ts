import { describe, expect, test } from "bun:test";
import { simulateHistory } from "../sim/history.ts";
import { SITE_KINDS, siteOfKind } from "../sim/site-kinds.ts";
import { localClock } from "./local-time.ts";
import { computePumpHealth, pumpsIn, type PumpCycle, type PumpHealth } from "./pump-health.ts";
import { pressurePump, pressurePumpOf } from "./pump-roles.ts";

const t0 = Date.UTC(2026, 2, 2);
const DAY = 86_400_000;

/** The pressure pump found in 26 h of a site's telemetry (the rule stage's window). */
function found(kind: (typeof SITE_KINDS)[number], variant: number, seed: number): string | undefined {
  const frame = simulateHistory({ seed, device: siteOfKind(seed, kind, variant), startMs: t0 + 2 * DAY, endMs: t0 + 2 * DAY + 26 * 3_600_000 });
  const clock = localClock("UTC");
  const pumps = pumpsIn(frame).map((p) => computePumpHealth(frame, p, { clock }));
  return pressurePump(pumps)?.pump;
}

describe("pump roles", () => {
  // Which pump keeps the house pressure on each site kind: P2 only where P1 fills a cistern.
  const expected: Record<(typeof SITE_KINDS)[number], string> = {
    "switch-1gal": "P1",
    "meterless-booster": "P1",
    "vsd-0.1gal": "P1",
    "cistern-p1-fill": "P2",
    "single-phase-10gal": "P1",
    "vsd-meterless": "P1",
    "single-phase-0.1gal": "P1",
  };
  for (const kind of SITE_KINDS) {
    test(`${kind}: the pump answering pressure is ${expected[kind]}, on two variants and seeds`, () => {
      expect(found(kind, 0, 21)).toBe(expected[kind]);
      expect(found(kind, 1, 22)).toBe(expected[kind]);
    });
  }

  // A model learns the role from weeks of history (src/ml/leak-model.ts): judged day by day,
  // since over weeks at once a fill pump's long runs can show a larger median rise than the booster's.
  for (const kind of SITE_KINDS) {
    test(`${kind}: over three weeks of history, the pressure pump is ${expected[kind]}`, () => {
      // (the first two are meterless-booster sites where the median over three weeks at once picks P2)
      for (const [seed, variant] of [[11, 1], [12, 0], [13, 1]] as const) {
        const frame = simulateHistory({ seed, device: siteOfKind(seed, kind, variant), startMs: Date.UTC(2026, 1, 9), endMs: Date.UTC(2026, 1, 9) + 21 * DAY });
        expect(pressurePumpOf(frame) as string).toBe(expected[kind]);
      }
    });
  }

  test("too few runs of P1 keep its role unless another pump clearly raises the pressure", () => {
    const cycle = (rise: number): PumpCycle => ({ startMs: 0, endMs: 60_000, complete: true, meanCurrentA: 8, pressureRisePsi: rise, dryRun: false });
    const pump = (id: "P1" | "P2", rises: number[]) => ({ pump: id, cycles: rises.map(cycle) }) as unknown as PumpHealth;
    expect(pressurePump([pump("P1", [20]), pump("P2", [0.4, -0.2, 0.1])])?.pump).toBe("P1");
    expect(pressurePump([pump("P1", [0.3]), pump("P2", [19, 21])])?.pump).toBe("P2");
    expect(pressurePump([pump("P1", [0.2, 0.1, 0.3]), pump("P2", [1, 1.5])])?.pump).toBe("P2");
    expect(pressurePump([pump("P1", [])])?.pump).toBe("P1");
  });
});
