/**
 * Hand-made history frames for the analytics tests: rows from plain objects, so a test reads
 * as the readings it feeds in.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { simulateHistory } from "../sim/history.ts";
import { siteOfKind, type SiteKind } from "../sim/site-kinds.ts";
import { analyzeFrame, type DeviceAnalysis } from "./analyze.ts";
import type { Trigger } from "./trigger.ts";

/** A frame from rows `{ ts, key: value, ... }`; a key missing from a row is NaN there. */
export function frameOf(rows: Array<Record<string, number>>, meta: Partial<HistoryFrame> = {}): HistoryFrame {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (k !== "ts") keys.add(k);
  const columns: Record<string, Float64Array> = {};
  for (const k of keys) columns[k] = Float64Array.from(rows, (r) => (r[k] === undefined ? NaN : r[k]!));
  return {
    deviceId: meta.deviceId ?? "dev-1",
    deviceName: meta.deviceName ?? "3701155",
    userLabel: meta.userLabel ?? "dgorman",
    customer: meta.customer,
    site: meta.site,
    ts: Float64Array.from(rows, (r) => r.ts!),
    columns,
  };
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-01-01T00:00:00Z, a Thursday. */
export const JAN1 = Date.UTC(2026, 0, 1);

/** A draw on a 1-gallon meter: `gpm` from minute `atMin` of day `day` (0-based) for `minutes`. */
export interface MeterDraw {
  day: number;
  atMin: number;
  minutes: number;
  gpm: number;
}

/**
 * 1-minute readings of a 1-gallon meter (or of `pulse` gallons) from JAN1 (UTC) over the days of `draws` and one more,
 * on which `today` runs (one draw or several, the first beginning it); nothing else is drawn. Returns the minutes after today's draw began at
 * which `rule` is first known, analysing the readings up to each 5-minute mark for 3 hours as a
 * monitor does (null: never).
 */
export function firstTriggerMinutes(rule: string, draws: readonly MeterDraw[], today: Omit<MeterDraw, "day"> | readonly Omit<MeterDraw, "day">[], pulse = 1): number | null {
  const days = Math.max(...draws.map((d) => d.day), 0) + 2;
  const rows: Record<string, number>[] = [];
  let counter = 1000;
  let frac = 0;
  const todays = [today].flat();
  const all = [...draws, ...todays.map((d) => ({ day: days - 1, ...d }))];
  for (let m = 0; m < days * 24 * 60; m++) {
    const day = Math.floor(m / 1440);
    const minute = m % 1440;
    for (const d of all) if (d.day === day && minute >= d.atMin && minute < d.atMin + d.minutes) frac += d.gpm;
    const whole = Math.floor(frac / pulse) * pulse;
    counter += whole;
    frac -= whole;
    rows.push({ ts: JAN1 + m * MINUTE, Pulse_TotalGallons: counter });
  }
  const frame = frameOf(rows);
  const start = JAN1 + (days - 1) * DAY + todays[0]!.atMin * MINUTE;
  for (let t = start; t <= start + 3 * HOUR; t += 5 * MINUTE) {
    const n = frame.ts.findIndex((x) => x > t);
    const cut = { ...frame, ts: frame.ts.subarray(0, n), columns: { Pulse_TotalGallons: frame.columns.Pulse_TotalGallons!.subarray(0, n) } };
    const a = analyzeFrame(cut);
    if (a.triggers.some((x) => x.rule === rule && x.startMs >= start - HOUR)) return (t - start) / MINUTE;
  }
  return null;
}

/**
 * A simulator site (`kind`, `seed`, variant 0) from `startMs`, with `leak` beginning at 20:00 of
 * its local day `day` and running 12 h, analysed whole in `zone`: the leak's start, the analysis
 * and the triggers of `rule` split at that start.
 */
export function ruleAroundEveningLeak(
  site: { kind: SiteKind; seed: number }, leak: { kind: "leak" | "flapper"; size: number }, startMs: number, day: number, rule: string, zone = "America/Denver",
): { leakStart: number; analysis: DeviceAnalysis; before: Trigger[]; during: Trigger[] } {
  const spec = siteOfKind(site.seed, site.kind, 0);
  const leakStart = startMs + day * DAY + (20 - spec.tzOffsetHours) * HOUR;
  const frame = simulateHistory({
    seed: site.seed, device: spec, startMs, endMs: leakStart + 12 * HOUR,
    scenarios: [{ deviceId: spec.id, kind: leak.kind, startMs: leakStart, endMs: leakStart + 12 * HOUR, size: leak.size }],
  });
  const analysis = analyzeFrame(frame, { timeZone: zone });
  const found = analysis.triggers.filter((t) => t.rule === rule);
  return { leakStart, analysis, before: found.filter((t) => t.startMs < leakStart), during: found.filter((t) => t.startMs >= leakStart) };
}
