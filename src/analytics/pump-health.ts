/**
 * Pump health from the three-phase voltages and currents of each pump (P1, P2, P3 where the
 * keys exist), in one pass over the rows:
 *
 * - running: the mean phase current above `runningCurrentAmps`; starts, cycles, run time per
 *   start and duty cycle from it (an interval longer than the gap threshold is not counted);
 * - NEMA MG-1 unbalance (§14.36): the largest deviation of a phase from the three-phase
 *   average ÷ the average × 100, for voltages whenever they are present and for currents while
 *   the pump runs;
 * - energy: trapezoidal integration of P = pf × Σ V·I over the phases, W·ms ÷ 1000 ÷ 3.6e6 = kWh;
 * - dry run: a cycle whose mean current is well below the pump's learned running current (the
 *   median over its cycles) while the pressure does not rise.
 */
import { BucketAccumulator, type Bucket } from "./buckets.ts";
import { localClock, type LocalClock } from "./local-time.ts";
import { defaultGapMs } from "./consumption.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { CycleTracker } from "./pump-cycles.ts";

export const PUMPS = ["P1", "P2", "P3"] as const;
export type PumpId = (typeof PUMPS)[number];

export interface PumpHealthOptions {
  clock?: LocalClock;
  /** Mean phase current above which the pump counts as running, A. Default 1. */
  runningCurrentAmps?: number;
  /** Power factor for energy, (0, 1]. Default 0.8. */
  powerFactor?: number;
  /** Rows further apart than this are a gap, ms. Default: 3 × the median interval, at least 5 min. */
  gapMs?: number;
  /** A cycle below this share of the learned running current is under-loaded. Default 0.7. */
  dryRunCurrentRatio?: number;
  /** A cycle whose pressure rises less than this is not delivering water, PSI. Default 2. */
  dryRunPressureRisePsi?: number;
  /** Mean phase voltage below which the supply is off and unbalance undefined, V. Default 50. */
  minVoltage?: number;
}

/** One run of the pump, from the first running reading to the first stopped one. */
export interface PumpCycle {
  /** Epoch ms of the first running reading and of the first reading after it stopped (or the last running one). */
  startMs: number;
  endMs: number;
  /** True when both the start and the stop were seen (not cut by the frame's edges or a gap). */
  complete: boolean;
  /** Mean over the running readings of the mean phase current, A. */
  meanCurrentA: number;
  /** Highest pressure during the cycle minus the pressure when it started, PSI; NaN without pressure. */
  pressureRisePsi: number;
  /** Under-loaded without a pressure rise: the pump may be running dry. */
  dryRun: boolean;
}

/** Per local day. */
export interface PumpDay {
  date: string;
  startMs: number;
  starts: number;
  runSeconds: number;
  /** Time covered by readings (gaps excluded), seconds. */
  observedSeconds: number;
  /** Run time ÷ observed time, 0–1. */
  dutyCycle: number;
  energyKwh: number;
  /** Mean and largest NEMA unbalance, percent; NaN without readings. */
  voltageUnbalanceMeanPct: number;
  voltageUnbalanceMaxPct: number;
  currentUnbalanceMeanPct: number;
  currentUnbalanceMaxPct: number;
}

export interface PumpHealth {
  pump: PumpId;
  /** Per row: 1 running, 0 stopped, NaN unknown (no current reading). */
  running: Float64Array;
  /** Per row NEMA unbalance, percent; NaN where undefined (currents: only while running). */
  voltageUnbalancePct: Float64Array;
  currentUnbalancePct: Float64Array;
  cycles: PumpCycle[];
  starts: number;
  runMs: number;
  observedMs: number;
  startsPerHour: number;
  /** Mean run time of complete cycles, seconds; NaN without one. */
  runSecondsPerStart: number;
  dutyCycle: number;
  energyKwh: number;
  /** Median of the cycles' mean currents, A; NaN without a cycle. */
  learnedRunningCurrentA: number;
  dryRunCycles: number;
  days: PumpDay[];
}

/** NEMA MG-1 unbalance of three phase values, percent; NaN if one is missing or the mean is ≤ 0. */
export function nemaUnbalancePct(a: number, b: number, c: number): number {
  const mean = (a + b + c) / 3;
  if (!(mean > 0)) return NaN;
  const dev = Math.max(Math.abs(a - mean), Math.abs(b - mean), Math.abs(c - mean));
  return (dev / mean) * 100;
}

/** The pumps whose current keys have at least one reading in `frame`. */
export function pumpsIn(frame: HistoryFrame): PumpId[] {
  return PUMPS.filter((p) => [1, 2, 3].some((k) => {
    const col = frame.columns[`${p}C${k}`];
    return col !== undefined && col.some((x) => !Number.isNaN(x));
  }));
}

const NAN_COLUMN = new Float64Array(0);

// One row's phases are passed as numbers, not an object: the replay runs this loop over a
// day of rows at every 5-minute slot.

/** Mean of the present phase currents; NaN when none is. */
function meanCurrent(ia: number, ib: number, ic: number): number {
  let sum = 0, count = 0;
  if (!Number.isNaN(ia)) { sum += ia; count++; }
  if (!Number.isNaN(ib)) { sum += ib; count++; }
  if (!Number.isNaN(ic)) { sum += ic; count++; }
  return count ? sum / count : NaN;
}

/** pf × Σ V·I over the phases with both readings, W; NaN when none has. */
function phasePower(va: number, vb: number, vc: number, ia: number, ib: number, ic: number, pf: number): number {
  let power = 0, phases = 0;
  if (!Number.isNaN(va) && !Number.isNaN(ia)) { power += va * ia; phases++; }
  if (!Number.isNaN(vb) && !Number.isNaN(ib)) { power += vb * ib; phases++; }
  if (!Number.isNaN(vc) && !Number.isNaN(ic)) { power += vc * ic; phases++; }
  return phases ? power * pf : NaN;
}

interface DayStats { vSum: number; vN: number; vMax: number; cSum: number; cN: number; cMax: number }

/** Per-day unbalance sums; the unbalance of one row, if defined, into its day. */
class UnbalanceByDay {
  readonly days = new Map<number, DayStats>();
  // Rows come in time order: the day of the previous row is usually this one's.
  private lastDay = NaN;
  private last: DayStats | undefined;

  add(day: number, voltage: number, current: number): void {
    let s = day === this.lastDay ? this.last : this.days.get(day);
    if (!s) this.days.set(day, (s = { vSum: 0, vN: 0, vMax: NaN, cSum: 0, cN: 0, cMax: NaN }));
    this.lastDay = day;
    this.last = s;
    if (!Number.isNaN(voltage)) { s.vSum += voltage; s.vN++; s.vMax = Number.isNaN(s.vMax) ? voltage : Math.max(voltage, s.vMax); }
    if (!Number.isNaN(current)) { s.cSum += current; s.cN++; s.cMax = Number.isNaN(s.cMax) ? current : Math.max(current, s.cMax); }
  }
}

/** Marks the dry-run cycles against the learned running current; returns it and their count. */
function markDryRuns(cycles: PumpCycle[], options: PumpHealthOptions): { learned: number; dryRunCycles: number } {
  const learned = median(cycles.filter((x) => !Number.isNaN(x.meanCurrentA)).map((x) => x.meanCurrentA));
  const ratio = options.dryRunCurrentRatio ?? 0.7;
  const minRise = options.dryRunPressureRisePsi ?? 2;
  let dryRunCycles = 0;
  for (const cy of cycles) {
    cy.dryRun = cy.meanCurrentA < ratio * learned && !(cy.pressureRisePsi >= minRise);
    if (cy.dryRun) dryRunCycles++;
  }
  return { learned, dryRunCycles };
}

interface DayAccumulators { run: BucketAccumulator; obs: BucketAccumulator; start: BucketAccumulator; energy: BucketAccumulator }

function pumpDays(clock: LocalClock, acc: DayAccumulators, unbalance: UnbalanceByDay): PumpDay[] {
  return acc.obs.buckets.map((b) => {
    const stats = unbalance.days.get(clock.dayIndex(b.startMs));
    const run = valueAt(acc.run.buckets, b.startMs);
    return {
      date: clock.dateLabel(b.startMs),
      startMs: b.startMs,
      starts: valueAt(acc.start.buckets, b.startMs),
      runSeconds: run / 1000,
      observedSeconds: b.value / 1000,
      dutyCycle: b.value > 0 ? run / b.value : NaN,
      energyKwh: valueAt(acc.energy.buckets, b.startMs),
      voltageUnbalanceMeanPct: stats?.vN ? stats.vSum / stats.vN : NaN,
      voltageUnbalanceMaxPct: stats?.vMax ?? NaN,
      currentUnbalanceMeanPct: stats?.cN ? stats.cSum / stats.cN : NaN,
      currentUnbalanceMaxPct: stats?.cMax ?? NaN,
    };
  });
}

/** Pump health of `pump` over `frame`. */
export function computePumpHealth(frame: HistoryFrame, pump: PumpId, options: PumpHealthOptions = {}): PumpHealth {
  const { ts } = frame;
  const n = ts.length;
  const col = (key: string) => frame.columns[key] ?? NAN_COLUMN;
  const [v1, v2, v3, c1, c2, c3] = [col(`${pump}V1`), col(`${pump}V2`), col(`${pump}V3`), col(`${pump}C1`), col(`${pump}C2`), col(`${pump}C3`)];
  const pressure = frame.columns.S1 ?? frame.columns.S2 ?? NAN_COLUMN;
  const clock = options.clock ?? localClock("UTC");
  const threshold = options.runningCurrentAmps ?? 1;
  const pf = options.powerFactor ?? 0.8;
  const gapMs = options.gapMs ?? defaultGapMs(ts, c1.length ? c1 : undefined);
  const minVoltage = options.minVoltage ?? 50;
  const at = (a: Float64Array, i: number) => (i < a.length ? a[i]! : NaN);

  const running = new Float64Array(n).fill(NaN);
  const vu = new Float64Array(n).fill(NaN);
  const cu = new Float64Array(n).fill(NaN);
  const tracker = new CycleTracker();
  const acc: DayAccumulators = { run: new BucketAccumulator(clock, "day"), obs: new BucketAccumulator(clock, "day"), start: new BucketAccumulator(clock, "day"), energy: new BucketAccumulator(clock, "day") };
  const unbalance = new UnbalanceByDay();

  let runMs = 0, observedMs = 0, energyKwh = 0;
  let prevT = NaN, prevState = NaN, prevPower = NaN, prevPressure = NaN;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    const va = at(v1, i), vb = at(v2, i), vc = at(v3, i), ia = at(c1, i), ib = at(c2, i), ic = at(c3, i);
    const p = at(pressure, i);
    const current = meanCurrent(ia, ib, ic);
    const state = Number.isNaN(current) ? NaN : current > threshold ? 1 : 0;
    running[i] = state;
    const power = phasePower(va, vb, vc, ia, ib, ic, pf);
    if ((va + vb + vc) / 3 >= minVoltage) vu[i] = nemaUnbalancePct(va, vb, vc);
    if (state === 1 && !Number.isNaN(ia + ib + ic)) cu[i] = nemaUnbalancePct(ia, ib, ic);
    unbalance.add(clock.dayIndex(t), vu[i]!, cu[i]!);

    const dt = t - prevT;
    const linked = dt > 0 && dt <= gapMs;
    if (linked) {
      observedMs += dt;
      acc.obs.add(prevT, t, dt);
      if (prevState === 1) { runMs += dt; acc.run.add(prevT, t, dt); }
      if (!Number.isNaN(power) && !Number.isNaN(prevPower)) {
        const kwh = ((prevPower + power) / 2) * dt / 1000 / 3_600_000;
        energyKwh += kwh;
        acc.energy.add(prevT, t, kwh);
      }
    } else if (tracker.isOpen && !Number.isNaN(prevT)) {
      tracker.close(prevT, false);
    }

    if (state === 1) {
      const isStart = !tracker.isOpen && linked && prevState === 0;
      if (isStart) acc.start.add(t, t, 1);
      tracker.running(t, current, p, isStart, prevPressure);
    } else if (state === 0) tracker.stopped(t, p);
    if (!Number.isNaN(state)) prevState = state;
    prevT = t;
    prevPower = power;
    if (!Number.isNaN(p)) prevPressure = p;
  }
  tracker.close(prevT, false);

  const { cycles, starts } = tracker;
  const { learned, dryRunCycles } = markDryRuns(cycles, options);
  const complete = cycles.filter((x) => x.complete);
  const completeMs = complete.reduce((s, x) => s + (x.endMs - x.startMs), 0);
  return {
    pump, running, voltageUnbalancePct: vu, currentUnbalancePct: cu, cycles,
    starts, runMs, observedMs,
    startsPerHour: observedMs > 0 ? starts / (observedMs / 3_600_000) : NaN,
    runSecondsPerStart: complete.length ? completeMs / complete.length / 1000 : NaN,
    dutyCycle: observedMs > 0 ? runMs / observedMs : NaN,
    energyKwh, learnedRunningCurrentA: learned, dryRunCycles, days: pumpDays(clock, acc, unbalance),
  };
}

function valueAt(buckets: Bucket[], startMs: number): number {
  for (const b of buckets) if (b.startMs === startMs) return b.value;
  return 0;
}

/** Median of `xs`; NaN when empty. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
