import { describe, expect, test } from "bun:test";
import { siteOfKind, type SiteKind } from "../sim/site-kinds.ts";
import { simulateHistory } from "../sim/history.ts";
import { trainLeakModel } from "./leak-model.ts";
import * as v from "valibot";
import { REST_GUARD, RestGuard, restGuardFor, RestGuardSchema } from "./rest-guard.ts";
import { sliceFrame as cut } from "./feature-testing.ts";
import { scoreFrames } from "./score-frame.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const names = [...REST_GUARD.features];

/** A feature row: pump current and pressure range over 5 and 15 minutes. */
function row(busy: boolean, polledBusy = busy): number[] {
  return [busy ? 3 : 0, busy ? 8 : 0.1, polledBusy ? 3 : 0, polledBusy ? 8 : 0.1];
}

describe("rest guard, row by row", () => {
  // Training: every day busy 60 minutes from 06:30, else at rest (UTC = local here).
  const days = 7;
  const ts = Float64Array.from({ length: days * 1440 }, (_, i) => i * MIN);
  const data = Float64Array.from(Array.from(ts, (t) => row((t % DAY) >= 6.5 * HOUR && (t % DAY) < 7.5 * HOUR)).flat());
  const params = restGuardFor([{ ts, features: { names, data, cols: names.length } }], 1)!;

  test("training's longest stretch without a rest is kept per hour", () => {
    expect(params.busy_max_minutes[7]).toBe(60);
    expect(params.busy_max_minutes[6]).toBe(30);
    expect(params.busy_max_minutes[3]).toBe(0);
    expect(params.min_minutes).toBe(REST_GUARD.minMinutes);
  });

  // [case, start hour, minutes busy, rows every (min), fires by the end]
  const cases: [string, number, number, number, boolean][] = [
    ["a quiet hour, 60 min without a rest", 14, 60, 1, true],
    ["a quiet hour, 45 min: under the 50-minute floor", 14, 45, 1, false],
    ["06:30, 60 min as long as training's longest", 6.5, 60, 1, false],
    ["06:30, 70 min: past training's longest by more than 5 min", 6.5, 70, 1, true],
    ["09:00, 60 min: an hour after training's busy hour", 9, 60, 1, true],
    ["5-minute polling, 60 min without a 15-minute rest", 14, 60, 5, true],
  ];
  for (const [name, hour, minutes, every, fires] of cases) {
    test(name, () => {
      const guard = new RestGuard(params, names);
      const start = 10 * DAY + hour * HOUR;
      let fired = false;
      for (let t = start - 30 * MIN; t <= start + minutes * MIN; t += every * MIN) fired = guard.push(t, t, row(t > start)) || fired;
      expect(fired).toBe(fires);
    });
  }

  test("a silence longer than the carry-forward starts the count again", () => {
    const guard = new RestGuard(params, names);
    const start = 10 * DAY + 14 * HOUR;
    for (let t = start; t <= start + 40 * MIN; t += MIN) guard.push(t, t, row(true));
    // 30 minutes without readings, then 20 busy minutes: 20 minutes without a rest, not 90.
    let fired = false;
    for (let t = start + 70 * MIN; t <= start + 90 * MIN; t += MIN) fired = guard.push(t, t, row(true)) || fired;
    expect(fired).toBe(false);
  });

  // The hour is the local time handed in, not the UTC one: 60 busy minutes from 13:30 UTC are
  // ordinary at 06:30 local (UTC−7), the household's busy hour, and a leak at 13:30 local.
  const offsets: [string, number, boolean][] = [["at 06:30 local (UTC−7)", -7 * HOUR, false], ["at 13:30 local (UTC)", 0, true]];
  for (const [name, offset, fires] of offsets) {
    test(`local hour from the local time given: 13:30 UTC ${name}`, () => {
      const guard = new RestGuard(params, names);
      const start = 10 * DAY + 13.5 * HOUR;
      let fired = false;
      for (let t = start - 30 * MIN; t <= start + 60 * MIN; t += MIN) fired = guard.push(t, t + offset, row(t > start)) || fired;
      expect(fired).toBe(fires);
    });
  }

  test("sinceMs: the site's last rest before the row", () => {
    const guard = new RestGuard(params, names);
    const start = 10 * DAY + 14 * HOUR;
    for (let t = start - 10 * MIN; t <= start + 55 * MIN; t += MIN) guard.push(t, t, row(t > start));
    expect(guard.sinceMs).toBe(start);
  });

  // A draw new since training (an irrigation zone from 14:00, where training always rested)
  // keeps the site busy 40 minutes, under the guard's floor; the day it runs 55 minutes the
  // guard passes training's limit, and the zone's own earlier days excuse it — measured the
  // same way under 5-minute polling. Around 07:00 training went 60 minutes without a rest: a
  // stretch must pass that by the guard's 5-minute margin to make a schedule.
  // [case, hour, earlier days' minutes, today's minutes, today's rows every (min), fires today]
  const schedules: [string, number, number, number, number, boolean][] = [
    ["no earlier day: a 55-minute stretch fires", 14, 0, 55, 1, true],
    ["40 minutes on the two days before: 55 minutes is excused", 14, 40, 55, 1, false],
    ["40 minutes on the two days before: 65 minutes is past them by more than 15 and fires", 14, 40, 65, 1, true],
    ["20 minutes on the two days before: too short to make a schedule, 55 fires", 14, 20, 55, 1, true],
    ["40 minutes on the two days before, today polled every 5 minutes: excused", 14, 40, 55, 5, false],
    ["07:00, 62 minutes before (training's 60 plus less than the margin): no schedule, 70 fires", 7, 62, 70, 1, true],
  ];
  for (const [name, hour, earlier, today, every, fires] of schedules) {
    test(`schedule: ${name}`, () => {
      const guard = new RestGuard(params, names);
      const day = (d: number, minutes: number, step: number) => {
        const start = d * DAY + hour * HOUR;
        let fired = false;
        for (let t = start - 30 * MIN; t <= start + (minutes + 30) * MIN; t += step * MIN) fired = guard.push(t, t, row(t > start && t <= start + minutes * MIN)) || fired;
        return fired;
      };
      for (const d of [10, 11]) expect(day(d, earlier, 1)).toBe(false);
      expect(day(12, today, every)).toBe(fires);
    });
  }

  // A model file written before the guard stopped reading the hour features lists them after its own.
  const files: [string, string[], boolean][] = [
    ["today's four features", [...REST_GUARD.features], true],
    ["an older file's six (the hour features last)", [...REST_GUARD.features, "hour_sin", "hour_cos"], true],
    ["five", [...REST_GUARD.features, "hour_sin"], false],
  ];
  for (const [name, features, ok] of files) {
    test(`model file: ${name}`, () => {
      expect(v.safeParse(RestGuardSchema, { ...params, features }).success).toBe(ok);
    });
  }

  test("an older file's guard reads the same four features", () => {
    const older = new RestGuard({ ...params, features: [...REST_GUARD.features, "hour_sin", "hour_cos"] }, [...names, "hour_sin", "hour_cos"]);
    expect(older.usable).toBe(true);
    const start = 10 * DAY + 14 * HOUR;
    let fired = false;
    for (let t = start - 30 * MIN; t <= start + 60 * MIN; t += MIN) fired = older.push(t, t, [...row(t > start), 0, 1]) || fired;
    expect(fired).toBe(true);
  });
});

describe("rest guard on simulator history (no meter)", () => {
  // A 2 gal/min leak starting 14:00 local after 10 leak-free days: the site never rests again and
  // `no_rest` fires within the hour; the leak-free day before it raises no `no_rest`.
  const t0 = Date.UTC(2026, 2, 2);
  const cases: [SiteKind, number][] = [["cistern-p1-fill", 23], ["vsd-meterless", 24]];
  for (const [kind, seed] of cases) {
    test(`${kind}: 2 gal/min alarmed within the hour, a normal day not`, () => {
      const spec = siteOfKind(seed, kind, 0);
      const leakStart = t0 + 11 * DAY + (14 - spec.tzOffsetHours) * HOUR;
      const history = simulateHistory({
        seed, device: spec, startMs: t0, endMs: leakStart + 2 * HOUR,
        scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leakStart, endMs: leakStart + 2 * HOUR, size: 2 }],
      });
      const { model } = trainLeakModel([cut(history, t0, t0 + 10 * DAY)], { userLabel: "test", source: "simulated", nEstimators: 30 });
      expect(model.alarm.rest_guard).toBeDefined();
      const rows = scoreFrames(model, [cut(history, t0 + 10 * DAY - 2 * HOUR, leakStart + 2 * HOUR)], { topFeatures: 0 });
      const restless = (from: number, to: number) => rows.filter((r) => r.ts >= from && r.ts < to && r.rules.includes(REST_GUARD.rule));
      expect(restless(t0 + 10 * DAY, leakStart)).toEqual([]);
      const first = restless(leakStart, leakStart + 2 * HOUR)[0];
      expect(first).toBeDefined();
      expect(first!.ts - leakStart).toBeLessThanOrEqual(HOUR);
      expect(first!.isAnomaly).toBe(true);
    });
  }
});
