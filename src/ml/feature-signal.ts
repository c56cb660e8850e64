/**
 * One base signal's state inside the feature engine (feature-stream.ts): the value carried
 * forward per component key, the samples and their windows, and the look-backs for rates of
 * change and for the pump-off drop rate.
 */
import { RATES, WINDOWS } from "./feature-catalog.ts";
import { Lookback } from "./lookback.ts";
import { WindowSet } from "./window-set.ts";

/** How far back the pump-off drop rate looks, ms. */
export const DROP_LOOKBACK = 15 * 60_000;

/** One base signal's state: components carried forward, samples, windows, look-backs. */
export class Signal {
  readonly set = new WindowSet(WINDOWS.map(([, span]) => span));
  readonly rates = RATES.map(() => new Lookback(this.set));
  /** Reference for the pump-off drop rate. */
  readonly offRef = new Lookback(this.set);
  /** Time of the latest reading of any component (the counter's, for flow). */
  lastInput = -Infinity;
  segmentStart = -Infinity;
  lastT = -Infinity;
  lastV = NaN;
  readonly compT: Float64Array;
  readonly compV: Float64Array;

  constructor(readonly slots: Int32Array) {
    this.compT = new Float64Array(slots.length).fill(-Infinity);
    this.compV = new Float64Array(slots.length);
  }

  restart(t: number): void {
    this.set.clear();
    for (const r of this.rates) r.reset();
    this.offRef.reset();
    this.segmentStart = t;
    this.lastT = -Infinity;
  }

  push(t: number, v: number, w: number): void {
    this.set.push(t, v, w);
    this.lastT = t;
    this.lastV = v;
  }

  fresh(t: number, carry: number): boolean {
    return t - this.lastT <= carry;
  }

  /**
   * Moves the look-backs up to the newest time any query can ask for (queries only look
   * further forward), then forgets the samples no window or look-back can reach.
   */
  trim(): void {
    const t = this.lastT;
    if (t === -Infinity) return;
    for (let r = 0; r < RATES.length; r++) this.rates[r]!.at(t - RATES[r]![1]);
    this.offRef.firstFrom(t - DROP_LOOKBACK);
    this.set.dropBefore(Math.min(this.rates[RATES.length - 1]!.index, this.offRef.index));
  }
}
