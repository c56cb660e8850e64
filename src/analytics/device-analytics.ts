/**
 * The incremental form of the analytics for `nightowl run`: one instance per device is fed
 * every poll's snapshot. Totals (water used across meter replacements, pump energy) accumulate
 * for the life of the process, reading by reading; the windowed figures and the rules come from
 * `analyzeFrame` over a bounded buffer of recent readings (15 days by default, enough for the
 * 14-day baseline), recomputed when enough new data has arrived.
 */
import { analyzeFrame, type AnalyzeOptions, type DeviceAnalysis } from "./analyze.ts";
import { COUNTER_KEY } from "./consumption.ts";
import { PUMPS, type PumpId } from "./pump-health.ts";
import { RULE_NAMES, type RuleName } from "./trigger.ts";
import { flowBetween } from "./usage-curve.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The keys the analytics read. */
export const ANALYTICS_KEYS: readonly string[] = [
  "S1", "S2", "Level1_precent", COUNTER_KEY,
  ...PUMPS.flatMap((p) => [1, 2, 3].flatMap((k) => [`${p}V${k}`, `${p}C${k}`])),
];

export interface DeviceAnalyticsOptions extends AnalyzeOptions {
  /** Readings kept for the windowed figures, ms. Default 15 days. */
  retentionMs?: number;
  /** Least new data (by reading time) before the windowed figures are recomputed, ms. Default 5 min. */
  analyzeEveryMs?: number;
  /** How long a rule stays reported after its condition ended, ms. Default 24 h. */
  ruleHoldMs?: number;
  /** A counter fall of more than this is a meter replacement, gallons. Default 1. */
  replacementToleranceGallons?: number;
}

/** Per-pump figures for the metrics. NaN = not known (yet). */
export interface PumpFigures {
  pump: PumpId;
  running: number;
  /** Over the last 24 h of readings; NaN until an hour of readings is in. */
  startsPerHour: number;
  runSecondsPerStart: number;
  dutyCycle: number;
  voltageUnbalancePct: number;
  currentUnbalancePct: number;
  /** Since the process started, kWh. */
  energyKwh: number;
  dryRunSuspected: number;
}

export interface DeviceFigures {
  /** Gallons since the process started, across meter replacements; NaN without a meter. */
  waterUsedGallons: number;
  flowGpm: number;
  nightFlowMinGpm: number;
  continuousFlowMinutes: number;
  pumps: PumpFigures[];
  /** 1 for each rule whose condition holds or held within `ruleHoldMs`, else 0. */
  rules: Record<RuleName, number>;
}

export class DeviceAnalytics {
  private ts: number[] = [];
  private cols: Record<string, number[]> = Object.fromEntries(ANALYTICS_KEYS.map((k) => [k, []]));
  private lastTs = -Infinity;
  private analyzedAt = -Infinity;
  private analysis: DeviceAnalysis | undefined;
  private meterHigh = NaN;
  private waterUsed = NaN;
  private readonly energy = new Map<PumpId, { kwh: number; lastT: number; lastP: number }>();
  private readonly options: DeviceAnalyticsOptions;

  constructor(
    readonly deviceId: string,
    options: DeviceAnalyticsOptions = {},
  ) {
    this.options = options;
  }

  /** Takes the readings of one poll; readings no newer than the last row are ignored. */
  observe(snapshot: DeviceSnapshot): void {
    let rowTs = -Infinity;
    const values: Record<string, number> = {};
    for (const key of ANALYTICS_KEYS) {
      const r = snapshot.telemetry[key];
      if (!r || !(r.ts > this.lastTs)) continue;
      const v = numericValue(r.value);
      if (v === null) continue;
      values[key] = v;
      if (r.ts > rowTs) rowTs = r.ts;
    }
    if (rowTs === -Infinity) return;
    this.lastTs = rowTs;
    this.ts.push(rowTs);
    for (const key of ANALYTICS_KEYS) this.cols[key].push(values[key] ?? NaN);
    this.accumulate(rowTs, values);
    this.trim();
  }

  /**
   * Fills the window buffer from recent history (the warm-up of `run`), so night flow, pump
   * figures and rules need not wait for the polls to cover a night. Rows no newer than the last
   * one are ignored. The totals are not touched: they count from the process's start.
   */
  warm(frame: HistoryFrame): void {
    const columns = ANALYTICS_KEYS.map((k) => frame.columns[k]);
    for (let i = 0; i < frame.ts.length; i++) {
      const t = frame.ts[i];
      if (!(t > this.lastTs)) continue;
      this.ts.push(t);
      for (let k = 0; k < ANALYTICS_KEYS.length; k++) this.cols[ANALYTICS_KEYS[k]].push(columns[k] ? columns[k][i] : NaN);
      this.lastTs = t;
    }
    const counter = this.cols[COUNTER_KEY];
    for (let i = counter.length - 1; i >= 0 && Number.isNaN(this.meterHigh); i--) {
      if (!Number.isNaN(counter[i])) {
        this.meterHigh = counter[i];
        this.waterUsed = 0;
      }
    }
    this.analysis = undefined;
    this.trim();
  }

  /** The figures for the metrics, recomputing the windowed ones when due. */
  figures(): DeviceFigures {
    const every = this.options.analyzeEveryMs ?? 5 * 60_000;
    if (this.ts.length > 0 && (this.analysis === undefined || this.lastTs - this.analyzedAt >= every)) {
      this.analysis = analyzeFrame(this.frame(), this.options);
      this.analyzedAt = this.lastTs;
    }
    const a = this.analysis;
    const rules = Object.fromEntries(RULE_NAMES.map((r) => [r, 0])) as Record<RuleName, number>;
    const hold = this.options.ruleHoldMs ?? DAY_MS;
    if (a) for (const t of a.triggers) if (t.endMs === undefined || a.toMs - t.endMs <= hold) rules[t.rule as RuleName] = 1;
    const flowWindow = a?.curve ? Math.max(15 * 60_000, a.curve.smearMs) : 0;
    return {
      waterUsedGallons: this.waterUsed,
      flowGpm: a?.curve ? Math.max(0, flowBetween(a.curve, a.toMs - flowWindow, a.toMs)) : NaN,
      nightFlowMinGpm: a?.nights.length ? a.nights[a.nights.length - 1].minGpm : NaN,
      continuousFlowMinutes: a ? a.continuousFlowMinutes : NaN,
      pumps: (a?.pumps ?? []).map((p) => {
        const since = a!.toMs - DAY_MS;
        const recent = p.cycles.filter((c) => c.startMs >= since);
        const complete = recent.filter((c) => c.complete);
        // Rates over less than an hour of readings would be noise (one start in a minute = 60/h).
        const spanH = Math.min(DAY_MS, a!.toMs - a!.fromMs) / HOUR_MS;
        const observedH = spanH >= 1 ? spanH : NaN;
        const runMs = recent.reduce((s, c) => s + (c.endMs - c.startMs), 0);
        const last = p.running.length - 1;
        const lastCycle = p.cycles[p.cycles.length - 1];
        return {
          pump: p.pump,
          running: p.running[last],
          startsPerHour: complete.length / observedH,
          runSecondsPerStart: complete.length ? complete.reduce((s, c) => s + (c.endMs - c.startMs), 0) / complete.length / 1000 : NaN,
          dutyCycle: runMs / (observedH * HOUR_MS),
          voltageUnbalancePct: lastFinite(p.voltageUnbalancePct),
          currentUnbalancePct: lastFinite(p.currentUnbalancePct),
          energyKwh: this.energy.get(p.pump)?.kwh ?? 0,
          dryRunSuspected: lastCycle && lastCycle.dryRun && a!.toMs - lastCycle.endMs <= HOUR_MS ? 1 : 0,
        };
      }),
      rules,
    };
  }

  /** The buffered readings as a frame. */
  frame(): HistoryFrame {
    return {
      deviceId: this.deviceId, deviceName: "", userLabel: "",
      ts: Float64Array.from(this.ts),
      columns: Object.fromEntries(ANALYTICS_KEYS.filter((k) => this.cols[k].some((x) => !Number.isNaN(x))).map((k) => [k, Float64Array.from(this.cols[k])])),
    };
  }

  private accumulate(t: number, values: Record<string, number>): void {
    const c = values[COUNTER_KEY];
    if (c !== undefined) {
      const tolerance = this.options.replacementToleranceGallons ?? 1;
      if (Number.isNaN(this.meterHigh)) { this.meterHigh = c; this.waterUsed = 0; }
      else if (c < this.meterHigh - tolerance) { this.waterUsed += Math.max(0, c); this.meterHigh = c; }
      else if (c > this.meterHigh) { this.waterUsed += c - this.meterHigh; this.meterHigh = c; }
    }
    const pf = this.options.powerFactor ?? 0.8;
    for (const p of PUMPS) {
      let power = 0, phases = 0;
      for (const k of [1, 2, 3]) {
        const v = values[`${p}V${k}`], i = values[`${p}C${k}`];
        if (v !== undefined && i !== undefined) { power += v * i; phases++; }
      }
      if (!phases) continue;
      power *= pf;
      const e = this.energy.get(p);
      if (!e) { this.energy.set(p, { kwh: 0, lastT: t, lastP: power }); continue; }
      // Trapezoid, as in pump-health.ts; a long silence is not integrated.
      if (t - e.lastT <= HOUR_MS) e.kwh += ((e.lastP + power) / 2) * (t - e.lastT) / 1000 / 3_600_000;
      e.lastT = t;
      e.lastP = power;
    }
  }

  private trim(): void {
    const keepFrom = this.lastTs - (this.options.retentionMs ?? 15 * DAY_MS);
    let drop = 0;
    while (drop < this.ts.length && this.ts[drop] < keepFrom) drop++;
    // Drop in batches so a long buffer is not shifted on every reading.
    if (drop < 1000 && drop < this.ts.length / 10) return;
    this.ts.splice(0, drop);
    for (const k of ANALYTICS_KEYS) this.cols[k].splice(0, drop);
  }
}

function lastFinite(xs: Float64Array): number {
  for (let i = xs.length - 1; i >= 0; i--) if (!Number.isNaN(xs[i])) return xs[i];
  return NaN;
}
