/**
 * Time-based rolling windows with O(1) amortised work per sample: the samples of one signal
 * live in a growable ring addressed by ever-growing logical indices. A window of span W at
 * time t holds the samples with timestamp in (t − W, t], as pandas' `rolling("5min")` does.
 *
 * All windows of a signal share the work: sums come from running prefix sums (window sum =
 * total − prefix at the window's first sample), taken about a recent value and rebuilt once the
 * ring has turned over, so rounding never accumulates and a constant stretch sums to exactly
 * zero; min and max come from one monotonic stack each (window-extreme.ts).
 *
 * Memory: a fleet keeps a day of samples per signal per device, so only what a later read
 * needs is kept per sample — time, value, weight and covered interval, each as narrow as stays
 * exact (narrow-ring.ts, decimal-ring.ts). The prefix sums are kept per window instead, at its first sample,
 * and moved forward with the window by adding the samples it lets go: the same additions in the
 * same order as when those samples came, so every sum is bit for bit the one a per-sample
 * prefix array would hold.
 */

import { DecimalRing } from "./decimal-ring.ts";
import { TimeRing, ringCapacity } from "./narrow-ring.ts";
import { WindowExtreme } from "./window-extreme.ts";

/**
 * One signal's samples (time in epoch ms, value, weight such as gallons) and the windows over
 * them. `push` a sample, `evict(t)` at each row, then read per window `w` (index into the
 * spans given to the constructor).
 */
export class WindowSet {
  /** Sample storage, one ring position per logical index (narrow-ring.ts). */
  private readonly tsRing = new TimeRing(64);
  private readonly vRing = new DecimalRing(64);
  private readonly wRing = new DecimalRing(64);
  /** Milliseconds before each sample that readings covered (0 after a gap; see `covered`). */
  private readonly cRing = new DecimalRing(64);
  /** Running sums over every sample since the last rebase: Σ (v − shift), Σ (v − shift)², Σ weight, Σ covered. */
  private totalS = 0;
  private totalQ = 0;
  private totalW = 0;
  private totalC = 0;
  /** Per window: the same sums over the samples before its first (the totals when that sample came). */
  private readonly startS: Float64Array;
  private readonly startQ: Float64Array;
  private readonly startW: Float64Array;
  private readonly startC: Float64Array;
  private shift = 0;
  private sinceRebase = 0;
  /** Logical index of the oldest retained sample. */
  head = 0;
  /** Logical index at the rings' first position. */
  private origin = 0;
  /** Logical index the next sample gets. */
  tail = 0;
  /** Per window: logical index of its first sample (= tail when empty). */
  readonly start: Float64Array;
  private readonly max: WindowExtreme;
  private readonly min: WindowExtreme;

  constructor(
    /** Window spans in milliseconds, longest last. */
    readonly spans: readonly number[],
  ) {
    this.start = new Float64Array(spans.length);
    this.startS = new Float64Array(spans.length);
    this.startQ = new Float64Array(spans.length);
    this.startW = new Float64Array(spans.length);
    this.startC = new Float64Array(spans.length);
    this.max = new WindowExtreme(spans.length, 1);
    this.min = new WindowExtreme(spans.length, -1);
  }

  /** Sample positions the rings hold (for tests and measurements). */
  get capacity(): number {
    return this.tsRing.capacity;
  }

  /** Time (epoch ms) of sample `i`. */
  tsAt(i: number): number {
    return this.tsRing.at(i);
  }

  /** Value of sample `i`. */
  vAt(i: number): number {
    return this.vRing.at(i);
  }

  /** Forgets every sample; logical indices keep growing. */
  clear(): void {
    this.head = this.tail;
    this.start.fill(this.tail);
    this.max.clear();
    this.min.clear();
    this.totalS = this.totalQ = this.totalW = this.totalC = this.sinceRebase = 0;
    for (const sums of [this.startS, this.startQ, this.startW, this.startC]) sums.fill(0);
  }

  /**
   * Adds a sample at `t` (epoch ms, not before the last). `weight` is summed per window
   * (gallons); `covered` is how many ms before `t` the readings cover up to this sample: the
   * interval since the previous sample, or 0 when a gap too long to carry a value over ends here.
   */
  push(t: number, value: number, weight = 0, covered = 0): number {
    const i = this.tail;
    if (i === this.head) this.shift = value;
    if (i - this.origin >= this.tsRing.capacity) this.compact();
    this.tsRing.set(i, t, this.head);
    this.vRing.set(i, value, this.head);
    this.wRing.set(i, weight, this.head);
    this.cRing.set(i, covered, this.head);
    const d = value - this.shift;
    this.totalS += d;
    this.totalQ += d * d;
    this.totalW += weight;
    this.totalC += covered;
    this.tail = i + 1;
    this.max.push(i, value);
    this.min.push(i, value);
    if (++this.sinceRebase > this.tail - this.head + 64) this.rebase();
    return i;
  }

  /** Moves every window to end at time `t` (epoch ms). */
  evict(t: number): void {
    const n = this.spans.length;
    const tail = this.tail;
    const ts = this.tsRing;
    const start = this.start;
    const v = this.vRing;
    const shift = this.shift;
    for (let k = 0; k < n; k++) {
      const limit = t - this.spans[k]!;
      let s = start[k]!;
      if (s < tail && ts.at(s) <= limit) {
        // The samples leaving window k join the sums before it, in the order they came.
        let sumS = this.startS[k]!;
        let sumQ = this.startQ[k]!;
        let sumW = this.startW[k]!;
        let sumC = this.startC[k]!;
        do {
          const d = v.at(s) - shift;
          sumS += d;
          sumQ += d * d;
          sumW += this.wRing.at(s);
          sumC += this.cRing.at(s);
          s++;
        } while (s < tail && ts.at(s) <= limit);
        this.startS[k] = sumS;
        this.startQ[k] = sumQ;
        this.startW[k] = sumW;
        this.startC[k] = sumC;
        start[k] = s;
        this.max.advance(k, s);
        this.min.advance(k, s);
      }
    }
    this.max.trimTo(n - 1);
    this.min.trimTo(n - 1);
  }

  /** Forgets samples before logical index `i` (never inside a window). */
  dropBefore(i: number): void {
    const limit = Math.min(i, this.start[this.spans.length - 1]!);
    if (limit > this.head) this.head = limit;
  }

  count(k: number): number {
    return this.tail - this.start[k]!;
  }

  mean(k: number): number {
    return this.shift + (this.totalS - this.startS[k]!) / (this.tail - this.start[k]!);
  }

  /**
   * Population standard deviation. A window whose max equals its min is exactly 0: the prefix
   * sums would leave a residue of about 1e-6 there, which the range test removes for free.
   */
  std(k: number): number {
    if (this.range(k) === 0) return 0;
    const n = this.tail - this.start[k]!;
    const m = (this.totalS - this.startS[k]!) / n;
    const variance = (this.totalQ - this.startQ[k]!) / n - m * m;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  range(k: number): number {
    return this.max.value(k) - this.min.value(k);
  }

  /**
   * Mean, std and range of every window into `out`, three slots each from `at` (the engine's
   * hot path: one call per signal and row); an empty window gives `fallback`, 0, 0.
   */
  statsInto(out: Float64Array, at: number, fallback: number): void {
    const n = this.spans.length;
    const tail = this.tail;
    const start = this.start;
    const totalS = this.totalS;
    const totalQ = this.totalQ;
    for (let k = 0; k < n; k++, at += 3) {
      const count = tail - start[k]!;
      if (count === 0) {
        out[at] = fallback;
        out[at + 1] = 0;
        out[at + 2] = 0;
        continue;
      }
      const m = (totalS - this.startS[k]!) / count;
      const range = this.max.value(k) - this.min.value(k);
      const variance = range === 0 ? 0 : (totalQ - this.startQ[k]!) / count - m * m;
      out[at] = this.shift + m;
      out[at + 1] = variance > 0 ? Math.sqrt(variance) : 0;
      out[at + 2] = range;
    }
  }

  /** Sum of the samples' weights; rounding residue below 1e-9 reads as 0. */
  weight(k: number): number {
    const sum = this.start[k]! < this.tail ? this.totalW - this.startW[k]! : 0;
    return sum > 1e-9 ? sum : 0;
  }

  /**
   * Milliseconds of window `k` ending at `t` that the samples' intervals cover: each sample
   * covers the `covered` ms before it, cut at the window's start, so a window that straddles a
   * gap counts only the time readings were coming in.
   */
  covered(k: number, t: number): number {
    const s = this.start[k]!;
    if (s >= this.tail) return 0;
    let sum = this.totalC - this.startC[k]!;
    const overhang = t - this.spans[k]! - (this.tsRing.at(s) - this.cRing.at(s));
    if (overhang > 0) sum -= overhang;
    return sum;
  }

  /** Sums every retained sample again about the newest value; each window's sums are taken on the way. */
  private rebase(): void {
    const n = this.spans.length;
    const start = this.start;
    this.shift = this.vRing.at(this.tail - 1);
    let s = 0;
    let q = 0;
    let w = 0;
    let c = 0;
    for (let i = this.head; i <= this.tail; i++) {
      for (let k = 0; k < n; k++) {
        if (start[k] !== i) continue;
        this.startS[k] = s;
        this.startQ[k] = q;
        this.startW[k] = w;
        this.startC[k] = c;
      }
      if (i === this.tail) break;
      const d = this.vRing.at(i) - this.shift;
      s += d;
      q += d * d;
      w += this.wRing.at(i);
      c += this.cRing.at(i);
    }
    this.totalS = s;
    this.totalQ = q;
    this.totalW = w;
    this.totalC = c;
    this.sinceRebase = 0;
  }

  /** Moves the retained samples to the start of the rings, in rings an eighth bigger than they are if they fill them. */
  private compact(): void {
    const { head, tail } = this;
    const size = ringCapacity(tail - head, this.tsRing.capacity);
    this.vRing.compact(size, head, tail);
    this.tsRing.compact(size, head, tail);
    this.wRing.compact(size, head, tail);
    this.cRing.compact(size, head, tail);
    this.origin = head;
  }
}
