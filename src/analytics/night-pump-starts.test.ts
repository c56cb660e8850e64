import { expect, test } from "bun:test";
import { localClock } from "./local-time.ts";
import type { PumpCycle, PumpHealth } from "./pump-health.ts";
import { nightPumpStartTriggers } from "./night-pump-starts.ts";
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

/** 1-minute readings of the pump's state over day 3's quiet hours, the minutes in `lost` missing. */
function read(cycles: PumpCycle[], lost: number[]): { ts: Float64Array; running: Float64Array } {
  const ts: number[] = [];
  const running: number[] = [];
  for (let m = -30; m < 5 * 60 + 30; m++) {
    if (lost.includes(m)) continue;
    const t = JAN1 + 3 * DAY + m * MINUTE;
    ts.push(t);
    running.push(cycles.some((c) => t >= c.startMs && t < c.endMs) ? 1 : 0);
  }
  return { ts: Float64Array.from(ts), running: Float64Array.from(running) };
}

// A drive boosting for a minute every 3 minutes while a softener regenerates 02:30–04:00, a flush at
// 01:10 and one at 04:30. [case, minutes lost, fires]
const softenerNight = [...runs(2.5, 4, 3, 1), ...runs(1.17, 1.2, 60, 2), ...runs(4.5, 4.52, 60, 2)].sort((a, b) => a.startMs - b.startMs);
const lostReadings: [string, number[], boolean][] = [
  ["every reading there: the softener is one draw (hours 1, 2 and 4)", [], false],
  // The boost at 03:30 fell in the lost reading: 03:28–03:33 read as a 5-minute rest.
  ["the reading of one boost lost: still one draw, the rest was not seen", [210], false],
];
test.each(lostReadings)("night_pump_starts with its readings: %s", (_name, lost, expected) => {
  const { ts, running } = read(softenerNight, lost);
  // The cycles as the pump-health pass reads them: a boost whose reading was lost is not there.
  const seen = softenerNight.filter((c) => !lost.some((m) => JAN1 + 3 * DAY + m * MINUTE === c.startMs));
  const pump = { pump: "P1", cycles: seen, running } as unknown as PumpHealth;
  expect(nightPumpStartTriggers("d", pump, localClock("UTC"), {}, ts).length > 0).toBe(expected);
  // Without the readings, the lost boost's pause counted as a rest and a new draw in hour 3.
  if (lost.length) expect(nightPumpStartTriggers("d", pump, localClock("UTC")).length > 0).toBe(true);
});

test("night_pump_starts with its readings: a leak's starts after rests seen in four hours fire", () => {
  const cycles = runs(0.5, 4.5, 70, 3);
  const { ts, running } = read(cycles, []);
  const pump = { pump: "P1", cycles, running } as unknown as PumpHealth;
  expect(nightPumpStartTriggers("d", pump, localClock("UTC"), {}, ts).length).toBe(1);
});

test("night_pump_starts with its readings: the frame's first start follows no stop, whatever readings before it are missing", () => {
  const cycles = runs(0.5, 4.5, 70, 3);
  // A reading lost before the first start (00:10): that start still begins a draw, four hours fire.
  const { ts, running } = read(cycles, [10]);
  const pump = { pump: "P1", cycles, running } as unknown as PumpHealth;
  expect(nightPumpStartTriggers("d", pump, localClock("UTC"), {}, ts).length).toBe(1);
});
