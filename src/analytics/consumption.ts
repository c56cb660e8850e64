/**
 * Water use from the flow meter's running total (`Pulse_TotalGallons`), in one pass.
 *
 * - A fall of the counter is a meter replacement: the new meter starts near 0, so its reading
 *   is what was drawn since the swap and is added to the total; the old meter's count is kept.
 *   Nothing is negative and nothing is counted twice. A fall within the tolerance is jitter:
 *   the total holds until the counter passes its previous high again.
 * - A gap (readings further apart than `gapMs`) is filled by linear interpolation of the
 *   counter across it, and everything that came from it is marked as filled.
 * - Hour and day totals are local to the site's time zone; an interval spanning a boundary is
 *   split in proportion to time (the counter interpolated at the boundary).
 */
import { BucketAccumulator, type Bucket } from "./buckets.ts";
import { localClock, type LocalClock } from "./local-time.ts";
import { Meter, METER_REPLACEMENT_TOLERANCE_GALLONS } from "../physics/meter.ts";

/** The flow meter's telemetry key. */
export const COUNTER_KEY = "Pulse_TotalGallons";

export interface ConsumptionOptions {
  /** Site clock for hour and day buckets; default UTC. */
  clock?: LocalClock;
  /** Readings further apart than this are a gap, ms. Default: 3 × the median interval, at least 5 minutes. */
  gapMs?: number;
  /** A counter fall of more than this is a meter replacement, gallons. Default 1. */
  replacementToleranceGallons?: number;
}

export interface MeterReplacement {
  /** Epoch ms of the first reading of the new meter. */
  ts: number;
  /** Last reading of the old meter and first of the new one, gallons. */
  oldReading: number;
  newReading: number;
}

export interface Gap {
  /** Epoch ms of the readings on each side of the gap. */
  startMs: number;
  endMs: number;
  /** Gallons attributed to the gap by interpolation. */
  gallons: number;
}

export interface Consumption {
  /** Per row: gallons drawn since the previous reading; NaN on the first reading and rows without one. */
  intervalGallons: Float64Array;
  /** Per row: mean flow over the interval ending at the row, gallons per minute; NaN like `intervalGallons`. */
  flowGpm: Float64Array;
  /** Per row: 1 where the interval ending at the row was a gap whose use was interpolated. */
  filled: Uint8Array;
  /** Per row: gallons drawn since the first reading, continued across replacements; NaN where no reading. */
  usedGallons: Float64Array;
  /** Local hours and days, gallons (`value`) and interpolated gallons (`filledValue`). */
  hourly: Bucket[];
  daily: Bucket[];
  replacements: MeterReplacement[];
  gaps: Gap[];
  /** Gallons drawn over the whole frame. */
  totalGallons: number;
  /** Smallest counter step seen: the meter's pulse size, gallons (1 when the counter never moved). */
  resolutionGallons: number;
  /** The gap threshold used, ms. */
  gapMs: number;
}

/** Median spacing of the rows where `values` has a reading, ms (60 000 when fewer than two). */
export function medianIntervalMs(ts: Float64Array, values?: Float64Array): number {
  const d = new Float64Array(ts.length);
  let k = 0;
  let prev = NaN;
  for (let i = 0; i < ts.length; i++) {
    if (values && Number.isNaN(values[i])) continue;
    if (!Number.isNaN(prev)) d[k++] = ts[i] - prev;
    prev = ts[i];
  }
  if (k === 0) return 60_000;
  return kthSmallest(d.subarray(0, k), k >> 1);
}

/**
 * The k-th smallest of `xs` (0-based), reordering `xs`: Hoare's selection, O(n) expected, where
 * sorting is O(n log n) (the replay asks for the median interval of 26 h at every 5-minute slot).
 */
function kthSmallest(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const x = xs[i]!;
        xs[i++] = xs[j]!;
        xs[j--] = x;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

/** The default gap threshold: 3 × the median interval, at least 5 minutes. */
export function defaultGapMs(ts: Float64Array, values?: Float64Array): number {
  return Math.max(300_000, 3 * medianIntervalMs(ts, values));
}

/** Consumption from `counter` (gallons, a running total) at times `ts` (epoch ms). */
export function computeConsumption(ts: Float64Array, counter: Float64Array, options: ConsumptionOptions = {}): Consumption {
  const n = ts.length;
  const clock = options.clock ?? localClock("UTC");
  const gapMs = options.gapMs ?? defaultGapMs(ts, counter);
  const tolerance = options.replacementToleranceGallons ?? METER_REPLACEMENT_TOLERANCE_GALLONS;
  const intervalGallons = new Float64Array(n).fill(NaN);
  const flowGpm = new Float64Array(n).fill(NaN);
  const filled = new Uint8Array(n);
  const usedGallons = new Float64Array(n).fill(NaN);
  const hourly = new BucketAccumulator(clock, "hour");
  const daily = new BucketAccumulator(clock, "day");
  const replacements: MeterReplacement[] = [];
  const gaps: Gap[] = [];
  let resolution = Infinity;

  let prevTs = NaN;
  const meter = new Meter(tolerance);
  let last = NaN; // last reading, for the replacement record
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = counter[i];
    if (Number.isNaN(c)) continue;
    const t = ts[i];
    const added = meter.add(c);
    if (Number.isNaN(prevTs)) {
      prevTs = t;
      last = c;
      usedGallons[i] = 0;
      continue;
    }
    if (meter.replaced) replacements.push({ ts: t, oldReading: last, newReading: c });
    else if (added > 0 && added < resolution) resolution = added;
    const dt = t - prevTs;
    const isGap = dt > gapMs;
    if (isGap) {
      filled[i] = 1;
      gaps.push({ startMs: prevTs, endMs: t, gallons: added });
    }
    hourly.add(prevTs, t, added, isGap);
    daily.add(prevTs, t, added, isGap);
    total += added;
    intervalGallons[i] = added;
    flowGpm[i] = dt > 0 ? added / (dt / 60_000) : NaN;
    usedGallons[i] = total;
    prevTs = t;
    last = c;
  }
  return {
    intervalGallons, flowGpm, filled, usedGallons,
    hourly: hourly.buckets, daily: daily.buckets,
    replacements, gaps, totalGallons: total,
    resolutionGallons: Number.isFinite(resolution) ? resolution : 1,
    gapMs,
  };
}
