/**
 * Minimum night flow: the lowest sustained flow between 02:00 and 04:00 local time each night,
 * the water utilities' standard leak indicator (IWA water-balance practice). With nobody
 * drawing water it is zero; a leak shows as a floor under it. "Sustained" is the mean over a
 * rolling window (15 minutes by default), so a single toilet flush does not count and a
 * softener regeneration that pauses does not either.
 */
import type { LocalClock } from "./local-time.ts";
import { flowBetween, rollingFlow, type UsageCurve } from "./usage-curve.ts";

const HOUR_MS = 3_600_000;

export interface NightFlowOptions {
  /** Local hours of the night window, [fromHour, toHour). Default 2 and 4. */
  fromHour?: number;
  toHour?: number;
  /** Rolling window, ms. Default 15 minutes. */
  windowMs?: number;
}

/** One night's figures. */
export interface NightFlow {
  /** Local date of the night window's start, "YYYY-MM-DD". */
  date: string;
  /** Epoch ms of the night window. */
  startMs: number;
  endMs: number;
  /** Lowest rolling-window mean flow in the window, gal/min. */
  minGpm: number;
  /** Mean flow over the whole window, gal/min. */
  meanGpm: number;
}

/** The minimum night flow of every night the curve fully covers without a gap. */
export function nightFlows(curve: UsageCurve, clock: LocalClock, options: NightFlowOptions = {}): NightFlow[] {
  const fromHour = options.fromHour ?? 2;
  const toHour = options.toHour ?? 4;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const out: NightFlow[] = [];
  const n = curve.t.length;
  if (n < 2) return out;
  const first = clock.dayIndex(curve.t[0]);
  const last = clock.dayIndex(curve.t[n - 1]);
  for (let day = first; day <= last; day++) {
    const midnight = clock.startOfDay(day);
    const startMs = midnight + fromHour * HOUR_MS;
    const endMs = midnight + toHour * HOUR_MS;
    if (startMs < curve.t[0] || endMs > curve.t[n - 1]) continue;
    // A gap in the window leaves part of the night unmeasured: no verdict on it.
    if (curve.gaps.some(([a, b]) => a < endMs && b > startMs)) continue;
    const rolling = rollingFlow(curve, startMs, endMs, windowMs);
    if (rolling.gpm.length === 0) continue;
    let min = Infinity;
    for (let i = 0; i < rolling.gpm.length; i++) if (rolling.gpm[i] < min) min = rolling.gpm[i];
    out.push({ date: clock.dateLabel(startMs), startMs, endMs, minGpm: Math.max(0, min), meanGpm: flowBetween(curve, startMs, endMs) });
  }
  return out;
}
