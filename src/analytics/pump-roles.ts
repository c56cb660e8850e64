/**
 * Which pump answers house pressure. A site may have two: a booster that keeps the pressure
 * tank between cut-in and cut-out and a well pump that refills a storage tank or cistern on a
 * float — and the portal's P1 and P2 say nothing about which is which (installers wire
 * either way). The data does: the pressure pump's runs raise the pressure every time, the
 * fill pump's only by chance. The rules that read house demand from pump starts watch the
 * pressure pump.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { computePumpHealth, pumpsIn, type PumpHealth, type PumpId } from "./pump-health.ts";

/** A pump needs this many complete runs with a pressure reading before its role is judged. */
const MIN_CYCLES = 2;
/** A median rise that no fill pump shows by chance: a pressure switch's band is 20 PSI. */
const CLEAR_RISE_PSI = 3;

function medianRise(p: PumpHealth): number {
  const rises = p.cycles.filter((c) => c.complete && Number.isFinite(c.pressureRisePsi)).map((c) => c.pressureRisePsi).sort((a, b) => a - b);
  if (rises.length < MIN_CYCLES) return Number.NaN;
  const mid = rises.length >> 1;
  return rises.length % 2 ? rises[mid]! : (rises[mid - 1]! + rises[mid]!) / 2;
}

/**
 * The pump whose runs raise the pressure most (median over its complete runs). P1 when there is
 * one pump, or when P1 has too few runs to tell and no other pump clearly raises the pressure.
 */
export function pressurePump(pumps: readonly PumpHealth[]): PumpHealth | undefined {
  const p1 = pumps.find((p) => p.pump === "P1") ?? pumps[0];
  if (!p1 || pumps.length < 2) return p1;
  // Only a pump seen to raise the pressure more than P1 takes its place: too few runs of P1
  // in the window (a quiet night) must not hand its role to a tank-fill pump.
  let best = p1;
  // Unknown for P1: another pump must show a clear rise of its own to take the role.
  let bestRise = Number.isNaN(medianRise(p1)) ? CLEAR_RISE_PSI : medianRise(p1);
  for (const p of pumps) {
    const rise = medianRise(p);
    if (rise > bestRise) {
      best = p;
      bestRise = rise;
    }
  }
  return best;
}

const DAY_MS = 86_400_000;

/**
 * The pressure pump found in a whole history: the pump found most often day by day, each day
 * judged as the rule stage judges it (on its own day of readings). Over weeks at once the
 * medians mislead: a fill pump's long runs span many of the booster's whole cycles, so its
 * median rise can beat the booster's.
 */
export function pressurePumpOf(frame: HistoryFrame): PumpId | undefined {
  const pumps = pumpsIn(frame);
  if (pumps.length < 2) return pumps[0];
  const votes = new Map<PumpId, number>();
  const { ts } = frame;
  for (let a = 0; a < ts.length; ) {
    let b = a;
    while (b < ts.length && ts[b]! < ts[a]! + DAY_MS) b++;
    const day: HistoryFrame = { ...frame, ts: ts.subarray(a, b), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(a, b)])) };
    const found = pressurePump(pumps.map((p) => computePumpHealth(day, p)))?.pump;
    if (found) votes.set(found, (votes.get(found) ?? 0) + 1);
    a = b;
  }
  let best: PumpId | undefined;
  for (const [p, n] of votes) if (best === undefined || n > votes.get(best)!) best = p;
  return best;
}

/**
 * The pump a leak model's pump features watch, from its training histories: the pressure pump
 * when every device agrees on it, else P1 (a fleet model's features must mean one thing).
 */
export function watchedPumpOf(frames: readonly HistoryFrame[]): PumpId {
  const found = new Set(frames.map((f) => pressurePumpOf(f) ?? "P1"));
  return found.size === 1 ? [...found][0]! : "P1";
}
