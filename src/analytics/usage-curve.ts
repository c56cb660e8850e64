/**
 * A flow meter's cumulative use as a piecewise-linear curve of time, with the pulse steps of
 * the meter smoothed out, and the continuous-flow runs it shows.
 *
 * A meter counting whole pulses of R gallons shows a steady 0.4 gal/min leak as a step every
 * R / 0.4 minutes, and the readings in between as "no flow". The curve joins two counter
 * steps by a straight line when they are at most `smearMs` apart (the flow went on between
 * them); when they are further apart the counter stood still, and the step is placed in the
 * reading interval where it was seen. `smearMs` = max(5 min, R ÷ `detectableGpm`), so a
 * flow of at least `detectableGpm` is never mistaken for stops, whatever the pulse size.
 */

export interface UsageCurve {
  /** Breakpoints: epoch ms (non-decreasing) and gallons drawn since the first reading. */
  t: Float64Array;
  u: Float64Array;
  /** The joining distance used, ms. */
  smearMs: number;
  /** Continuous-flow runs, oldest first. */
  runs: FlowRun[];
  /** Intervals between readings longer than the gap threshold, [start, end] epoch ms: the curve is interpolated there. */
  gaps: Array<[number, number]>;
}

/** A stretch during which the flow never returned to zero. */
export interface FlowRun {
  /** Epoch ms: the reading before the first counter step, and the last step. */
  startMs: number;
  endMs: number;
  /** Gallons drawn in the run. */
  gallons: number;
}

export interface UsageCurveOptions {
  /** The meter's pulse size, gallons (see `Consumption.resolutionGallons`). */
  resolutionGallons: number;
  /** The lowest flow that must read as continuous, gal/min. Default {@link DETECTABLE_GPM}. */
  detectableGpm?: number;
  /** Readings further apart than this are a gap: flow across it is unknown, ms. */
  gapMs: number;
  /**
   * Also end a run where this many readings in a row saw the counter standing still more than a
   * pulse at `detectableGpm` after its last step (a flow of that rate would have turned it):
   * within the joining distance, which never falls below 5 minutes (so that readings every 5
   * minutes join), the meter read every minute shows such a stop by itself. Default: never.
   */
  stillReadings?: number;
}

const MINUTE_MS = 60_000;
/** The lowest flow a curve reads as continuous by default, gal/min. */
export const DETECTABLE_GPM = 0.2;

/** Builds the curve from `usedGallons` (see `computeConsumption`), in one pass. */
/**
 * A meter is coarse when its curve joins steps more than 15 minutes apart (a 10-gallon meter):
 * it cannot tell a stop from a pause, so the rules read its runs differently. The one cutoff
 * every rule uses.
 */
export const COARSE_SMEAR_MS = 15 * MINUTE_MS;

/** Whether a curve joining steps `smearMs` apart is a coarse meter's (see COARSE_SMEAR_MS). */
export function isCoarse(smearMs: number): boolean {
  return smearMs > COARSE_SMEAR_MS;
}

export function usageCurve(ts: Float64Array, usedGallons: Float64Array, options: UsageCurveOptions): UsageCurve {
  // Never shorter than two reading intervals (the gap threshold is three): with readings every
  // 5 minutes and a second of jitter, steps of a steady flow are 5 min ± 1 s apart and must join.
  const pulseMs = (options.resolutionGallons / (options.detectableGpm ?? DETECTABLE_GPM)) * MINUTE_MS;
  const smearMs = Math.max(5 * MINUTE_MS, pulseMs, (2 / 3) * options.gapMs);
  const stillReadings = options.stillReadings ?? Infinity;
  let still = 0; // readings since the last step, more than a pulse's time after it, that saw the counter standing
  const t: number[] = [];
  const u: number[] = [];
  const runs: FlowRun[] = [];
  const gaps: Array<[number, number]> = [];
  let changeT = NaN; // last counter step
  let changeU = NaN;
  let prevT = NaN; // previous reading
  let run: FlowRun | undefined;
  for (let i = 0; i < ts.length; i++) {
    const ui = usedGallons[i];
    if (Number.isNaN(ui)) continue;
    const ti = ts[i];
    if (Number.isNaN(changeT)) {
      t.push(ti); u.push(ui);
      changeT = ti; changeU = ui; prevT = ti;
      continue;
    }
    const afterGap = ti - prevT > options.gapMs;
    if (afterGap) gaps.push([prevT, ti]);
    if (ui > changeU) {
      if (ti - changeT > smearMs || afterGap || still >= stillReadings) {
        if (prevT > changeT) { t.push(prevT); u.push(changeU); }
        if (run) runs.push(run);
        run = { startMs: afterGap ? ti : prevT, endMs: ti, gallons: afterGap ? 0 : ui - changeU };
      } else if (run) {
        run.endMs = ti;
        run.gallons += ui - changeU;
      } else {
        run = { startMs: prevT, endMs: ti, gallons: ui - changeU };
      }
      t.push(ti); u.push(ui);
      changeT = ti; changeU = ui;
      still = 0;
    } else if (ti - changeT > pulseMs) still++;
    prevT = ti;
  }
  if (prevT > changeT) { t.push(prevT); u.push(changeU); }
  if (run) runs.push(run);
  return { t: Float64Array.from(t), u: Float64Array.from(u), smearMs, runs, gaps };
}

/**
 * The curve's runs with the first one continued back to `earlier`, the run still flowing at
 * the end of an earlier analysis of the same meter, when this curve begins inside it: its
 * first run starts at its first reading (within the joining distance) and `earlier` reaches
 * that start. A monitor analyses a sliding window, so without this a leak older than the
 * window would always read as old as the window. Gallons the two share are counted once.
 */
export function continueRuns(curve: UsageCurve, earlier: FlowRun | undefined): FlowRun[] {
  const first = curve.runs[0];
  if (!earlier || !first || curve.t.length === 0) return curve.runs;
  const beganInside = first.startMs - curve.t[0]! <= curve.smearMs && earlier.startMs < first.startMs && earlier.endMs >= first.startMs - curve.smearMs;
  if (!beganInside) return curve.runs;
  const shared = usageAt(curve, Math.min(earlier.endMs, first.endMs)) - usageAt(curve, first.startMs);
  const gallons = earlier.gallons + first.gallons - (Number.isFinite(shared) ? Math.max(0, shared) : 0);
  return [{ startMs: earlier.startMs, endMs: first.endMs, gallons }, ...curve.runs.slice(1)];
}

/**
 * A coarse meter's runs joined across a gap in its readings when the counter's step across the
 * gap is at least one pulse per joining distance (`detectableGpm`, the flow the curve joins
 * steps for) and a run was still flowing when the readings stopped. The meter counts through an
 * outage, so that step is real volume; a coarse run already means no more than this (steps at
 * most a joining distance apart: a mean flow of at least that rate between them, not proof that
 * water never stopped), and the step across the gap shows the same mean over the gap. Without
 * the join a 0.25 gal/min leak whose one night fell in a 6-hour outage was never found: the run
 * began again at the first reading after it, with none of the night's quiet hours that
 * `continuous_flow` asks a coarse meter's run to hold. A fine meter's run means no stop of more
 * than a few minutes, which a gap cannot show: its runs are left as they are.
 */
export function joinRunsAcrossGaps(curve: UsageCurve, detectableGpm = DETECTABLE_GPM): FlowRun[] {
  if (!isCoarse(curve.smearMs) || curve.gaps.length === 0) return curve.runs;
  const out: FlowRun[] = [];
  for (const run of curve.runs) {
    const last = out[out.length - 1];
    const gap = last && curve.gaps.find(([from, to]) => to === run.startMs && from >= last.endMs && from - last.endMs <= curve.smearMs);
    const across = gap ? usageAt(curve, gap[1]) - usageAt(curve, gap[0]) : NaN;
    if (gap && across >= (detectableGpm * (gap[1] - gap[0])) / MINUTE_MS) {
      out[out.length - 1] = { startMs: last.startMs, endMs: run.endMs, gallons: last.gallons + across + run.gallons };
    } else out.push(run);
  }
  return out;
}

/** The last run when it is still flowing at `now` (its last step within the joining distance). */
export function ongoingRun(runs: readonly FlowRun[], smearMs: number, now: number): FlowRun | undefined {
  const run = runs[runs.length - 1];
  return run && now - run.endMs <= smearMs ? run : undefined;
}

/** Gallons drawn by time `at` (linear between breakpoints); NaN outside the curve. */
export function usageAt(curve: UsageCurve, at: number): number {
  const { t } = curve;
  const n = t.length;
  if (n === 0 || at < t[0] || at > t[n - 1]) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= at) lo = mid; else hi = mid;
  }
  return interpolate(curve, lo, hi, at);
}

/** Usage at `at` between breakpoints `lo` and `hi` (t[lo] ≤ at, the last such `lo` below `hi`). */
function interpolate(curve: UsageCurve, lo: number, hi: number, at: number): number {
  const { t, u } = curve;
  if (t[hi] === t[lo]) return u[hi];
  if (at >= t[hi]) return u[hi];
  return u[lo] + ((u[hi] - u[lo]) * (at - t[lo])) / (t[hi] - t[lo]);
}

/** Mean flow over [from, to], gal/min; NaN when the curve does not cover it. */
export function flowBetween(curve: UsageCurve, from: number, to: number): number {
  return ((usageAt(curve, to) - usageAt(curve, from)) / (to - from)) * MINUTE_MS;
}

/**
 * Rolling mean flows over windows of `windowMs` ending every `stepMs` within [from, to]:
 * returns the window ends (epoch ms) and flows (gal/min), skipping windows the curve does
 * not cover and windows that touch a gap (their flow would be interpolated, not measured).
 */
export function rollingFlow(curve: UsageCurve, from: number, to: number, windowMs: number, stepMs = MINUTE_MS): { t: Float64Array; gpm: Float64Array } {
  // The replay's hot loop (two scans per analysis, every 5-minute slot): typed arrays sized up
  // front and two cursors walking the breakpoints (times only grow), the arithmetic unchanged.
  const room = to >= from + windowMs ? Math.floor((to - from - windowMs) / stepMs) + 2 : 0;
  const ends = new Float64Array(room);
  const flows = new Float64Array(room);
  const { t, u, gaps } = curve;
  const n = t.length;
  const first = n > 0 ? t[0]! : NaN;
  const last = n > 0 ? t[n - 1]! : NaN;
  let count = 0;
  let g = 0;
  let loStart = 0;
  let loEnd = 0;
  for (let end = from + windowMs; end <= to; end += stepMs) {
    const start = end - windowMs;
    while (g < gaps.length && gaps[g]![1] <= start) g++;
    if (g < gaps.length && gaps[g]![0] < end) continue;
    // Outside the curve (or an empty one) the flow is NaN and the window is skipped.
    if (!(start >= first && start <= last && end >= first && end <= last)) continue;
    let uEnd: number;
    let uStart: number;
    if (n === 1) {
      uEnd = u[0]!;
      uStart = u[0]!;
    } else {
      while (loEnd + 1 < n - 1 && t[loEnd + 1]! <= end) loEnd++;
      while (loStart + 1 < n - 1 && t[loStart + 1]! <= start) loStart++;
      uEnd = interpolate(curve, loEnd, loEnd + 1, end);
      uStart = interpolate(curve, loStart, loStart + 1, start);
    }
    const f = ((uEnd - uStart) / (end - start)) * MINUTE_MS;
    if (!Number.isNaN(f)) {
      ends[count] = end;
      flows[count++] = f;
    }
  }
  return { t: ends.slice(0, count), gpm: flows.slice(0, count) };
}

/**
 * Minutes the flow has gone on without returning to zero at time `now`: from the start of the
 * last run if its last step is within the joining distance, else 0.
 */
export function continuousFlowMinutes(curve: UsageCurve, now: number): number {
  const run = ongoingRun(curve.runs, curve.smearMs, now);
  return run ? Math.max(0, now - run.startMs) / MINUTE_MS : 0;
}
