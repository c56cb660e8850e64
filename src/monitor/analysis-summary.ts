/**
 * What `run` keeps of a device's latest analysis: the figures its readers use (the analytics
 * metrics, the status page, the log lines), not the analysis' per-row arrays. A full
 * `DeviceAnalysis` of 26 h holds the usage curve, the consumption's and every pump's per-row
 * arrays and their cycles, about 75 KB a device; kept whole for every device of a fleet until
 * the next analysis, most of it was never read again.
 *
 * Every figure is computed here, at the analysis, exactly as the readers computed it from the
 * whole analysis (same rows, same operations), so what they export and show is unchanged. The
 * one per-row series kept is the status page's sparkline source, in an `ExactColumn` (a byte a
 * row for whole gallons or a pump's on/off, exact whatever the values).
 */
import type { DeviceAnalysis } from "../analytics/analyze.ts";
import type { Trigger } from "../analytics/trigger.ts";
import { flowBetween } from "../analytics/usage-curve.ts";
import type { PumpFigures } from "./device-figures.ts";
import { ExactColumn } from "./exact-column.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A pump's figures over the analysed rows; the energy is the consumer's own total. */
export type PumpSummary = Omit<PumpFigures, "energyKwh">;

export interface AnalysisSummary {
  /** Epoch ms of the first and last analysed rows. */
  fromMs: number;
  toMs: number;
  /** Every rule that fired, oldest first. */
  triggers: readonly Trigger[];
  /** Mean flow over the last 15 minutes (or the curve's smear, if longer), gal/min; NaN without a meter. */
  flowGpm: number;
  /** The latest night's lowest flow, gal/min; NaN when none. */
  nightFlowMinGpm: number;
  continuousFlowMinutes: number;
  /** Gallons of the local day holding `toMs`; NaN without a meter. */
  todayGallons: number;
  pumps: PumpSummary[];
  /**
   * Per analysed row, what the status page's sparkline draws: the gallons of each interval
   * with a meter, else the first pump's running (1, 0, NaN unknown). Absent with neither.
   */
  rowSeries?: { kind: "flow" | "pumpDuty"; rows: number; values: ExactColumn };
}

/** The summary of `a`: its readers' figures and the sparkline's per-row series. */
export function summarizeAnalysis(a: DeviceAnalysis): AnalysisSummary {
  const flowWindow = a.curve ? Math.max(15 * 60_000, a.curve.smearMs) : 0;
  const today = a.consumption?.daily.find((d) => d.startMs <= a.toMs && a.toMs < d.endMs);
  const p1 = a.pumps.find((p) => p.pump === "P1") ?? a.pumps[0];
  const series = a.consumption ? { kind: "flow" as const, xs: a.consumption.intervalGallons } : p1 ? { kind: "pumpDuty" as const, xs: p1.running } : undefined;
  return {
    fromMs: a.fromMs,
    toMs: a.toMs,
    triggers: a.triggers,
    flowGpm: a.curve ? Math.max(0, flowBetween(a.curve, a.toMs - flowWindow, a.toMs)) : NaN,
    nightFlowMinGpm: a.nights.length ? a.nights[a.nights.length - 1]!.minGpm : NaN,
    continuousFlowMinutes: a.continuousFlowMinutes,
    todayGallons: today ? today.value : Number.NaN,
    pumps: a.pumps.map((p) => {
      const since = a.toMs - DAY_MS;
      const recent = p.cycles.filter((c) => c.startMs >= since);
      const complete = recent.filter((c) => c.complete);
      // Rates over less than an hour of readings would be noise (one start in a minute = 60/h).
      const spanH = Math.min(DAY_MS, a.toMs - a.fromMs) / HOUR_MS;
      const observedH = spanH >= 1 ? spanH : NaN;
      const runMs = recent.reduce((s, c) => s + (c.endMs - c.startMs), 0);
      const lastCycle = p.cycles[p.cycles.length - 1];
      return {
        pump: p.pump,
        running: p.running[p.running.length - 1]!,
        startsPerHour: complete.length / observedH,
        runSecondsPerStart: complete.length ? complete.reduce((s, c) => s + (c.endMs - c.startMs), 0) / complete.length / 1000 : NaN,
        dutyCycle: runMs / (observedH * HOUR_MS),
        voltageUnbalancePct: lastFinite(p.voltageUnbalancePct),
        currentUnbalancePct: lastFinite(p.currentUnbalancePct),
        dryRunSuspected: lastCycle && lastCycle.dryRun && a.toMs - lastCycle.endMs <= HOUR_MS ? 1 : 0,
      };
    }),
    ...(series ? { rowSeries: { kind: series.kind, rows: series.xs.length, values: exactCopy(series.xs) } } : {}),
  };
}

function exactCopy(xs: Float64Array): ExactColumn {
  const col = new ExactColumn(xs.length);
  for (let i = 0; i < xs.length; i++) col.set(i, xs[i]!);
  return col;
}

function lastFinite(xs: Float64Array): number {
  for (let i = xs.length - 1; i >= 0; i--) if (!Number.isNaN(xs[i])) return xs[i]!;
  return NaN;
}
