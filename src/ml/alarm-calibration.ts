/**
 * Training's side of the alarm (verdict.ts decides it row by row): the thresholds and scales
 * the smoothed decision is judged by, the range guard's training maxima, the rest guard's
 * longest stretches without a rest and the activity gate, all read from leak-free training series.
 */
import { restGuardFor } from "./rest-guard.ts";
import { TimeWindowMean } from "./time-window-mean.ts";
import { ACTIVITY_GATE, DAY_DRAW_FEATURES } from "./activity-gate.ts";
import { localHour } from "./time-features.ts";
import { DEFAULT_MIN_COVERAGE, DEFAULT_WINDOWS, RANGE_GUARD, type AlarmParams } from "./verdict.ts";

/**
 * Calibrates the alarm on leak-free training series (one per device, decision scores with
 * their timestamps): each window's threshold is the lowest smoothed value seen, minus
 * `margin` × (median − lowest) (`capAtZero` keeps it at or below 0); the scale puts the
 * median at 5 %.
 */
export function calibrateAlarm(
  series: readonly { ts: Float64Array; local?: Float64Array; decision: Float64Array; features?: { names: readonly string[]; data: Float64Array; cols: number } }[],
  options: { shortWindowMinutes?: number; longWindowMinutes?: number; margin?: number; minCoverage?: number; capAtZero?: boolean } = {},
): AlarmParams {
  const shortWindow = options.shortWindowMinutes ?? DEFAULT_WINDOWS.short;
  const longWindow = options.longWindowMinutes ?? DEFAULT_WINDOWS.long;
  const margin = options.margin ?? 0.05;
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const calibrate = (windowMinutes: number) => {
    const values: number[] = [];
    for (const s of series) {
      const m = new TimeWindowMean(windowMinutes);
      for (let i = 0; i < s.ts.length; i++) {
        const mean = m.push(s.ts[i], s.decision[i], minCoverage);
        if (mean === mean) values.push(mean);
      }
    }
    if (values.length === 0) return { threshold: -0.05, scale: 0.02 };
    values.sort((a, b) => a - b);
    const lowest = values[0];
    const median = values[Math.floor(values.length / 2)];
    const spread = Math.max(median - lowest, 1e-3);
    const threshold = options.capAtZero ? Math.min(lowest - margin * spread, 0) : lowest - margin * spread;
    const scale = Math.max((median - threshold) / Math.log(19), 1e-4);
    return { threshold, scale };
  };
  const s = calibrate(shortWindow);
  const l = calibrate(longWindow);
  let rangeGuard: AlarmParams["range_guard"];
  const names = series[0]?.features?.names;
  if (names && !names.some((n) => n.startsWith("flow_gpm")) && RANGE_GUARD.features.every((f) => names.includes(f))) {
    const maxima = RANGE_GUARD.features.map((f) => {
      let max = -Infinity;
      for (const x of series) {
        const j = x.features!.names.indexOf(f);
        const { data, cols } = x.features!;
        for (let i = j; i < data.length; i += cols) if (data[i] > max) max = data[i];
      }
      // Nudged up so the 7-digit rounding of the model file cannot put it below a training value.
      return max + Math.abs(max) * 1e-6 + 1e-9;
    });
    rangeGuard = { features: [...RANGE_GUARD.features], maxima, minutes: RANGE_GUARD.minutes };
  }
  const activityGate = names ? gateFor(series as readonly GateSeries[]) : undefined;
  // Without a meter, the gate's still pressure level also tells the rest guard when the site rests.
  const restGuard = activityGate && !names!.includes("gallons_5m") ? restGuardFor(series as readonly GateSeries[], activityGate.above[1]!) : undefined;
  return {
    short_window_minutes: shortWindow,
    long_window_minutes: longWindow,
    short_threshold: s.threshold,
    long_threshold: l.threshold,
    short_scale: s.scale,
    long_scale: l.scale,
    min_coverage: minCoverage,
    rule_floor: 90,
    episode_merge_minutes: 60,
    ...(rangeGuard ? { range_guard: rangeGuard } : {}),
    ...(activityGate ? { activity_gate: activityGate } : {}),
    ...(restGuard ? { rest_guard: restGuard } : {}),
  };
}

type GateSeries = { ts: Float64Array; local?: Float64Array; features: { names: readonly string[]; data: Float64Array; cols: number } };

/** Values of one feature over every training series. */
function featureValues(series: readonly GateSeries[], name: string, keep: (row: Float64Array, at: (n: string) => number) => boolean = () => true): number[] {
  const out: number[] = [];
  for (const x of series) {
    const { names, data, cols } = x.features;
    const j = names.indexOf(name);
    const at = (n: string) => names.indexOf(n);
    // One row buffer refilled, not a view per row: millions of views outran the collector.
    const row = new Float64Array(cols);
    for (let i = 0; i < data.length; i += cols) {
      for (let c = 0; c < cols; c++) row[c] = data[i + c]!;
      if (keep(row, at)) out.push(row[j]!);
    }
  }
  return out;
}

/**
 * The activity gate for the training series' features: where there is a meter, a pulse in the
 * last 5 minutes (the quiet spell long enough for two pulses at 0.25 gal/min, the meter's step
 * read from training); without one, the pump running or the pressure's 15-minute range above
 * `restNoiseFactor` × its median at rest in training (no pump start for an hour).
 */
function gateFor(series: readonly GateSeries[]): AlarmParams["activity_gate"] {
  const names = series[0]!.features.names;
  const g = ACTIVITY_GATE;
  if (names.includes("gallons_5m")) {
    let step = Infinity;
    for (const x of featureValues(series, "gallons_5m")) if (x > 1e-9 && x < step) step = x;
    const quiet = Number.isFinite(step) ? Math.max(g.quietMinutes, Math.ceil((2 * step) / g.smallLeakGpm)) : g.quietMinutes;
    return { features: ["gallons_5m"], above: [0], quiet_minutes: Math.min(quiet, 10_080), active_minutes: g.activeMinutes, ...busiestHour(series, "gallons_1h"), ...dayLow(series) };
  }
  const pressure = "pressure_s1_range_15m";
  if (!names.includes("pump_running") || !names.includes("pump_starts_1h") || !names.includes(pressure)) return undefined;
  const rest = featureValues(series, pressure, (row, at) => row[at("pump_running")] === 0 && row[at("pump_starts_1h")] === 0).sort((a, b) => a - b);
  const noise = rest.length ? rest[rest.length >> 1]! : 0;
  const level = Math.max(g.minPressureMovePsi, g.restNoiseFactor * noise);
  return { features: ["pump_running", pressure], above: [0, level], quiet_minutes: g.quietMinutes, active_minutes: g.activeMinutes, ...busiestHour(series, "pump_current_mean_1h"), ...dayLow(series) };
}

/**
 * The gate's `draw`: the most `feature` (the hour's gallons, or the pump's mean current) reached
 * in training, if the model has it, and the most at each local hour with the hours either side.
 */
function busiestHour(series: readonly GateSeries[], feature: string): { draw?: { feature: string; max: number; by_hour: number[] } } {
  if (!series[0]!.features.names.includes(feature)) return {};
  const atHour = new Array<number>(24).fill(0);
  for (const x of series) {
    const { names, data, cols } = x.features;
    const j = names.indexOf(feature);
    for (let i = 0; i < x.ts.length; i++) {
      const h = Math.floor(localHour((x.local ?? x.ts)[i]!)) % 24;
      if (data[i * cols + j]! > atHour[h]!) atHour[h] = data[i * cols + j]!;
    }
  }
  const max = Math.max(...atHour);
  const spread = ACTIVITY_GATE.byHourSpread;
  const byHour = atHour.map((_, h) => {
    let most = 0;
    for (let d = -spread; d <= spread; d++) most = Math.max(most, atHour[(h + d + 24) % 24]!);
    return most;
  });
  return max > 0 ? { draw: { feature, max, by_hour: byHour } } : {};
}

/**
 * The gate's `day`: the 24-hour draw (mean flow, or the pump's mean current) that all but
 * `dayLowShare` of training's full 24-hour windows reached — rows less than a day after a
 * device's first reading summarise a shorter span and are left out; none without a full day.
 */
function dayLow(series: readonly GateSeries[]): { day?: { feature: string; low: number } } {
  const feature = DAY_DRAW_FEATURES.find((f) => series[0]!.features.names.includes(f));
  if (!feature) return {};
  const values: number[] = [];
  for (const x of series) {
    const { names, data, cols } = x.features;
    const j = names.indexOf(feature);
    for (let i = 0; i < x.ts.length; i++) if (x.ts[i]! - x.ts[0]! >= DAY_MS) values.push(data[i * cols + j]!);
  }
  if (values.length === 0) return {};
  values.sort((a, b) => a - b);
  return { day: { feature, low: values[Math.floor(ACTIVITY_GATE.dayLowShare * (values.length - 1))]! } };
}

const DAY_MS = 86_400_000;
