import { expect, test } from "bun:test";
import { calibrateAlarm } from "./alarm-calibration.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

test("the activity gate learns the busiest hour at each local hour and the 24-hour draw of training's lowest days", () => {
  // Three days a minute apart, local time 7 hours behind UTC: the hour's gallons are 10 × the
  // local hour, except 500 at local 18:00 on the second day; the 24-hour mean flow is 0.01 over the
  // first day (a window still filling, left out) and then climbs from 0.2 by 0.1 a day.
  const names = ["gallons_5m", "gallons_1h", "flow_gpm_mean_24h"];
  const n = 3 * 24 * 60;
  const ts = Float64Array.from({ length: n }, (_, i) => i * MIN);
  const local = Float64Array.from(ts, (t) => t - 7 * HOUR);
  const data = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const h = Math.floor(((local[i]! % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR) / HOUR);
    data[i * 3] = 1;
    data[i * 3 + 1] = i >= 24 * 60 + 25 * 60 && i < 24 * 60 + 26 * 60 ? 500 : 10 * h;
    data[i * 3 + 2] = i < 24 * 60 ? 0.01 : 0.2 + (0.1 * (i - 24 * 60)) / (24 * 60);
  }
  const gate = calibrateAlarm([{ ts, local, decision: new Float64Array(n).fill(0.1), features: { names, data, cols: 3 } }]).activity_gate!;
  expect(gate.draw!.max).toBe(500);
  const byHour = gate.draw!.by_hour!;
  // Local 18:00 is UTC 01:00 of the second day: it and the hours either side carry the 500.
  expect([byHour[16], byHour[17], byHour[18], byHour[19], byHour[20]]).toEqual([170, 500, 500, 500, 210]);
  // Each other hour: the most of it and its neighbours, 10 × the later one; 23:00 wraps to 00:00.
  expect(byHour[5]).toBe(60);
  expect(byHour[23]).toBe(230);
  expect(byHour[0]).toBe(230);
  // 1 % of the full windows (the first day's left out) lay below it: 0.2 + 0.1 × 0.02.
  expect(gate.day!.feature).toBe("flow_gpm_mean_24h");
  expect(gate.day!.low).toBeCloseTo(0.202, 3);
});

test("a history shorter than a day sets no 24-hour low", () => {
  const names = ["gallons_5m", "gallons_1h", "flow_gpm_mean_24h"];
  const n = 12 * 60;
  const ts = Float64Array.from({ length: n }, (_, i) => i * MIN);
  const data = Float64Array.from({ length: n * 3 }, (_, k) => (k % 3 === 0 ? 1 : 0.5));
  const gate = calibrateAlarm([{ ts, decision: new Float64Array(n).fill(0.1), features: { names, data, cols: 3 } }]).activity_gate!;
  expect(gate.day).toBeUndefined();
  expect(gate.draw!.by_hour!.length).toBe(24);
});
