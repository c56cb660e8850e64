import { expect, test } from "bun:test";
import { RecurringStretches } from "./recurring-stretch.ts";

const MIN = 60_000;
const DAY = 86_400_000;

// [case, yesterday's stretch (start, first row, minutes), today's (start, first row, minutes), today excused at its end]
const cases: [string, [number, number, number], [number, number, number], boolean][] = [
  ["the same time of day, as long: excused", [360, 360, 40], [365, 365, 40], true],
  ["an hour later: not a schedule", [360, 360, 40], [420, 420, 40], false],
  ["longer than yesterday's plus 15 minutes: no longer excused", [360, 360, 20], [360, 360, 40], false],
  // Dated from the last rest: yesterday the guard passed after 20 busy minutes, today after 55.
  ["started at the same time, the guard passed later: excused", [360, 380, 40], [360, 415, 10], true],
  ["the same, dated by the first row only: not a schedule", [380, 380, 40], [415, 415, 10], false],
];
for (const [name, y, t, excused] of cases) {
  test(name, () => {
    const s = new RecurringStretches();
    for (let m = y[1]; m <= y[1] + y[2]; m++) s.scheduled(m * MIN, true, y[0] * MIN);
    let last = false;
    for (let m = t[1]; m <= t[1] + t[2]; m++) last = s.scheduled(DAY + m * MIN, true, DAY + t[0] * MIN);
    expect(last).toBe(excused);
  });
}
