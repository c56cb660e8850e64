/**
 * The incremental feature engine: one row in, one feature vector out, O(1) amortised work per
 * row per window. `computeFeatures` (training, `score`) and live scoring both run this code,
 * so a model sees the same features in both.
 *
 * Rules (docs/leak-detection.md, "Features"): windows are measured in time, (t − W, t]; a
 * signal's sample is a row where one of its keys has a value; a value is carried forward up to
 * `maxCarryForwardMs`, and a longer silence is a gap: nothing is invented for it, but the
 * windows keep what they hold (samples leave by time only) and `coverage` says how much of the
 * emptiest window readings fill, so the verdict can refuse a forest alarm from a window that is
 * mostly gap. A row is emitted once every needed signal is fresh and `warmupMs` has passed
 * since its first sample.
 */
import { NightowlError } from "../errors.ts";
import {
  CATALOG, CURRENT, FLOW, GALLONS_SLOT, GALLON_WINDOWS, LEVEL, LEVEL_DROP_SLOT, PRESSURE, PRESSURE_DROP_SLOT, PUMP_SLOT,
  RATES, SIGNALS, SIGNAL_SLOTS, TIME_SLOT, WINDOWS, ZERO_FLOW_SLOT, ZERO_FLOW_WINDOW, keysAsWatched, namesForKeys, resolveNames, signalsFor,
} from "./feature-catalog.ts";
import { settingsFrom, type FeatureOptions, type Settings } from "./feature-options.ts";
import { DROP_LOOKBACK, Signal } from "./feature-signal.ts";
import { WindowSet } from "./window-set.ts";
import { ZoneClock, inHours, localHour, localWeekday } from "./time-features.ts";
import { Meter } from "../physics/meter.ts";

export type { FeatureOptions } from "./feature-options.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TWO_PI = 2 * Math.PI;

/**
 * The working vector every feature is computed into before a row's are picked out of it: one
 * for every stream, since `step` fills the slots it reads and copies them out before it
 * returns (a fleet kept 1 KiB of it per device).
 */
const WORK = new Float64Array(CATALOG.length);

/** Why `step` emitted no row (or that it did). */
export const RowStatus = { Valid: 0, WarmingUp: 1, MissingSignal: 2 } as const;
export type RowStatus = (typeof RowStatus)[keyof typeof RowStatus];

/**
 * Features for one device, row by row. Construct with the telemetry keys the device has;
 * `push` each row in time order with only the values that are new since the previous row.
 */
export class FeatureStream {
  /** Output feature names, in order. */
  readonly names: string[];
  /** Input keys, in the order `push` takes an array. */
  readonly keys: readonly string[];
  private readonly slots: Int32Array;
  private readonly settings: Settings;
  private readonly clock: ZoneClock;
  private readonly meter = new Meter();
  private readonly signals: (Signal | undefined)[];
  private readonly inputs: Float64Array;
  private lastRow = -Infinity;
  // Pump state, from pump_current samples: -1 unknown, 0 off, 1 running.
  private pumpState = -1;
  private offStart = -Infinity;
  private readonly starts = new WindowSet([HOUR]);
  private lastZeroFlow = -Infinity;
  /**
   * Share (0–1) of the least-covered window, over every needed signal, of the last row
   * emitted: 1 on gap-free data; after an outage it says how much of a window is readings.
   */
  coverage = 1;
  /**
   * The last row emitted, in local epoch ms (epoch ms plus the zone's offset then, daylight
   * saving included): the one local clock the time features and the verdict's hour-of-day
   * rules (the rest guard, the guards' schedules) share.
   */
  local = Number.NaN;

  /** `device` (an id or name) only labels error messages. */
  constructor(keys: readonly string[], options: FeatureOptions = {}, private readonly device?: string) {
    this.keys = [...keys];
    this.settings = settingsFrom(options);
    this.clock = new ZoneClock(options.timeZone ?? "UTC");
    // The pump signals read the watched pump's keys; `keys` keeps the caller's names and order.
    const watched = keysAsWatched(keys, options.pump);
    this.names = options.featureNames ? [...options.featureNames] : namesForKeys(watched);
    this.slots = resolveNames(this.names, watched, device);
    const used = signalsFor(this.slots);
    const keyIndex = new Map(watched.map((k, i) => [k, i]));
    this.signals = SIGNALS.map((s, i) =>
      used[i] ? new Signal(Int32Array.from(s.keys.filter((k) => keyIndex.has(k)), (k) => keyIndex.get(k)!)) : undefined,
    );
    this.inputs = new Float64Array(this.keys.length);
  }

  /**
   * Takes one row: `ts` in epoch ms (strictly increasing), values by key (absent or NaN = no
   * new reading) or an array aligned with `keys`. Returns the features, or null while warming
   * up or while a needed signal is silent.
   */
  push(ts: number, values: Readonly<Record<string, number>> | ArrayLike<number>): Float64Array | null {
    let row: ArrayLike<number>;
    if (typeof (values as ArrayLike<number>).length === "number") row = values as ArrayLike<number>;
    else {
      const byKey = values as Readonly<Record<string, number>>;
      this.keys.forEach((k, i) => (this.inputs[i] = byKey[k] ?? NaN));
      row = this.inputs;
    }
    const out = new Float64Array(this.names.length);
    return this.step(ts, row, out, 0) === RowStatus.Valid ? out : null;
  }

  /** `push` writing into `out` at `offset`; returns whether (and if not, why not) it wrote. */
  step(ts: number, row: ArrayLike<number>, out: Float64Array, offset: number): RowStatus {
    if (!(ts > this.lastRow)) {
      const where = this.device ? `device ${this.device}: ` : "";
      const when = Number.isFinite(ts) ? ` (${new Date(ts).toISOString()})` : "";
      throw new NightowlError("E_DATA", `${where}row at ${ts}${when} does not follow the previous row at ${this.lastRow}: timestamps must increase`);
    }
    this.lastRow = ts;
    const { carry, warmup } = this.settings;
    const signals = this.signals;
    for (let s = 0; s < signals.length; s++) {
      const sig = signals[s];
      if (sig) s === FLOW ? this.readCounter(sig, ts, row) : this.readComponents(sig, s, ts, row);
    }
    let status: RowStatus = RowStatus.Valid;
    for (let s = 0; s < signals.length; s++) {
      const sig = signals[s];
      if (!sig) continue;
      if (!sig.fresh(ts, carry)) status = RowStatus.MissingSignal;
      else if (ts - sig.segmentStart < warmup && status === RowStatus.Valid) status = RowStatus.WarmingUp;
      sig.set.evict(ts);
      // Tracked on every row, warm-up included, so the first emitted row already knows.
      if (s === FLOW && sig.fresh(ts, carry) && sig.set.weight(ZERO_FLOW_WINDOW) === 0) this.lastZeroFlow = ts;
    }
    this.starts.evict(ts);
    if (status !== RowStatus.Valid) {
      for (const sig of signals) sig?.trim();
      return status;
    }
    const work = WORK;
    for (let s = 0; s < signals.length; s++) if (signals[s]) this.signalBlock(signals[s]!, s * SIGNAL_SLOTS, work);
    this.timeBlock(ts, work);
    this.pumpBlock(ts, work);
    this.coverage = this.lowestCoverage(ts);
    for (const sig of signals) sig?.trim();
    const slots = this.slots;
    for (let k = 0; k < slots.length; k++) out[offset + k] = work[slots[k]!]!;
    return RowStatus.Valid;
  }

  private readComponents(sig: Signal, s: number, ts: number, row: ArrayLike<number>): void {
    const slots = sig.slots;
    let any = false;
    for (let c = 0; c < slots.length; c++) {
      const x = row[slots[c]!]!;
      if (x === x) {
        sig.compT[c] = ts;
        sig.compV[c] = x;
        any = true;
      }
    }
    if (!any) return;
    const prevInput = sig.input(ts);
    // After a gap the pump's state is unknown: a start needs an off reading before an on one.
    if (s === CURRENT && ts - prevInput > this.settings.carry) this.forgetPumpState();
    let sum = 0;
    let n = 0;
    for (let c = 0; c < slots.length; c++) {
      if (ts - sig.compT[c]! <= this.settings.carry) {
        sum += sig.compV[c]!;
        n++;
      }
    }
    const v = sum / n;
    sig.push(ts, v, 0, prevInput, this.settings.carry);
    if (s === CURRENT) this.pumpSample(ts, v);
  }

  /** Flow from the counter over the real interval, by the one meter rule (src/physics/meter.ts). */
  private readCounter(sig: Signal, ts: number, row: ArrayLike<number>): void {
    const x = row[sig.slots[0]!]!;
    if (x !== x) return;
    const prevT = sig.input(ts);
    sig.compV[0] = x;
    const gallons = this.meter.add(x);
    // The gallons drawn over a gap cannot be placed in time (in a 5-minute window they would
    // look like a burst): the reading after it is only the new reference, and whether flow was
    // continuous across the gap is unknown, so that count starts again.
    if (ts - prevT > this.settings.carry || Number.isNaN(gallons)) {
      this.lastZeroFlow = ts;
      return;
    }
    sig.push(ts, gallons / ((ts - prevT) / MINUTE), gallons, prevT, this.settings.carry);
  }

  private forgetPumpState(): void {
    this.pumpState = -1;
    this.offStart = -Infinity;
  }

  private lowestCoverage(ts: number): number {
    const carry = this.settings.carry;
    let lowest = 1;
    for (const sig of this.signals) {
      if (!sig) continue;
      for (let k = 0; k < WINDOWS.length; k++) {
        const c = sig.coverage(k, ts, carry);
        if (c < lowest) lowest = c;
      }
    }
    return lowest;
  }

  private pumpSample(ts: number, current: number): void {
    const running = current > this.settings.threshold ? 1 : 0;
    if (running && this.pumpState === 0) {
      this.starts.push(ts, 1);
      this.starts.dropBefore(Infinity);
    }
    if (!running && this.pumpState !== 0) this.offStart = ts;
    this.pumpState = running;
  }

  private signalBlock(sig: Signal, base: number, work: Float64Array): void {
    const { set, rates } = sig;
    const t = sig.lastT;
    const v = sig.lastV;
    work[base] = v;
    let k = base + 1;
    set.statsInto(work, k, v);
    k += 3 * WINDOWS.length;
    for (let r = 0; r < rates.length; r++) {
      const i = rates[r]!.at(t - RATES[r]![1]);
      const dt = t - set.tsAt(i);
      work[k++] = dt > 0 ? (v - set.vAt(i)) / (dt / MINUTE) : 0;
    }
  }

  private timeBlock(ts: number, work: Float64Array): void {
    const local = this.clock.local(ts);
    this.local = local;
    const hour = localHour(local);
    const day = localWeekday(local);
    const h = (TWO_PI * hour) / 24;
    const d = (TWO_PI * (day + hour / 24)) / 7;
    work[TIME_SLOT] = Math.sin(h);
    work[TIME_SLOT + 1] = Math.cos(h);
    work[TIME_SLOT + 2] = Math.sin(d);
    work[TIME_SLOT + 3] = Math.cos(d);
    work[TIME_SLOT + 4] = inHours(hour, this.settings.nightStart, this.settings.nightEnd) ? 1 : 0;
    work[TIME_SLOT + 5] = day === 0 || day === 6 ? 1 : 0;
  }

  private pumpBlock(ts: number, work: Float64Array): void {
    const current = this.signals[CURRENT];
    const flow = this.signals[FLOW];
    if (current) {
      const running = current.lastV > this.settings.threshold;
      work[PUMP_SLOT] = running ? 1 : 0;
      work[PUMP_SLOT + 1] = this.starts.count(0);
      work[PRESSURE_DROP_SLOT] = this.dropRate(this.signals[PRESSURE], running);
      work[LEVEL_DROP_SLOT] = this.dropRate(this.signals[LEVEL], running);
    }
    if (flow) {
      for (let i = 0; i < GALLON_WINDOWS.length; i++) work[GALLONS_SLOT + i] = flow.set.weight(GALLON_WINDOWS[i]!);
      work[ZERO_FLOW_SLOT] = (ts - this.lastZeroFlow) / MINUTE;
    }
  }

  /** Fall per minute (positive = falling) over the last ≤ 15 min of the current pump-off spell. */
  private dropRate(sig: Signal | undefined, running: boolean): number {
    if (!sig) return NaN;
    const t = sig.lastT;
    const from = running ? t - DROP_LOOKBACK : Math.max(this.offStart, t - DROP_LOOKBACK);
    const i = sig.offRef.firstFrom(from);
    const dt = t - sig.set.tsAt(i);
    if (running || dt < MINUTE) return 0;
    return (sig.set.vAt(i) - sig.lastV) / (dt / MINUTE);
  }
}
