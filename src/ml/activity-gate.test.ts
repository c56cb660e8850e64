import { describe, expect, test } from "bun:test";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { siteOfKind, type SiteKind } from "../sim/site-kinds.ts";
import { simulateHistory } from "../sim/history.ts";
import { sliceFrame } from "./feature-testing.ts";
import { trainLeakModel } from "./leak-model.ts";
import { scoreFrames } from "./score-frame.ts";
import { VerdictStream, type AlarmParams } from "./verdict.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const t0 = Date.UTC(2026, 2, 2);

const cut = sliceFrame;

describe("the forest's alarm ends with the draw that raised it", () => {
  // A leak of 12 h on simulator history, stopping late in the evening, scored without the flow
  // rules: the forest's alarm ends within the hour after the leak stops (the house is quiet),
  // though the 24-hour windows are still full of it. A busy hour after a leak keeps it until the
  // house's first quiet spell.
  // Without a meter a quiet spell is read from the pressure, which the evening's small draws keep
  // moving for a while longer than a meter's pulses: within 2 h there.
  const cases: [SiteKind, number, number][] = [["switch-1gal", 41, 1], ["meterless-booster", 42, 2]];
  for (const [kind, seed, hours] of cases) {
    test(`${kind}: leak stops → the forest's alarm ends within ${hours} h`, () => {
      const spec = siteOfKind(seed, kind, 0);
      // 22:30 local
      const leakEnd = t0 + 8 * DAY + (22.5 - spec.tzOffsetHours) * HOUR;
      const leakStart = leakEnd - 12 * HOUR;
      const history = simulateHistory({
        seed, device: spec, startMs: t0, endMs: leakEnd + 24 * HOUR,
        scenarios: [{ deviceId: spec.id, kind: "leak", startMs: leakStart, endMs: leakEnd, size: 1 }],
      });
      const { model } = trainLeakModel([cut(history, t0, t0 + 7 * DAY)], { userLabel: "test", source: "simulated", nEstimators: 50 });
      expect(model.alarm.activity_gate).toBeDefined();
      const scored = (gated: boolean) => {
        // The forest alone: the range guard reads the last hour only, and is a rule of its own.
        const alarm = { ...model.alarm, range_guard: undefined };
        const m = { ...model, alarm: gated ? alarm : { ...alarm, activity_gate: undefined } };
        return scoreFrames(m, [cut(history, t0 + 7 * DAY, leakEnd + 24 * HOUR)], { topFeatures: 0 });
      };
      const rows = scored(true);
      expect(rows.some((r) => r.isAnomaly && r.ts >= leakStart && r.ts < leakEnd)).toBe(true);
      // When the episode the leak raised ends: the first row after the leak with no alarm.
      const ends = (scored: { ts: number; isAnomaly: boolean }[]) => scored.find((r) => r.ts >= leakEnd && !r.isAnomaly)!.ts - leakEnd;
      expect(ends(rows)).toBeLessThanOrEqual(hours * HOUR);
      // Without the gate the same forest holds the alarm for hours after the leak.
      expect(ends(scored(false))).toBeGreaterThan(2 * hours * HOUR);
    });
  }
});

describe("the forest's alarm ends within the hour after a pool fill", () => {
  // An 8-hour pool fill at 8 gal/min on simulator history, guests in the house (a busy evening
  // after it, no quiet spell for hours), scored by the forest alone: its windows are full of the
  // fill for hours, yet the alarm ends within the hour of the fill's end, when the hour's draw
  // has fallen back to half the busiest training hour. Without that, the evening holds it.
  const cases: [SiteKind, number][] = [["vsd-0.1gal", 44], ["meterless-booster", 42]];
  test.each(cases)("%s", (kind, seed) => {
    const day0 = Math.floor(t0 / DAY);
    const base = siteOfKind(seed, kind, 0);
    const guests = [{ fromDay: day0 + 6, toDay: day0 + 10, extra: 4 }];
    const spec = { ...base, tzOffsetHours: 0, household: { timeZone: "UTC", guests, draws: { poolFills: [{ day: day0 + 8, startMinute: 540, minutes: 480, gpm: 8 }] } } };
    const fillEnd = t0 + 8 * DAY + 17 * HOUR;
    const history = simulateHistory({ seed, device: spec, startMs: t0, endMs: fillEnd + 12 * HOUR });
    const { model } = trainLeakModel([cut(history, t0, t0 + 7 * DAY)], { userLabel: "test", source: "simulated", nEstimators: 50, timeZone: "UTC" });
    expect(model.alarm.activity_gate?.draw).toBeDefined();
    const alarmEnds = (withDraw: boolean) => {
      const gate = { ...model.alarm.activity_gate!, draw: withDraw ? model.alarm.activity_gate!.draw : undefined };
      // Without the rest guard either: its clock (the site at rest) would end it too without a meter.
      const rows = scoreFrames({ ...model, alarm: { ...model.alarm, range_guard: undefined, rest_guard: undefined, activity_gate: gate } }, [cut(history, t0 + 7 * DAY, fillEnd + 12 * HOUR)], { topFeatures: 0, timeZone: "UTC" });
      expect(rows.some((r) => r.isAnomaly && r.ts >= fillEnd - 8 * HOUR && r.ts < fillEnd)).toBe(true);
      return rows.find((r) => r.ts >= fillEnd && !r.isAnomaly)!.ts - fillEnd;
    };
    expect(alarmEnds(true)).toBeLessThanOrEqual(HOUR);
    expect(alarmEnds(false)).toBeGreaterThan(HOUR);
  });
});

describe("without a meter, the forest raises nothing once a long hose has stopped", () => {
  // A 50-minute hose at 6 gal/min on simulator history, scored by the forest (the range guard off;
  // the rest guard lends its clock): the pressure's 15-minute range, the gate's measure, still
  // reads the hose for 15 minutes after it stopped, and the forest's 30-minute mean turned
  // unusual just then — it alarmed 5–28 minutes after the hose with the site at rest.
  test.each([["meterless-booster", 41], ["cistern-p1-fill", 41]] as [SiteKind, number][])("%s", (kind, seed) => {
    const day0 = Math.floor(t0 / DAY);
    const base = siteOfKind(seed, kind, 0);
    const spec = { ...base, tzOffsetHours: 0, household: { timeZone: "UTC", draws: { hoseSessions: [{ day: day0 + 8, startMinute: 14 * 60, minutes: 50, gpm: 6 }] } } };
    const hoseEnd = t0 + 8 * DAY + 14 * HOUR + 50 * MIN;
    const history = simulateHistory({ seed, device: spec, startMs: t0, endMs: hoseEnd + 6 * HOUR });
    const { model } = trainLeakModel([cut(history, t0, t0 + 7 * DAY)], { userLabel: "test", source: "simulated", nEstimators: 50, timeZone: "UTC" });
    expect(model.alarm.rest_guard).toBeDefined();
    const rows = scoreFrames({ ...model, alarm: { ...model.alarm, range_guard: undefined } }, [cut(history, t0 + 7 * DAY, hoseEnd + 6 * HOUR)], { topFeatures: 0, timeZone: "UTC" });
    expect(rows.filter((r) => r.ts >= hoseEnd && r.isAnomaly && r.rules.length === 0).length).toBe(0);
  });
});

describe("activity gate", () => {
  const params: AlarmParams = {
    short_window_minutes: 30, long_window_minutes: 360, short_threshold: 0, long_threshold: -0.5, short_scale: 0.05, long_scale: 0.05,
    min_coverage: 0.5, rule_floor: 90, episode_merge_minutes: 60,
    activity_gate: { features: ["gallons_5m"], above: [0], quiet_minutes: 15, active_minutes: 45 },
  };
  const run = (minutes: number, gallons: (m: number) => number, decision: (m: number) => number) => {
    const stream = new VerdictStream(params, ["gallons_5m"]);
    return Array.from({ length: minutes }, (_, m) => stream.push(m * MIN, decision(m), [], [gallons(m)]).isAnomaly);
  };

  test("an unusual stretch alarms only after 45 minutes of drawing, and once it has held for 5 minutes", () => {
    const alarms = run(120, () => 1, () => -0.2);
    expect(alarms.indexOf(true)).toBe(45 + 5);
  });

  // The smoothed (30-minute) score just above its threshold, pushed under it by a few low
  // readings and back over it by a few high ones: a graze of `minutes`; or held under for long.
  const graze = (from: number, minutes: number) => (m: number) => (m >= from && m < from + minutes ? -0.1 : m >= from + minutes && m < from + 2 * minutes ? 0.1 : 0.005);
  test.each([
    { name: "a 3-minute graze of the threshold raises nothing", decision: graze(60, 3), first: -1 },
        { name: "a stretch under it from minute 60 alarms 5 minutes after the mean crossed", decision: (m: number) => (m >= 60 ? -0.1 : 0.005), first: 61 + 5 },
  ])("$name", ({ decision, first }) => {
    expect(run(120, () => 1, decision).indexOf(true)).toBe(first);
  });

  test("a quiet spell ends the alarm, and busy hours after it do not raise it while the forest is still unusual", () => {
    // drawing for 3 h, quiet for 20 min, drawing again for 2 h; the forest unusual throughout
    const gallons = (m: number) => (m >= 180 && m < 200 ? 0 : 1);
    const alarms = run(320, gallons, () => -0.2);
    expect(alarms[179]).toBe(true);
    expect(alarms.slice(195).includes(true)).toBe(false);
  });

  test("once the forest is normal again, the next unusual draw alarms", () => {
    const gallons = (m: number) => (m >= 180 && m < 200 ? 0 : 1);
    const decision = (m: number) => (m >= 200 && m < 260 ? 0.3 : -0.2);
    const alarms = run(400, gallons, decision);
    expect(alarms.slice(200, 260).includes(true)).toBe(false);
    expect(alarms.slice(260).includes(true)).toBe(true);
  });

  test("the verdict says how long the site has drawn without a quiet spell (what an away event reads)", () => {
    const stream = new VerdictStream(params, ["gallons_5m"]);
    const gallons = (m: number) => (m >= 90 && m < 110 ? 0 : 1);
    const drawing = Array.from({ length: 160 }, (_, m) => stream.push(m * MIN, 0.3, [], [gallons(m)]).drawingMinutes);
    expect(drawing[60]).toBe(60);
    // A pause shorter than a quiet spell does not break the draw (it counts to the last drawing row)…
    expect(drawing[100]).toBe(89);
    // …15 minutes without a pulse is one: 0 until the next draw, which counts afresh.
    expect(drawing[104]).toBe(0);
    expect(drawing[130]).toBe(20);
  });

  test("one pulse of a coarse meter is no draw of the length its quiet spell lasts", () => {
    const coarse = { ...params, activity_gate: { ...params.activity_gate!, quiet_minutes: 80 } };
    const stream = new VerdictStream(coarse, ["gallons_5m"]);
    // 10 gallons at minute 0 (5 minutes in the 5-minute window), then nothing for an hour; then pulses every 20 minutes.
    const gallons = (m: number) => (m < 5 || (m >= 65 && (m - 65) % 20 < 5) ? 10 : 0);
    const drawing = Array.from({ length: 200 }, (_, m) => stream.push(m * MIN, 0.3, [], [gallons(m)]).drawingMinutes);
    expect(drawing[60]).toBe(4);
    expect(drawing[150]).toBe(149);
  });

  test("a vacation's near-zero use raises nothing, however unusual", () => {
    expect(run(24 * 60, (m) => (m % 240 === 0 ? 1 : 0), () => -0.5).includes(true)).toBe(false);
  });
});

describe("the forest alarms only on the side of more water", () => {
  const names = ["gallons_5m", "gallons_1h", "flow_gpm_mean_24h"];
  const byHour = Array.from({ length: 24 }, (_, h) => (h >= 6 && h < 22 ? 60 : 10));
  const params: AlarmParams = {
    short_window_minutes: 30, long_window_minutes: 360, short_threshold: 0, long_threshold: -0.5, short_scale: 0.05, long_scale: 0.05,
    min_coverage: 0.5, rule_floor: 90, episode_merge_minutes: 60,
    activity_gate: {
      features: ["gallons_5m"], above: [0], quiet_minutes: 15, active_minutes: 45,
      draw: { feature: "gallons_1h", max: 100, by_hour: byHour },
      day: { feature: "flow_gpm_mean_24h", low: 0.1 },
    },
  };
  // Rows a minute apart from local midnight (UTC here), drawing throughout; the forest unusual
  // throughout but for the hour after noon (normal again after a draw, it may alarm again).
  const decision = (m: number) => (m >= 12 * 60 && m < 13 * 60 ? 0.3 : -0.2);
  const run = (minutes: number, hour: (m: number) => number, day: (m: number) => number, p = params) => {
    const stream = new VerdictStream(p, names);
    return Array.from({ length: minutes }, (_, m) => stream.push(m * MIN, decision(m), [], [1, hour(m), day(m)]));
  };

  test("a day that drew less than training's does not alarm, and the verdict says why", () => {
    const low = run(120, () => 5, () => 0.05);
    expect(low.some((v) => v.isAnomaly)).toBe(false);
    expect(low[100]!.reason).toBe("less drawn in 24 h than in training (flow_gpm_mean_24h 0.05 < 0.1)");
    // Before the site has drawn 45 minutes the forest would not alarm anyway: nothing to explain.
    expect(low[30]!.reason).toBeUndefined();
    const usual = run(120, () => 5, () => 0.3);
    expect(usual.findIndex((v) => v.isAnomaly)).toBe(45 + 5);
    expect(usual[100]!.reason).toBeUndefined();
  });

  // A 4-hour draw of 200 gal/h (twice training's busiest hour) from 08:00, back to 5 gal/h at
  // noon; the forest unusual again from 13:00 (its 24-hour windows hold the draw).
  const bigDraw = (after: (m: number) => number) => (m: number) => (m >= 8 * 60 && m < 12 * 60 ? 200 : m >= 12 * 60 ? after(m) : 5);
  const forestAfter = (rows: { isAnomaly: boolean }[], from: number, to: number) => rows.slice(from, to).some((v) => v.isAnomaly);

  test("in the day after a draw beyond the busiest training hour, an hour no busier than training's at that time does not alarm", () => {
    const rows = run(40 * 60, bigDraw(() => 30), () => 0.5);
    // 30 gal/h is under the 60 of the day's training hours and over the 10 of the night's: only the night's alarm.
    expect(forestAfter(rows, 13 * 60, 22 * 60)).toBe(false);
    expect(rows[15 * 60]!.reason).toBe("an unusual draw ended within 24 h; the last hour drew no more than training at this hour (gallons_1h 30 <= 60)");
    expect(forestAfter(rows, 22 * 60 + 5, 24 * 60)).toBe(true);
    // A day after the draw ended the check is over.
    expect(forestAfter(rows, 36 * 60 + 10, 40 * 60)).toBe(true);
  });

  test("…and one busier than training's at that hour alarms", () => {
    const rows = run(20 * 60, bigDraw(() => 80), () => 0.5);
    expect(forestAfter(rows, 13 * 60, 20 * 60)).toBe(true);
  });

  test("a quiet spell while the forest is unusual (a leak or a hose stopped) starts the same day of stricter hours", () => {
    // 30 gal/h all day (under the day's 60, over the night's 10): drawing from 00:00 to 06:00,
    // quiet for 20 minutes, drawing again; the forest unusual throughout but for 07:00–08:00.
    const gallons5m = (m: number) => (m >= 6 * 60 && m < 6 * 60 + 20 ? 0 : 1);
    const unusual = (m: number) => (m >= 7 * 60 && m < 8 * 60 ? 0.3 : -0.2);
    const stream = new VerdictStream(params, names);
    const rows = Array.from({ length: 31 * 60 }, (_, m) => stream.push(m * MIN, unusual(m), [], [gallons5m(m), 30, 0.5]));
    expect(forestAfter(rows, 50, 6 * 60)).toBe(true);
    expect(forestAfter(rows, 8 * 60, 22 * 60)).toBe(false);
    expect(rows[12 * 60]!.reason).toStartWith("an unusual draw ended within 24 h");
    // The night's hours are over training's; 24 h after the quiet spell the check is over.
    expect(forestAfter(rows, 22 * 60 + 5, 24 * 60)).toBe(true);
    expect(forestAfter(rows, 30 * 60 + 25, 31 * 60)).toBe(true);
    expect(rows[30 * 60 + 25]!.reason).toBeUndefined();
  });

  // The long window alone unusual, from an earlier draw the site rested after: a quiet night,
  // then (04:00–05:00) a draw the forest finds a little unusual though not enough to alarm, a rest
  // (05:00–06:40) its 24-hour windows keep a little low, and an ordinary household draw from
  // 06:40 (or, `rested` false, the site drawing on without a rest). Minutes from midnight.
  const lateLong = { ...params, short_threshold: -0.3, long_threshold: 0 };
  const lateDecision = (m: number) => (m < 240 ? 0.1 : m < 300 ? -0.25 : m < 400 ? -0.05 : -0.1);
  const lateRun = (rested: boolean, hour: number) => {
    const drawing = (m: number) => (m >= 240 && (!rested || m < 300 || m >= 400) ? 1 : 0);
    const stream = new VerdictStream(lateLong, names);
    return Array.from({ length: 520 }, (_, m) => stream.push(m * MIN, lateDecision(m), [], [drawing(m), hour, 0.5]));
  };
  test.each([
    { name: "an hour no busier than training's, after a rest, does not alarm", rested: true, hour: 30, first: -1 },
    { name: "one busier than training's at that hour alarms (a leak that began after the rest)", rested: true, hour: 80, first: 400 + 45 + 5 },
    // The draw has run since 04:00 with no rest: past half the 6-hour window it owns the mean,
    // and the mean, under its threshold since 06:40, has stayed there for 30 minutes by 07:10.
    { name: "a draw without a rest that fills half the long window alarms", rested: false, hour: 30, first: 400 + 30 },
  ])("the long window alone: $name", ({ rested, hour, first }) => {
    const rows = lateRun(rested, hour);
    // The long window is what is unusual here, not the short one.
    expect(rows[460]!.longMean).toBeLessThan(0);
    expect(rows[460]!.shortMean).toBeGreaterThan(-0.3);
    expect(rows.findIndex((v) => v.isAnomaly)).toBe(first);
  });

  test("…and the verdict says why it held the long window back", () => {
    expect(lateRun(true, 30)[460]!.reason).toBe("the long window is unusual from before the site last rested; the last hour drew no more than training at this hour (gallons_1h 30 <= 60)");
  });

  test("a model without the hourly maxima or the day's low (an older file) skips those checks", () => {
    const { by_hour: _, ...draw } = params.activity_gate!.draw!;
    const older = { ...params, activity_gate: { ...params.activity_gate!, draw, day: undefined } };
    expect(forestAfter(run(20 * 60, bigDraw(() => 30), () => 0.05, older), 13 * 60, 20 * 60)).toBe(true);
  });
});

describe("the long window alone alarms once it has stayed unusual for as long as the short window spans", () => {
  // The 30-minute window never unusual (its threshold out of reach), the 6-hour one unusual once
  // the forest's scores turn low at minute 240; drawing throughout, an hour's gallons of `hour`.
  const params: AlarmParams = {
    short_window_minutes: 30, long_window_minutes: 360, short_threshold: -1, long_threshold: 0, short_scale: 0.05, long_scale: 0.05,
    min_coverage: 0.5, rule_floor: 90, episode_merge_minutes: 60,
    activity_gate: { features: ["gallons_5m"], above: [0], quiet_minutes: 15, active_minutes: 45, draw: { feature: "gallons_1h", max: 100 } },
  };
  const run = (hour: number) => {
    const stream = new VerdictStream(params, ["gallons_5m", "gallons_1h"]);
    return Array.from({ length: 480 }, (_, m) => {
      const v = stream.push(m * MIN, m < 240 ? 0.1 : -0.3, [], [1, hour]);
      return { m, crossed: v.longMean < 0, alarm: v.isAnomaly, reason: v.reason };
    });
  };

  test("a household's hour that dips the 6-hour mean under its threshold for less than 30 minutes raises nothing", () => {
    const rows = run(60);
    const crossed = rows.find((r) => r.crossed)!.m;
    // Held back while the dip is young, and the verdict says why…
    expect(rows[crossed + 10]!.alarm).toBe(false);
    expect(rows[crossed + 10]!.reason).toBe("only the long window is unusual, for 10 min < 30 min");
    // …and alarmed once it has stayed under for 30 minutes, as a slow leak keeps it.
    expect(rows.find((r) => r.alarm)!.m).toBe(crossed + 30);
  });

  test("an hour that drew more than any hour of training alarms without waiting", () => {
    const rows = run(150);
    const crossed = rows.find((r) => r.crossed)!.m;
    expect(rows.find((r) => r.alarm)!.m).toBe(crossed + 5);
  });
});
