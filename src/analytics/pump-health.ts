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

/** Pump health of `pump` over `frame`. */
export function computePumpHealth(frame: HistoryFrame, pump: PumpId, options: PumpHealthOptions = {}): PumpHealth {
  const { ts } = frame;
  const n = ts.length;
  const col = (key: string) => frame.columns[key] ?? NAN_COLUMN;
  const v = [col(`${pump}V1`), col(`${pump}V2`), col(`${pump}V3`)];
  const c = [col(`${pump}C1`), col(`${pump}C2`), col(`${pump}C3`)];
  const pressure = frame.columns.S1 ?? frame.columns.S2 ?? NAN_COLUMN;
  const clock = options.clock ?? localClock("UTC");
  const threshold = options.runningCurrentAmps ?? 1;
  const pf = options.powerFactor ?? 0.8;
  const gapMs = options.gapMs ?? defaultGapMs(ts, c[0].length ? c[0] : undefined);
  const minVoltage = options.minVoltage ?? 50;
  const at = (a: Float64Array, i: number) => (i < a.length ? a[i] : NaN);

  const running = new Float64Array(n).fill(NaN);
  const vu = new Float64Array(n).fill(NaN);
  const cu = new Float64Array(n).fill(NaN);
  const cycles: PumpCycle[] = [];
  const runAcc = new BucketAccumulator(clock, "day");
  const obsAcc = new BucketAccumulator(clock, "day");
  const startAcc = new BucketAccumulator(clock, "day");
  const energyAcc = new BucketAccumulator(clock, "day");
  const dayStats = new Map<number, { vSum: number; vN: number; vMax: number; cSum: number; cN: number; cMax: number }>();

  let starts = 0, runMs = 0, observedMs = 0, energyKwh = 0;
  let prevT = NaN, prevState = NaN, prevPower = NaN, prevPressure = NaN;
  let cycle: (PumpCycle & { sum: number; count: number; basePressure: number; maxPressure: number }) | undefined;

  const closeCycle = (endMs: number, complete: boolean) => {
    if (!cycle) return;
    cycle.endMs = endMs;
    cycle.complete = cycle.complete && complete;
    cycle.meanCurrentA = cycle.count ? cycle.sum / cycle.count : NaN;
    cycle.pressureRisePsi = Number.isNaN(cycle.basePressure) || cycle.maxPressure === -Infinity ? NaN : cycle.maxPressure - cycle.basePressure;
    const { sum: _s, count: _c, basePressure: _b, maxPressure: _m, ...done } = cycle;
    cycles.push(done);
    cycle = undefined;
  };

  for (let i = 0; i < n; i++) {
    const t = ts[i];
    const va = at(v[0], i), vb = at(v[1], i), vc = at(v[2], i);
    const ia = at(c[0], i), ib = at(c[1], i), ic = at(c[2], i);
    const p = at(pressure, i);
    let sum = 0, count = 0;
    if (!Number.isNaN(ia)) { sum += ia; count++; }
    if (!Number.isNaN(ib)) { sum += ib; count++; }
    if (!Number.isNaN(ic)) { sum += ic; count++; }
    const meanCurrent = count ? sum / count : NaN;
    const state = count ? (meanCurrent > threshold ? 1 : 0) : NaN;
    running[i] = state;

    let power = 0, phases = 0;
    if (!Number.isNaN(va) && !Number.isNaN(ia)) { power += va * ia; phases++; }
    if (!Number.isNaN(vb) && !Number.isNaN(ib)) { power += vb * ib; phases++; }
    if (!Number.isNaN(vc) && !Number.isNaN(ic)) { power += vc * ic; phases++; }
    power = phases ? power * pf : NaN;

    const day = clock.dayIndex(t);
    let stats = dayStats.get(day);
    if (!stats) dayStats.set(day, (stats = { vSum: 0, vN: 0, vMax: NaN, cSum: 0, cN: 0, cMax: NaN }));
    if ((va + vb + vc) / 3 >= minVoltage) {
      vu[i] = nemaUnbalancePct(va, vb, vc);
      stats.vSum += vu[i]; stats.vN++; stats.vMax = Math.max(vu[i], Number.isNaN(stats.vMax) ? -Infinity : stats.vMax);
    }
    if (state === 1 && !Number.isNaN(ia + ib + ic)) {
      cu[i] = nemaUnbalancePct(ia, ib, ic);
      stats.cSum += cu[i]; stats.cN++; stats.cMax = Math.max(cu[i], Number.isNaN(stats.cMax) ? -Infinity : stats.cMax);
    }

    const dt = t - prevT;
    const linked = dt > 0 && dt <= gapMs;
    if (linked) {
      observedMs += dt;
      obsAcc.add(prevT, t, dt);
      if (prevState === 1) { runMs += dt; runAcc.add(prevT, t, dt); }
      if (!Number.isNaN(power) && !Number.isNaN(prevPower)) {
        const kwh = ((prevPower + power) / 2) * dt / 1000 / 3_600_000;
        energyKwh += kwh;
        energyAcc.add(prevT, t, kwh);
      }
    } else if (cycle && !Number.isNaN(prevT)) {
      closeCycle(prevT, false);
    }

    if (state === 1) {
      if (!cycle) {
        const isStart = linked && prevState === 0;
        if (isStart) { starts++; startAcc.add(t, t, 1); }
        cycle = { startMs: t, endMs: t, complete: isStart, meanCurrentA: NaN, pressureRisePsi: NaN, dryRun: false, sum: 0, count: 0, basePressure: isStart && !Number.isNaN(prevPressure) ? prevPressure : p, maxPressure: -Infinity };
      }
      cycle.sum += meanCurrent;
      cycle.count++;
      if (!Number.isNaN(p)) cycle.maxPressure = Math.max(cycle.maxPressure, p);
    } else if (state === 0 && cycle) {
      if (!Number.isNaN(p)) cycle.maxPressure = Math.max(cycle.maxPressure, p);
      closeCycle(t, true);
    }
    if (!Number.isNaN(state)) prevState = state;
    prevT = t;
    prevPower = power;
    if (!Number.isNaN(p)) prevPressure = p;
  }
  if (cycle) closeCycle(prevT, false);

  const learned = median(cycles.filter((x) => !Number.isNaN(x.meanCurrentA)).map((x) => x.meanCurrentA));
  const ratio = options.dryRunCurrentRatio ?? 0.7;
  const minRise = options.dryRunPressureRisePsi ?? 2;
  let dryRunCycles = 0;
  for (const cy of cycles) {
    cy.dryRun = cy.meanCurrentA < ratio * learned && !(cy.pressureRisePsi >= minRise);
    if (cy.dryRun) dryRunCycles++;
  }
  const complete = cycles.filter((x) => x.complete);
  const completeMs = complete.reduce((s, x) => s + (x.endMs - x.startMs), 0);

  const days: PumpDay[] = obsAcc.buckets.map((b) => {
    const stats = dayStats.get(clock.dayIndex(b.startMs));
    return {
      date: clock.dateLabel(b.startMs),
      startMs: b.startMs,
      starts: valueAt(startAcc.buckets, b.startMs),
      runSeconds: valueAt(runAcc.buckets, b.startMs) / 1000,
      observedSeconds: b.value / 1000,
      dutyCycle: b.value > 0 ? valueAt(runAcc.buckets, b.startMs) / b.value : NaN,
      energyKwh: valueAt(energyAcc.buckets, b.startMs),
      voltageUnbalanceMeanPct: stats?.vN ? stats.vSum / stats.vN : NaN,
      voltageUnbalanceMaxPct: stats?.vMax ?? NaN,
      currentUnbalanceMeanPct: stats?.cN ? stats.cSum / stats.cN : NaN,
      currentUnbalanceMaxPct: stats?.cMax ?? NaN,
    };
  });

  return {
    pump, running, voltageUnbalancePct: vu, currentUnbalancePct: cu, cycles,
    starts, runMs, observedMs,
    startsPerHour: observedMs > 0 ? starts / (observedMs / 3_600_000) : NaN,
    runSecondsPerStart: complete.length ? completeMs / complete.length / 1000 : NaN,
    dutyCycle: observedMs > 0 ? runMs / observedMs : NaN,
    energyKwh, learnedRunningCurrentA: learned, dryRunCycles, days,
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
