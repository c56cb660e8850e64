/**
 * The analytics figures of `nightowl run` for one device, a consumer of its pipeline: totals
 * (water used across meter replacements, pump energy) accumulate reading by reading from the
 * rows of the buffer this consumer has not seen yet, counted from the process's start; the
 * windowed figures and the rules come from the rule stage's latest analysis of the buffer.
 */
import { COUNTER_KEY } from "../analytics/consumption.ts";
import { silencesFiring, type VerdictEvents } from "../events/covering.ts";
import { PUMPS, type PumpId } from "../analytics/pump-health.ts";
import { RULE_NAMES, type RuleName } from "../analytics/trigger.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { Meter } from "../physics/meter.ts";
import type { AnalysisSummary } from "./analysis-summary.ts";
import { DevicePipeline, type BufferRow } from "./device-pipeline.ts";
import type { RuleStageOptions } from "./rule-stage.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface DeviceAnalyticsOptions extends RuleStageOptions {
  /** How long a rule stays reported after its condition ended, ms. Default 24 h. */
  ruleHoldMs?: number;
  /** A counter fall of more than this is a meter replacement, gallons. Default 1. */
  replacementToleranceGallons?: number;
  /** The owner's events: a rule's firing they silence (`silencesFiring`) is not reported as `rules`. */
  events?: VerdictEvents;
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
  /**
   * 1 for each rule whose condition holds or held within `ruleHoldMs`, else 0; a firing the
   * owner's events silence does not count (it is in `silenced`).
   */
  rules: Record<RuleName, number>;
  /** Rules held only by firings the owner's `expected` or `maintenance` events silence. */
  silenced: RuleName[];
}

export class DeviceAnalytics {
  /** Time of the newest buffer row accumulated into the totals. */
  private consumedTs = -Infinity;
  private readonly meter: Meter;
  private waterUsed = NaN;
  private readonly energy = new Map<PumpId, { kwh: number; lastT: number; lastP: number }>();
  private readonly options: DeviceAnalyticsOptions;
  private cached: { analysis: unknown; consumedTs: number; events: number; figures: DeviceFigures } | undefined;
  readonly pipeline: DevicePipeline;

  /** `pipeline`: the device's, shared with live scoring; default one of its own. */
  constructor(
    readonly deviceId: string,
    options: DeviceAnalyticsOptions = {},
    pipeline?: DevicePipeline,
  ) {
    this.options = options;
    this.meter = new Meter(options.replacementToleranceGallons);
    this.pipeline = pipeline ?? new DevicePipeline(deviceId, options);
  }

  /** Feeds one poll's readings to the pipeline (a no-op when fed already) and takes its new rows. */
  observe(snapshot: DeviceSnapshot): void {
    this.pipeline.observe(snapshot);
    this.consume();
  }

  /**
   * Fills the pipeline from recent history (the warm-up of `run`), so night flow, pump figures
   * and rules need not wait for the polls to cover a night. The totals count from the
   * process's start: history rows are not added to them.
   */
  warm(frame: HistoryFrame): void {
    this.pipeline.warm(frame);
    this.consume();
  }

  /** Accumulates the buffer's rows this consumer has not seen; the first time, only the newest is a starting point. */
  consume(): void {
    const first = this.consumedTs === -Infinity;
    // The first time only the newest row counts: not a row object for each of a warm-up's day.
    const rows = first ? this.pipeline.rowsAfter(-Infinity, 0) : this.pipeline.rowsAfter(this.consumedTs);
    if (rows.length === 0) return;
    for (const row of rows) this.accumulate(row);
    if (first) {
      // The newest meter reading in the buffer starts the total, as a first poll would.
      const buffer = this.pipeline.buffer;
      const counter = buffer.values(COUNTER_KEY);
      const ts = counter && Number.isNaN(this.meter.high) ? buffer.times() : undefined;
      for (let i = (ts?.length ?? 0) - 1; i >= 0 && Number.isNaN(this.meter.high); i--) {
        const c = counter![i]!;
        if (c === c) this.accumulate({ ts: ts![i]!, values: { [COUNTER_KEY]: c } });
      }
    }
    this.consumedTs = rows[rows.length - 1]!.ts;
  }

  /**
   * The figures for the metrics, from the rule stage's latest analysis; computed again only
   * when a new row, a new analysis or other owner's events came (the metrics and the status
   * page both ask each poll).
   */
  figures(): DeviceFigures {
    this.consume();
    const a = this.pipeline.rules.latest();
    const cached = this.cached;
    const events = this.options.events?.generation?.() ?? 0;
    if (cached && cached.analysis === a && cached.consumedTs === this.consumedTs && cached.events === events) return cached.figures;
    const figures = this.compute(a);
    this.cached = { analysis: a, consumedTs: this.consumedTs, events, figures };
    return figures;
  }

  private compute(a: AnalysisSummary | undefined): DeviceFigures {
    const rules = Object.fromEntries(RULE_NAMES.map((r) => [r, 0])) as Record<RuleName, number>;
    const hold = this.options.ruleHoldMs ?? DAY_MS;
    const covered = new Set<RuleName>();
    const { events } = this.options;
    if (a) {
      // Judged at the newest reading, as the card judges the verdict: the analysis may be a slot older.
      const now = Math.max(a.toMs, this.consumedTs);
      for (const t of a.triggers) {
        if (t.endMs !== undefined && a.toMs - t.endMs > hold) continue;
        if (events && silencesFiring(events, this.deviceId, t.startMs, t.endMs ?? a.toMs, now)) covered.add(t.rule as RuleName);
        else rules[t.rule as RuleName] = 1;
      }
    }
    return {
      silenced: [...covered].filter((r) => rules[r] === 0),
      waterUsedGallons: this.waterUsed,
      flowGpm: a ? a.flowGpm : NaN,
      nightFlowMinGpm: a ? a.nightFlowMinGpm : NaN,
      continuousFlowMinutes: a ? a.continuousFlowMinutes : NaN,
      pumps: (a?.pumps ?? []).map((p) => ({
        pump: p.pump,
        running: p.running,
        startsPerHour: p.startsPerHour,
        runSecondsPerStart: p.runSecondsPerStart,
        dutyCycle: p.dutyCycle,
        voltageUnbalancePct: p.voltageUnbalancePct,
        currentUnbalancePct: p.currentUnbalancePct,
        energyKwh: this.energy.get(p.pump)?.kwh ?? 0,
        dryRunSuspected: p.dryRunSuspected,
      })),
      rules,
    };
  }

  /** The buffered readings as a frame: a copy, safe to keep. */
  frame(): HistoryFrame {
    return this.pipeline.buffer.frame();
  }

  private accumulate({ ts: t, values }: BufferRow): void {
    const c = values[COUNTER_KEY];
    if (c !== undefined) {
      const drawn = this.meter.add(c);
      this.waterUsed = Number.isNaN(drawn) ? 0 : this.waterUsed + drawn;
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

}
