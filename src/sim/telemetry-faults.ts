/**
 * What real telemetry does to a clean minute-by-minute history: minutes that never arrive,
 * stretches where the device reports only every 5 minutes, a few seconds late each time,
 * rows sent twice (a stale repeat in the next minute), and outages of hours. Applied to a simulated frame, seeded.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { hash32 } from "./random.ts";

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface TelemetryFaults {
  seed: number;
  /** Fraction of rows that never arrive. */
  missingFraction?: number;
  /**
   * Fraction of rows the device sends twice: the next minute repeats this minute's values (a
   * frame cannot hold two rows at one time; readers merge exact repeats, so the harm that
   * remains is a stale row).
   */
  duplicateFraction?: number;
  /** Windows with no rows at all. */
  outages?: TimeWindow[];
  /** Windows where only one row every `everyMinutes` arrives, late by 0 … `jitterSeconds`. */
  polling?: (TimeWindow & { everyMinutes: number; jitterSeconds: number })[];
}

const unit = (seed: number, ts: number, salt: number) => hash32(seed, ts, salt) / 4294967296;
const inside = (w: TimeWindow, ts: number) => ts >= w.startMs && ts < w.endMs;

/** `frame` as the portal would hold it after `faults`; the input is not changed. */
export function degradeFrame(frame: HistoryFrame, faults: TelemetryFaults): HistoryFrame {
  const rows: number[] = [];
  const times: number[] = [];
  let repeat = -1;
  for (let i = 0; i < frame.ts.length; i++) {
    const t = frame.ts[i]!;
    if ((faults.outages ?? []).some((w) => inside(w, t))) continue;
    const poll = (faults.polling ?? []).find((w) => inside(w, t));
    if (poll) {
      const every = poll.everyMinutes * 60_000;
      if (Math.floor(t / 60_000) % poll.everyMinutes !== 0) continue;
      // Late by a few seconds, never as late as the next report.
      const late = Math.min(poll.jitterSeconds * 1000, every - 1000) * unit(faults.seed, t, 0x9011);
      rows.push(i);
      times.push(t + Math.round(late / 1000) * 1000);
      continue;
    }
    if (unit(faults.seed, t, 0x3155) < (faults.missingFraction ?? 0)) continue;
    rows.push(repeat >= 0 ? repeat : i);
    times.push(t);
    repeat = repeat < 0 && unit(faults.seed, t, 0xd0b1) < (faults.duplicateFraction ?? 0) ? i : -1;
  }
  const columns: Record<string, Float64Array> = {};
  for (const [key, column] of Object.entries(frame.columns)) columns[key] = Float64Array.from(rows, (r) => column[r]!);
  return { ...frame, ts: Float64Array.from(times), columns };
}
