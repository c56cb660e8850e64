import { expect, test } from "bun:test";
import { localClock } from "./local-time.ts";
import type { PumpCycle, PumpHealth } from "./pump-health.ts";
import { nightPumpStartTriggers } from "./rules.ts";
import { DAY, HOUR, JAN1, MINUTE } from "./testing.ts";

/** Runs of `runMin` minutes, one every `everyMin` minutes, from local (UTC) hour `from` to `to` on day 3. */
function runs(from: number, to: number, everyMin: number, runMin: number): PumpCycle[] {
  const out: PumpCycle[] = [];
  for (let t = JAN1 + 3 * DAY + from * HOUR; t < JAN1 + 3 * DAY + to * HOUR; t += everyMin * MINUTE) {
    out.push({ startMs: t, endMs: t + runMin * MINUTE, complete: true, meanCurrentA: 5, pressureRisePsi: 10, dryRun: false });
  }
  return out;
}

function fires(cycles: PumpCycle[]): boolean {
  const pump = { pump: "P1", cycles: cycles.sort((a, b) => a.startMs - b.startMs) } as unknown as PumpHealth;
  return nightPumpStartTriggers("d", pump, localClock("UTC")).length > 0;
}

// [case, cycles, fires]
const cases: [string, PumpCycle[], boolean][] = [
  // A constant-pressure drive sleeping and boosting every 3.5 minutes while a softener regenerates
  // 02:30–04:10 (three clock hours), and a flush at 01:10: two draws, not starts in four hours.
  ["a drive's sleep/boost cycles through a softener's regeneration, and a flush", [...runs(2.5, 4.17, 3.5, 1.5), ...runs(1.17, 1.2, 60, 2)], false],
  // The same starts, each after a rest of more than 5 minutes: four draws in four hours.
  ["starts after a rest in four quiet hours (a leak on a pressure switch)", runs(0.5, 4.5, 70, 3), true],
  ["starts after a rest in three quiet hours", runs(0.5, 3.4, 70, 3), false],
  // Runs 2 minutes apart all night are one draw: the rest guard's and the flow rules' business.
  ["a drive never resting all night", runs(0, 5, 3, 1), false],
];
test.each(cases)("night_pump_starts: %s", (_name, cycles, expected) => {
  expect(fires(cycles)).toBe(expected);
});
