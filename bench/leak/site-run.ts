/**
 * One benchmark site end to end: simulate its whole calendar, degrade the telemetry, train a
 * model on the leak-free training weeks, then score everything after causally through the
 * replay `score` uses (each row's verdict from the rows up to it), and read off false-alarm
 * episodes and time to the first alarm of each leak.
 */
import { trainLeakModel } from "../../src/ml/leak-model.ts";
import { alarmEpisodes, raisesAlarm } from "../../src/ml/verdict.ts";
import { scoreReplay } from "../../src/monitor/score-replay.ts";
import type { HistoryFrame } from "../../src/nightowl/history-frame.ts";
import { simulateHistory } from "../../src/sim/history.ts";
import { degradeFrame } from "../../src/sim/telemetry-faults.ts";
import { DAY, FA_CALENDAR, HOUR, LEAK_HOURS, T0, TRAIN_DAYS, type SiteSetup } from "./split.ts";

/** Alarms this close together are one episode. */
export const EPISODE_MERGE_MINUTES = 15;
/** After a leak ends, alarms within this long are its tail, not false alarms. */
const TAIL_MS = HOUR;

export interface LeakOutcome {
  label: string;
  startMs: number;
  /** Minutes from the leak's start to its first alarm; null when none within its 24 h. */
  minutes: number | null;
  /** The device was already alarming (a false alarm still open) when the leak began. */
  alreadyAlarming: boolean;
  /** What raised its first alarm (the rules there, or "forest"); "" when none did. */
  cause: string;
  /** The leak began inside a stretch of 5-minute polling / an outage fell inside its 24 h. */
  polled: boolean;
  outage: boolean;
}

/** One false-alarm episode: when (epoch ms), what raised it, and every rule seen while it lasted. */
export interface FalseAlarm {
  startMs: number;
  endMs: number;
  cause: string;
  when: string;
  rules: string[];
  /** Alarmed rows in it, and those the forest alone raised (no alarming rule). */
  rows: number;
  forestRows: number;
}

export interface SiteOutcome {
  setup: SiteSetup;
  trainRows: number;
  faDays: number;
  faEpisodes: number;
  /** The rules (or "forest") at the first row of each false-alarm episode. */
  faCauses: string[];
  /** What each false-alarm episode coincided with (see FA_CALENDAR), else "other days". */
  faWhen: string[];
  /** Each false-alarm episode in detail, for `--explain`. */
  faDetail: FalseAlarm[];
  /** Alarm episodes starting 1–48 h after a leak ended (the windows still full of it), not during the next leak. */
  afterLeakEpisodes: number;
  leaks: LeakOutcome[];
}

export function slice(frame: HistoryFrame, fromMs: number, toMs: number): HistoryFrame {
  let a = 0;
  while (a < frame.ts.length && frame.ts[a]! < fromMs) a++;
  let b = a;
  while (b < frame.ts.length && frame.ts[b]! < toMs) b++;
  return { ...frame, ts: frame.ts.subarray(a, b), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(a, b)])) };
}

export function runSite(setup: SiteSetup): SiteOutcome {
  const { spec } = setup;
  const scenarios = setup.leaks.map((l) => ({ deviceId: spec.id, kind: l.kind, startMs: l.startMs, endMs: l.startMs + LEAK_HOURS * HOUR, size: l.size }));
  const clean = simulateHistory({ seed: setup.site.seed, device: spec, startMs: T0, endMs: setup.end, scenarios });
  const frame = degradeFrame(clean, setup.faults);
  const { model, summary } = trainLeakModel([slice(frame, T0, setup.trainEnd)], { userLabel: "bench", source: "simulated", timeZone: setup.timeZone });
  // The replay starts at the beginning, as a monitor running since then would have.
  const rows = scoreReplay(model, [frame], { timeZone: setup.timeZone, topFeatures: 0 }).filter((r) => r.ts >= setup.faStart);
  const ts = rows.map((r) => r.ts);
  const alarmed = rows.map((r) => r.isAnomaly);
  const episodes = alarmEpisodes(ts, alarmed, EPISODE_MERGE_MINUTES);
  const cause = (start: number) => {
    const row = rows.find((r) => r.ts === start)!;
    return row.rules.length ? [...row.rules].sort().join("+") : "forest";
  };
  const fa = episodes.filter(([a]) => a >= setup.faStart && a < setup.faEnd);
  const leaks = setup.leaks.map((l) => {
    const first = rows.find((r) => r.isAnomaly && r.ts >= l.startMs && r.ts < l.startMs + LEAK_HOURS * HOUR);
    const before = rows.findLast((r) => r.ts < l.startMs);
    const end = l.startMs + LEAK_HOURS * HOUR;
    return {
      label: l.label, startMs: l.startMs, minutes: first ? (first.ts - l.startMs) / 60_000 : null, alreadyAlarming: before?.isAnomaly === true, cause: first ? cause(first.ts) : "",
      polled: (setup.faults.polling ?? []).some((w) => l.startMs >= w.startMs && l.startMs < w.endMs),
      outage: (setup.faults.outages ?? []).some((w) => w.startMs < end && w.endMs > l.startMs),
    };
  });
  const when = (a: number) => {
    const at = ([day, hour]: [number, number]) => setup.faStart + (day - TRAIN_DAYS) * DAY + hour * HOUR;
    return FA_CALENDAR.find((c) => a >= at(c.from) && a < at(c.to))?.label ?? "other days";
  };
  const faDetail = fa.map(([a, b]): FalseAlarm => {
    const inside = rows.filter((r) => r.ts >= a && r.ts <= b && r.isAnomaly);
    return {
      startMs: a, endMs: b, cause: cause(a), when: when(a),
      rules: [...new Set(inside.flatMap((r) => r.rules))].sort(),
      rows: inside.length, forestRows: inside.filter((r) => !r.rules.some(raisesAlarm)).length,
    };
  });
  // An episode that begins while the next leak runs (or in its tail) is that leak being found, not the last one's echo.
  const duringLeak = (a: number) => setup.leaks.some((l) => a >= l.startMs && a < l.startMs + LEAK_HOURS * HOUR + TAIL_MS);
  const afterLeak = episodes.filter(([a]) => !duringLeak(a) && setup.leaks.some((l) => a >= l.startMs + LEAK_HOURS * HOUR + TAIL_MS && a < l.startMs + (LEAK_HOURS + 48) * HOUR));
  return {
    setup,
    trainRows: summary.samples,
    faDays: (setup.faEnd - setup.faStart) / 86_400_000,
    faEpisodes: fa.length,
    faCauses: fa.map(([a]) => cause(a)),
    faWhen: fa.map(([a]) => when(a)),
    faDetail,
    afterLeakEpisodes: afterLeak.length,
    leaks,
  };
}
