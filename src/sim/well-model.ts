/**
 * The physics of one well site in simulated time: a bladder pressure tank between cut-in and
 * cut-out, the pump that refills it, an optional storage tank refilled by the well pump, the
 * well's drawdown, the flow meter, and the scenarios that break them. One local day at a time
 * from a small state checkpoint, so history regenerates on demand.
 */
import { dayDemand, dayEvents, DAY_MS } from "./demand.ts";
import { householdEvents } from "./household.ts";
import { flapperGpm, growingLeakGpm } from "./leak-shapes.ts";
import { noise } from "./random.ts";
import type { ScenarioTruth } from "./scenario.ts";
import { deviceKeys, type SimDeviceSpec } from "./site.ts";
import { vsdStep } from "./vsd.ts";

/** Everything carried from one instant to the next; a checkpoint at each local midnight. */
export interface WellState {
  /** Pressure-tank pressure, PSI (gauge). */
  psi: number;
  pumpOn: boolean;
  /** Water in the storage tank, gallons (sites with a tank). */
  storageGal: number;
  wellPumpOn: boolean;
  /** Current drawdown of the well, feet. */
  drawdownFt: number;
  /** Every gallon delivered to the house since the simulation began. */
  totalGal: number;
  /** `totalGal` at which the current meter read zero. */
  meterBaseGal: number;
  /** The value a stuck S1 repeats; NaN when not stuck. */
  stuckPsi: number;
  /** Flow to the house over the last step, gal/min. */
  deliveredGpm: number;
  /** A variable-speed drive's frequency, its time below minimum flow (s) and its boost. */
  hz: number;
  lowFlowSeconds: number;
  boosting: boolean;
}

/** One local day's samples: timestamps (epoch ms) and one column per key. */
export interface DayFrame {
  ts: Float64Array;
  columns: Record<string, Float64Array>;
}

const ATM = 14.7;

export function initialState(spec: SimDeviceSpec): WellState {
  return {
    psi: spec.drive ? spec.drive.setpointPsi : (spec.cutInPsi + spec.cutOutPsi) / 2,
    pumpOn: false,
    storageGal: spec.tankCapacityGallons * 0.8,
    wellPumpOn: false,
    drawdownFt: 0,
    totalGal: 0,
    meterBaseGal: -spec.meterStartGallons,
    stuckPsi: Number.NaN,
    deliveredGpm: 0,
    hz: 0,
    lowFlowSeconds: 0,
    boosting: false,
  };
}

/** Epoch ms of local midnight starting day `day` (days since the epoch in the site's zone). */
export function localDayStart(spec: SimDeviceSpec, day: number): number {
  return day * DAY_MS - spec.tzOffsetHours * 3_600_000;
}

/** The local day containing epoch ms `ms`. */
export function localDayOf(spec: SimDeviceSpec, ms: number): number {
  return Math.floor((ms + spec.tzOffsetHours * 3_600_000) / DAY_MS);
}

/**
 * Internal integration step, seconds: at most 10 s and a divisor of the sample interval
 * (fast pressure changes are sub-stepped inside `runDay`).
 */
export function physicsStepSeconds(spec: SimDeviceSpec): number {
  const interval = spec.sampleIntervalSeconds;
  return interval % 10 === 0 ? 10 : interval % 5 === 0 ? 5 : 1;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Advances `state` (mutated in place) through local day `day`. With `record`, returns the
 * samples every `sampleIntervalSeconds`, each taken at its instant before that step runs.
 * `scenarios` are this device's; only those overlapping the day matter.
 */
export function runDay(spec: SimDeviceSpec, seed: number, day: number, state: WellState, scenarios: readonly ScenarioTruth[], record: boolean): DayFrame | null {
  const step = physicsStepSeconds(spec);
  const steps = 86_400 / step;
  const dayStart = localDayStart(spec, day);
  const dayEnd = dayStart + DAY_MS;
  const demand = dayDemand(spec, seed, day, step, spec.household ? householdEvents : dayEvents);
  const active = scenarios.filter((s) => s.startMs < dayEnd && (s.endMs === null || s.endMs > dayStart));
  const keys = deviceKeys(spec);
  const rows = 86_400 / spec.sampleIntervalSeconds;
  const sampleEvery = spec.sampleIntervalSeconds / step;
  const ts = record ? new Float64Array(rows) : null;
  const cols: Record<string, Float64Array> = {};
  if (record) for (const k of keys) cols[k] = new Float64Array(rows);

  const dtm = step / 60;
  const p0 = spec.prechargePsi;
  const p0a = p0 + ATM;
  const dayOfYear = ((day % 365) + 365) % 365;
  const wellSeasonFt = 3 * Math.sin((2 * Math.PI * (dayOfYear - 120)) / 365);
  const drawUp = 1 - Math.exp(-step / 600);
  const drawDown = 1 - Math.exp(-step / 1800);

  for (let i = 0; i < steps; i++) {
    const t = dayStart + i * step * 1000;
    let extraGpm = 0;
    let dry = false;
    let dryFraction = 1;
    let airFraction = 1;
    let stuck = false;
    for (const s of active) {
      if (s.kind === "meter_replacement" && s.startMs >= t && s.startMs < t + step * 1000) state.meterBaseGal = state.totalGal;
      if (t < s.startMs || (s.endMs !== null && t >= s.endMs)) continue;
      if (s.kind === "leak" || s.kind === "burst") extraGpm += s.size ?? 0;
      else if (s.kind === "growing_leak") extraGpm += growingLeakGpm(s.size ?? 0, t - s.startMs);
      else if (s.kind === "flapper") extraGpm += flapperGpm(s.startMs, s.size ?? 0, t - s.startMs);
      else if (s.kind === "dry_run") {
        dry = true;
        dryFraction = s.size ?? 0.4;
      } else if (s.kind === "waterlogged_tank") airFraction = Math.min(airFraction, s.size ?? 0.2);
      else if (s.kind === "stuck_sensor") stuck = true;
    }
    const tSec = t / 1000;
    if (stuck) {
      if (Number.isNaN(state.stuckPsi)) state.stuckPsi = round1(state.psi + 0.15 * noise(spec.hashId, tSec, 1));
    } else state.stuckPsi = Number.NaN;

    if (record && i % sampleEvery === 0) {
      const row = i / sampleEvery;
      ts![row] = t;
      recordRow(spec, state, cols, row, tSec, (i * step) / 3600, dryFraction, dry, wellSeasonFt);
    }

    const want = demand[i] + extraGpm;
    if (spec.hasTank) {
      const pct = (100 * state.storageGal) / spec.tankCapacityGallons;
      if (!state.wellPumpOn && pct < spec.tankLowPct) state.wellPumpOn = true;
      else if (state.wellPumpOn && pct >= spec.tankHighPct) state.wellPumpOn = false;
      if (state.wellPumpOn) state.storageGal = Math.min(spec.tankCapacityGallons, state.storageGal + spec.wellPumpGpm * dtm);
    }
    if (spec.drive) {
      const tank = { gallons: spec.pressureTankGallons * airFraction, prechargePsi: spec.prechargePsi, pumpMaxGpm: spec.pumpMaxGpm, pumpShutoffPsi: spec.pumpShutoffPsi };
      const moved = vsdStep(spec.drive, tank, state, want, dtm, dry, spec.hasTank ? state.storageGal : undefined);
      if (spec.hasTank) state.storageGal -= moved.pumped;
      state.totalGal += moved.delivered;
      state.deliveredGpm = moved.delivered / dtm;
      const running = spec.hasTank ? state.wellPumpOn : state.pumpOn && !dry;
      state.drawdownFt += ((running ? spec.wellDrawdownFt : 0) - state.drawdownFt) * (running ? drawUp : drawDown);
      continue;
    }
    const vt = spec.pressureTankGallons * airFraction;
    // Sub-steps keep one step's pressure change near 1 PSI (a waterlogged tank moves fast).
    const slope = (Math.pow(state.psi + ATM, 2) / (p0a * vt)) * dtm;
    const flow = (state.pumpOn || state.psi <= spec.cutInPsi ? spec.pumpMaxGpm : 0) + want;
    const sub = Math.min(20, Math.max(1, Math.ceil(flow * slope)));
    const h = dtm / sub;
    let delivered = 0;
    for (let j = 0; j < sub; j++) {
      if (!state.pumpOn && state.psi <= spec.cutInPsi) state.pumpOn = true;
      let supply = 0;
      if (state.pumpOn && !dry) {
        const r = Math.min(1, Math.max(0, state.psi) / spec.pumpShutoffPsi);
        supply = spec.pumpMaxGpm * (1 - r * r);
        if (spec.hasTank) supply = Math.min(supply, Math.max(0, state.storageGal) / h);
      }
      const net = supply - want;
      if (net >= 0) {
        if (state.psi < p0 && supply > 0) state.psi = p0;
        if (state.psi >= p0) state.psi += (net * h * Math.pow(state.psi + ATM, 2)) / (p0a * vt);
        delivered += want * h;
      } else if (state.psi > p0) {
        state.psi = Math.max(p0, state.psi + (net * h * Math.pow(state.psi + ATM, 2)) / (p0a * vt));
        delivered += want * h;
      } else {
        // The bladder is empty: the house gets what the pump gives and the line pressure sags.
        state.psi = (p0 * supply) / want;
        delivered += supply * h;
      }
      if (spec.hasTank) state.storageGal -= supply * h;
      if (state.pumpOn && state.psi >= spec.cutOutPsi) {
        state.psi = spec.cutOutPsi + (state.psi - spec.cutOutPsi) * 0.1;
        state.pumpOn = false;
      }
    }
    state.totalGal += delivered;
    state.deliveredGpm = delivered / dtm;
    const wellRunning = spec.hasTank ? state.wellPumpOn : state.pumpOn && !dry;
    const target = wellRunning ? spec.wellDrawdownFt : 0;
    state.drawdownFt += (target - state.drawdownFt) * (wellRunning ? drawUp : drawDown);
  }
  if (record && spec.wellPumpIsP1 && spec.hasP2) swapPumps(cols);
  return record ? { ts: ts!, columns: cols } : null;
}

/** The well pump recorded as P1 and the booster as P2: swaps the two pumps' columns. */
function swapPumps(cols: Record<string, Float64Array>): void {
  for (const key of Object.keys(cols)) {
    if (!key.startsWith("P1")) continue;
    const other = `P2${key.slice(2)}`;
    [cols[key], cols[other]] = [cols[other], cols[key]];
  }
}

function recordRow(spec: SimDeviceSpec, s: WellState, cols: Record<string, Float64Array>, row: number, tSec: number, localHour: number, dryFraction: number, dry: boolean, wellSeasonFt: number): void {
  const id = spec.hashId;
  cols.S1[row] = Number.isNaN(s.stuckPsi) ? round1(Math.max(0, s.psi + 0.15 * noise(id, tSec, 1))) : s.stuckPsi;
  if (spec.hasS2) cols.S2[row] = round1(Math.max(0, s.psi - 0.6 - 0.3 * s.deliveredGpm + 0.15 * noise(id, tSec, 2)));
  const daily = 1.5 * Math.cos((2 * Math.PI * (localHour - 4)) / 24);
  const load = dry ? dryFraction : 0.88 + (0.12 * Math.min(Math.max(s.psi, 0), spec.cutOutPsi)) / spec.cutOutPsi;
  const sag = (s.pumpOn ? 2.5 : 0) + (s.wellPumpOn && spec.hasP2 ? 2 : 0);
  // A drive's motor draws about the cube of its speed; a pressure switch runs at full speed.
  const speed = spec.drive ? Math.pow(s.hz / 60, 3) : 1;
  const phases = spec.phases ?? 3;
  for (let k = 0; k < phases; k++) {
    const volts = round1(spec.phaseVolts[k] + daily - sag + 0.4 * noise(id, tSec, 10 + k));
    cols[`P1V${k + 1}`][row] = volts;
    cols[`P1C${k + 1}`][row] = s.pumpOn ? round2(spec.pumpAmps * spec.phaseCurrentFactor[k] * load * speed + 0.06 * noise(id, tSec, 20 + k)) : 0;
    if (spec.hasP2) {
      cols[`P2V${k + 1}`][row] = round1(volts + 0.3 * noise(id, tSec, 30 + k));
      cols[`P2C${k + 1}`][row] = s.wellPumpOn ? round2(spec.p2Amps * spec.phaseCurrentFactor[2 - k] + 0.06 * noise(id, tSec, 40 + k)) : 0;
    }
  }
  if (phases === 3) {
    cols.P1Hz[row] = s.pumpOn ? round1((spec.drive ? s.hz : 60) + 0.06 * noise(id, tSec, 5)) : 0;
    if (spec.hasP2) cols.P2Hz[row] = s.wellPumpOn ? round1(60 + 0.06 * noise(id, tSec, 6)) : 0;
  }
  if (spec.hasTank) {
    cols.Level1_precent[row] = round1(Math.min(100, Math.max(0, (100 * s.storageGal) / spec.tankCapacityGallons + 0.2 * noise(id, tSec, 7))));
  }
  if (spec.hasWellLevel) cols["Well_Level-1"][row] = round1(spec.wellStaticFt + wellSeasonFt - s.drawdownFt + 0.1 * noise(id, tSec, 8));
  // Rounded to the milligallon so a 0.1-gallon meter reads 12.3, not 12.300000000000001.
  if (spec.hasMeter) cols.Pulse_TotalGallons[row] = Math.round(Math.floor((s.totalGal - s.meterBaseGal) / spec.pulseGallons + 1e-9) * spec.pulseGallons * 1000) / 1000;
}
