/**
 * What the owner's events do on a short simulator history, scored causally through the replay
 * `score` uses (the benchmark's figures are in docs/benchmarks.md; here only the direction):
 * a 0.25 gal/min leak in a week the household is away, with an `away` event over it, alarms
 * no later than the same leak at the same hour of an ordinary day; an `expected` event over a
 * pool fill leaves no alarm row inside it, nor in the hour after it that the fill's alarm takes
 * to clear.
 */
import { expect, test } from "bun:test";
import type { OwnerEvent } from "../src/events/events-file.ts";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 4, 4); // a Monday, UTC midnight: local days are UTC days here
const day0 = T0 / DAY;

test("away: a small leak alarms no later than on an ordinary day; expected: nothing inside a pool fill", () => {
  const base = deviceSpec(42, 0, 0);
  const spec = {
    ...base,
    tzOffsetHours: 0,
    household: { timeZone: "UTC", vacations: [{ fromDay: day0 + 6, toDay: day0 + 9 }], draws: { poolFills: [{ day: day0 + 5, startMinute: 540, minutes: 480, gpm: 8 }] } },
  };
  const awayLeak = T0 + 7 * DAY + 14 * HOUR;
  const ordinaryLeak = T0 + 10 * DAY + 14 * HOUR;
  const leak = (startMs: number) => ({ deviceId: spec.id, kind: "leak" as const, startMs, endMs: startMs + 12 * HOUR, size: 0.25 });
  const frame = simulateHistory({ seed: 42, device: spec, startMs: T0, endMs: T0 + 12 * DAY, scenarios: [leak(awayLeak), leak(ordinaryLeak)] });
  const cut = frame.ts.findIndex((t) => t >= T0 + 5 * DAY);
  const training = { ...frame, ts: frame.ts.subarray(0, cut), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(0, cut)])) };
  const { model } = trainLeakModel([training], { userLabel: "e2e", source: "simulated", nEstimators: 30, timeZone: "UTC" });
  const fill = { start: T0 + 5 * DAY + 9 * HOUR, end: T0 + 5 * DAY + 17 * HOUR };
  const events: OwnerEvent[] = [
    { id: "pool", device_id: spec.id, kind: "expected", start: fill.start, end: fill.end },
    { id: "holiday", device_id: spec.id, kind: "away", start: T0 + 6 * DAY, end: T0 + 9 * DAY },
  ];
  const bare = scoreReplay(model, [frame], { timeZone: "UTC", topFeatures: 0 });
  const told = scoreReplay(model, [frame], { timeZone: "UTC", topFeatures: 0, events });
  const inFill = (r: { ts: number }) => r.ts >= fill.start && r.ts < fill.end;
  // The fill alarms without the event (so the check below is not empty) and not with it.
  expect(bare.filter((r) => inFill(r) && r.isAnomaly).length).toBeGreaterThan(0);
  expect(told.filter((r) => inFill(r) && r.isAnomaly)).toEqual([]);
  // The fill's alarm outlasts it without the event; with it, that hour is silenced and says so.
  const afterFill = (r: { ts: number }) => r.ts >= fill.end && r.ts < fill.end + HOUR;
  expect(bare.filter((r) => afterFill(r) && r.isAnomaly).length).toBeGreaterThan(0);
  expect(told.filter((r) => afterFill(r) && r.isAnomaly)).toEqual([]);
  expect(told.find((r) => afterFill(r) && r.silencedBy)?.silencedBy).toEqual({ id: "pool", kind: "expected" });
  const firstAlarm = (rows: typeof told, startMs: number) => rows.find((r) => r.isAnomaly && r.ts >= startMs && r.ts < startMs + 12 * HOUR)?.ts;
  const away = firstAlarm(told, awayLeak);
  const ordinary = firstAlarm(told, ordinaryLeak) ?? ordinaryLeak + 12 * HOUR;
  expect(away).toBeDefined();
  expect(away! - awayLeak).toBeLessThanOrEqual(ordinary - ordinaryLeak);
  // …and the event only ever brings the alarm forward: without it the same leak alarms no sooner.
  expect(away!).toBeLessThanOrEqual(firstAlarm(bare, awayLeak) ?? awayLeak + 12 * HOUR);
}, 60_000);
