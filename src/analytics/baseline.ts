/**
 * The statistical baseline detector (the original monitor's z-score idea): five daily figures
 * of a device are compared with the same figures over its own previous 14 days, and a day
 * whose figure is far above its usual is named. Mean and standard deviation rather than
 * median and MAD on purpose: a softener regenerating every few nights is part of "usual" and
 * should widen the band, not stand out every time it runs.
 */
import type { Consumption } from "./consumption.ts";
import type { LocalClock } from "./local-time.ts";
import type { PumpHealth } from "./pump-health.ts";
import type { RuleName, Trigger } from "./trigger.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { lowerBound } from "./lower-bound.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The figures of one local day; NaN where the device lacks the sensor or the day is partial. */
export interface DayFeatures {
  date: string;
  startMs: number;
  endMs: number;
  /** Gallons drawn in the day. */
  useGallons: number;
  /** Gallons drawn in the quiet hours (00:00–05:00 local). */
  offHoursGallons: number;
  /** Share of the day pump P1 ran, 0–1. */
  dutyCycle: number;
  /** Pressure lost per hour in the quiet hours while P1 stood still, PSI/h. */
  nightPressureDropPsiPerHour: number;
  /** Storage-tank level lost per hour in the quiet hours while the well pump (P2) stood still, %/h. */
  nightLevelDropPctPerHour: number;
}

export interface BaselineOptions {
  /** Days of history a day is compared with. Default 14. */
  days?: number;
  /** Fewest earlier days needed before a day is judged. Default 7. */
  minDays?: number;
  /** z-score at or above which a figure is unusual. Default 3.5. */
  zThreshold?: number;
  /** Quiet hours, local [from, to). Default 0 and 5. */
  quietFromHour?: number;
  quietToHour?: number;
}

interface FeatureRule {
  rule: RuleName;
  key: keyof Omit<DayFeatures, "date" | "startMs" | "endMs">;
  /** Smallest standard deviation assumed, and smallest excess that matters, in the figure's unit. */
  floor: number;
  /** Daily use and duty cycle rise with every pool fill; they inform, the night figures warn. */
  severity: "info" | "warning";
  /** The message's figures; `zone` is the sites' time zone, named wherever night is. */
  describe(value: number, mean: number, zone: string): string;
}

const FEATURES: FeatureRule[] = [
  { rule: "unusual_daily_use", key: "useGallons", floor: 25, severity: "info", describe: (x, m) => `used ${x.toFixed(0)} gal, usually ${m.toFixed(0)} gal a day` },
  { rule: "unusual_off_hours_use", key: "offHoursGallons", floor: 10, severity: "warning", describe: (x, m, zone) => `drew ${x.toFixed(0)} gal between 00:00 and 05:00 ${zone}, usually ${m.toFixed(0)} gal` },
  { rule: "unusual_duty_cycle", key: "dutyCycle", floor: 0.01, severity: "info", describe: (x, m) => `pump ran ${(x * 100).toFixed(1)} % of the day, usually ${(m * 100).toFixed(1)} %` },
  { rule: "unusual_night_pressure_drop", key: "nightPressureDropPsiPerHour", floor: 2, severity: "warning", describe: (x, m, zone) => `pressure fell ${x.toFixed(1)} PSI/h at night (00:00–05:00 ${zone}) with the pump off, usually ${m.toFixed(1)} PSI/h` },
  { rule: "unusual_night_level_drop", key: "nightLevelDropPctPerHour", floor: 0.5, severity: "warning", describe: (x, m, zone) => `tank level fell ${x.toFixed(1)} %/h at night (00:00–05:00 ${zone}), usually ${m.toFixed(1)} %/h` },
];

/** The daily figures of `frame`, using its consumption and the health of P1 and P2 where present. */
export function dailyFeatures(
  frame: HistoryFrame,
  clock: LocalClock,
  gapMs: number,
  consumption: Consumption | undefined,
  p1: PumpHealth | undefined,
  p2: PumpHealth | undefined,
  options: BaselineOptions = {},
): DayFeatures[] {
  const from = options.quietFromHour ?? 0;
  const to = options.quietToHour ?? 5;
  const { ts } = frame;
  const n = ts.length;
  if (n === 0) return [];
  const firstDay = clock.dayIndex(ts[0]);
  const lastDay = clock.dayIndex(ts[n - 1]);
  const count = lastDay - firstDay + 1;
  const pressureDrop = nightDrops(ts, frame.columns.S1 ?? frame.columns.S2, p1?.running, clock, firstDay, count, from, to, gapMs);
  const levelDrop = nightDrops(ts, frame.columns.Level1_precent, p2?.running, clock, firstDay, count, from, to, gapMs);
  const nightSeen = quietHoursCovered(ts, clock, firstDay, count, from, to, gapMs);
  const out: DayFeatures[] = [];
  for (let k = 0; k < count; k++) {
    const startMs = clock.startOfDay(firstDay + k);
    const endMs = clock.startOfDay(firstDay + k + 1);
    const day = consumption?.daily.find((b) => b.startMs === startMs);
    const complete = ts[0] <= startMs && ts[n - 1] >= endMs - gapMs;
    // Quiet-hour figures of a night with a gap would compare interpolated or partial data.
    const night = complete && nightSeen[k] === 1;
    let off = NaN;
    if (consumption && night) {
      off = 0;
      for (const h of consumption.hourly) {
        const hour = clock.hourOfDay(h.startMs);
        if (h.startMs >= startMs && h.startMs < endMs && hour >= from && hour < to) off += h.value;
      }
    }
    const pd = p1?.days.find((d) => d.startMs === startMs);
    out.push({
      date: clock.dateLabel(startMs),
      startMs,
      endMs,
      useGallons: complete && consumption ? (day?.value ?? 0) : NaN,
      offHoursGallons: off,
      dutyCycle: complete && pd ? pd.dutyCycle : NaN,
      nightPressureDropPsiPerHour: night ? pressureDrop[k] : NaN,
      nightLevelDropPctPerHour: night ? levelDrop[k] : NaN,
    });
  }
  return out;
}

/**
 * Per day: net fall of `values` per hour over the quiet hours, summed over stretches in which
 * `running` is 0 (noise cancels inside a stretch, only its ends count). NaN without readings.
 */
function nightDrops(
  ts: Float64Array, values: Float64Array | undefined, running: Float64Array | undefined,
  clock: LocalClock, firstDay: number, count: number, from: number, to: number, gapMs: number,
): Float64Array {
  const drop = new Float64Array(count);
  const time = new Float64Array(count);
  const out = new Float64Array(count).fill(NaN);
  if (!values) return out;
  let segStart = NaN, segStartT = NaN, segLast = NaN, segLastT = NaN, segDay = -1;
  const close = () => {
    if (segDay >= 0 && segLastT > segStartT) {
      drop[segDay] += Math.max(0, segStart - segLast);
      time[segDay] += segLastT - segStartT;
    }
    segDay = -1;
  };
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const x = values[i];
    if (Number.isNaN(x)) continue;
    // clock.hourOfDay and clock.dayIndex from one offset look-up (this runs per row at every
    // 5-minute slot of a replay); the day only matters in the quiet hours.
    const local = t + clock.offsetMs(t);
    const localDay = Math.floor(local / DAY_MS);
    const hour = (local - localDay * DAY_MS) / HOUR_MS;
    const quiet = hour >= from && hour < to && (!running || running[i] === 0);
    if (!quiet) {
      close();
      continue;
    }
    const day = localDay - firstDay;
    if (day !== segDay || t - segLastT > gapMs) close();
    if (segDay < 0) { segDay = day; segStart = x; segStartT = t; }
    segLast = x;
    segLastT = t;
  }
  close();
  for (let k = 0; k < count; k++) if (time[k] > 0) out[k] = drop[k] / (time[k] / HOUR_MS);
  return out;
}

/** Per day: 1 when readings cover the quiet hours with no interval longer than `gapMs`. */
function quietHoursCovered(ts: Float64Array, clock: LocalClock, firstDay: number, count: number, from: number, to: number, gapMs: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const start = clock.startOfDay(firstDay + k) + from * HOUR_MS;
    const end = clock.startOfDay(firstDay + k) + to * HOUR_MS;
    let i = lowerBound(ts, start - gapMs);
    let prev = start;
    let ok = i < ts.length;
    for (; ok && i < ts.length && ts[i] <= end; i++) {
      if (ts[i] < start) continue;
      if (ts[i] - prev > gapMs) ok = false;
      prev = ts[i];
    }
    out[k] = ok && end - prev <= gapMs ? 1 : 0;
  }
  return out;
}

/** The days whose figures stand out against the previous `days` days, as triggers. */
export function baselineTriggers(deviceId: string, features: DayFeatures[], options: BaselineOptions = {}, timeZone = "UTC"): Trigger[] {
  const window = options.days ?? 14;
  const minDays = options.minDays ?? 7;
  const zThreshold = options.zThreshold ?? 3.5;
  const out: Trigger[] = [];
  for (const f of FEATURES) {
    for (let d = 0; d < features.length; d++) {
      const x = features[d][f.key];
      if (Number.isNaN(x)) continue;
      const past: number[] = [];
      for (let j = Math.max(0, d - window); j < d; j++) if (!Number.isNaN(features[j][f.key])) past.push(features[j][f.key]);
      if (past.length < minDays) continue;
      const mean = past.reduce((a, b) => a + b, 0) / past.length;
      const sd = Math.sqrt(past.reduce((a, b) => a + (b - mean) ** 2, 0) / (past.length - 1));
      const z = (x - mean) / Math.max(sd, f.floor);
      if (z >= zThreshold && x - mean >= f.floor) {
        out.push({
          rule: f.rule, deviceId, startMs: features[d].startMs, endMs: features[d].endMs, severity: f.severity,
          message: `${features[d].date}: ${f.describe(x, mean, timeZone)} (z = ${z.toFixed(1)} against ${past.length} days)`,
        });
      }
    }
  }
  return out;
}
