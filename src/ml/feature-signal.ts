/**
 * One base signal's state inside the feature engine (feature-stream.ts): the value carried
 * forward per component key, the samples and their windows with how much of each readings
 * cover, and the look-backs for rates of change and for the pump-off drop rate.
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
  /** Time of the first reading: the warm-up counts from here. */
  segmentStart = -Infinity;
  lastT = -Infinity;
  lastV = NaN;
  readonly compT: Float64Array;
  readonly compV: Float64Array;

  constructor(readonly slots: Int32Array) {
    this.compT = new Float64Array(slots.length).fill(-Infinity);
    this.compV = new Float64Array(slots.length);
  }

  /** Notes a reading at `t` (any component, or the counter); returns the previous one's time. */
  input(t: number): number {
    const prev = this.lastInput;
    if (prev === -Infinity) this.segmentStart = t;
    this.lastInput = t;
    return prev;
  }

  /**
   * Takes a sample at `t` whose previous input was `prevInput`: the interval between them
   * counts as covered when it is short enough to carry a value over (`carry`), else it is a gap
   * and covers nothing. A gap neither empties the windows nor restarts anything: samples leave
   * a window by time only, and `coverage` says how much of the window readings fill.
   */
  push(t: number, v: number, w: number, prevInput: number, carry: number): void {
    const dt = t - prevInput;
    this.set.push(t, v, w, dt <= carry ? dt : 0);
    this.lastT = t;
    this.lastV = v;
  }

  /**
   * Share (0–1) of window `k`, ending at `t`, that readings cover: the samples' intervals plus
   * the carry-forward since the last one, if that is still fresh. A window counts from the
   * signal's first reading at most, so a history's start is not a gap (until the 24 h window
   * has seen a day it summarises the history it has, as the warm-up rule says); an outage is.
   */
  coverage(k: number, t: number, carry: number): number {
    const span = Math.min(this.set.spans[k]!, t - this.segmentStart);
    if (!(span > 0)) return 1;
    const since = t - this.lastT;
    const share = (this.set.covered(k, t) + (since <= carry ? since : 0)) / span;
    return share < 1 ? share : 1;
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
