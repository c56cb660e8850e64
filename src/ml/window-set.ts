/**
 * Time-based rolling windows with O(1) amortised work per sample: the samples of one signal
 * live in a growable ring addressed by ever-growing logical indices. A window of span W at
 * time t holds the samples with timestamp in (t − W, t], as pandas' `rolling("5min")` does.
 *
 * All windows of a signal share the work: sums come from prefix sums stored beside each sample
 * (window sum = total − prefix at the window's first sample), taken about a recent value and
 * rebuilt once the ring has turned over, so rounding never accumulates and a constant stretch
 * sums to exactly zero; min and max come from one monotonic stack each (window-extreme.ts).
 */

import { WindowExtreme } from "./window-extreme.ts";

/**
 * One signal's samples (time in epoch ms, value, weight such as gallons) and the windows over
 * them. `push` a sample, `evict(t)` at each row, then read per window `w` (index into the
 * spans given to the constructor).
 */
export class WindowSet {
  /** Sample storage, one ring position per logical index (`i & mask`). */
  private mask = 63;
  private tsBuf = new Float64Array(64);
  private vBuf = new Float64Array(64);
  private wBuf = new Float64Array(64);
  /** Milliseconds before each sample that readings covered (0 after a gap; see `covered`). */
  private cBuf = new Float64Array(64);
  /** Exclusive prefix sums at each sample: Σ (v − shift), Σ (v − shift)², Σ weight before it. */
  private psBuf = new Float64Array(64);
  private pqBuf = new Float64Array(64);
  private pwBuf = new Float64Array(64);
  private pcBuf = new Float64Array(64);
  private totalS = 0;
  private totalQ = 0;
  private totalW = 0;
  private totalC = 0;
  private shift = 0;
  private sinceRebase = 0;
  /** Logical index of the oldest retained sample. */
  head = 0;
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
    const valueAt = (i: number) => this.vBuf[i & this.mask]!;
    this.max = new WindowExtreme(spans.length, 1, valueAt);
    this.min = new WindowExtreme(spans.length, -1, valueAt);
  }

  /** Time (epoch ms) of sample `i`. */
  tsAt(i: number): number {
    return this.tsBuf[i & this.mask]!;
  }

  /** Value of sample `i`. */
  vAt(i: number): number {
    return this.vBuf[i & this.mask]!;
  }

  /** Forgets every sample; logical indices keep growing. */
  clear(): void {
    this.head = this.tail;
    this.start.fill(this.tail);
    this.max.clear();
    this.min.clear();
    this.totalS = this.totalQ = this.totalW = this.totalC = this.sinceRebase = 0;
  }

  /**
   * Adds a sample at `t` (epoch ms, not before the last). `weight` is summed per window
   * (gallons); `covered` is how many ms before `t` the readings cover up to this sample: the
   * interval since the previous sample, or 0 when a gap too long to carry a value over ends here.
   */
  push(t: number, value: number, weight = 0, covered = 0): number {
    const i = this.tail;
    if (i === this.head) this.shift = value;
    if (i - this.head > this.mask) this.grow();
    const at = i & this.mask;
    this.tsBuf[at] = t;
    this.vBuf[at] = value;
    this.wBuf[at] = weight;
    this.cBuf[at] = covered;
    this.psBuf[at] = this.totalS;
    this.pqBuf[at] = this.totalQ;
    this.pwBuf[at] = this.totalW;
    this.pcBuf[at] = this.totalC;
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
    const ts = this.tsBuf;
    const mask = this.mask;
    const start = this.start;
    for (let k = 0; k < n; k++) {
      const limit = t - this.spans[k]!;
      let s = start[k]!;
      if (s < tail && ts[s & mask]! <= limit) {
        do s++;
        while (s < tail && ts[s & mask]! <= limit);
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
    const s = this.start[k]!;
    return this.shift + (this.totalS - this.psBuf[s & this.mask]!) / (this.tail - s);
  }

  /**
   * Population standard deviation. A window whose max equals its min is exactly 0: the prefix
   * sums would leave a residue of about 1e-6 there, which the range test removes for free.
   */
  std(k: number): number {
    if (this.range(k) === 0) return 0;
    const s = this.start[k]!;
    const n = this.tail - s;
    const m = (this.totalS - this.psBuf[s & this.mask]!) / n;
    const variance = (this.totalQ - this.pqBuf[s & this.mask]!) / n - m * m;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  range(k: number): number {
    return this.vAt(this.max.at(k)) - this.vAt(this.min.at(k));
  }

  /**
   * Mean, std and range of every window into `out`, three slots each from `at` (the engine's
   * hot path: one call per signal and row); an empty window gives `fallback`, 0, 0.
   */
  statsInto(out: Float64Array, at: number, fallback: number): void {
    const n = this.spans.length;
    const tail = this.tail;
    const mask = this.mask;
    const start = this.start;
    const v = this.vBuf;
    const ps = this.psBuf;
    const pq = this.pqBuf;
    const totalS = this.totalS;
    const totalQ = this.totalQ;
    for (let k = 0; k < n; k++, at += 3) {
      const s = start[k]!;
      const count = tail - s;
      if (count === 0) {
        out[at] = fallback;
        out[at + 1] = 0;
        out[at + 2] = 0;
        continue;
      }
      const m = (totalS - ps[s & mask]!) / count;
      const range = v[this.max.at(k) & mask]! - v[this.min.at(k) & mask]!;
      const variance = range === 0 ? 0 : (totalQ - pq[s & mask]!) / count - m * m;
      out[at] = this.shift + m;
      out[at + 1] = variance > 0 ? Math.sqrt(variance) : 0;
      out[at + 2] = range;
    }
  }

  /** Sum of the samples' weights; rounding residue below 1e-9 reads as 0. */
  weight(k: number): number {
    const s = this.start[k]!;
    const sum = s < this.tail ? this.totalW - this.pwBuf[s & this.mask]! : 0;
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
    const at = s & this.mask;
    let sum = this.totalC - this.pcBuf[at]!;
    const overhang = t - this.spans[k]! - (this.tsBuf[at]! - this.cBuf[at]!);
    if (overhang > 0) sum -= overhang;
    return sum;
  }

  private rebase(): void {
    const mask = this.mask;
    this.shift = this.vBuf[(this.tail - 1) & mask]!;
    let s = 0;
    let q = 0;
    let w = 0;
    let c = 0;
    for (let i = this.head; i < this.tail; i++) {
      const at = i & mask;
      this.psBuf[at] = s;
      this.pqBuf[at] = q;
      this.pwBuf[at] = w;
      this.pcBuf[at] = c;
      const d = this.vBuf[at]! - this.shift;
      s += d;
      q += d * d;
      w += this.wBuf[at]!;
      c += this.cBuf[at]!;
    }
    this.totalS = s;
    this.totalQ = q;
    this.totalW = w;
    this.totalC = c;
    this.sinceRebase = 0;
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    const mask = size - 1;
    const move = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size);
      for (let i = this.head; i < this.tail; i++) next[i & mask] = old[i & this.mask]!;
      return next;
    };
    this.tsBuf = move(this.tsBuf);
    this.vBuf = move(this.vBuf);
    this.wBuf = move(this.wBuf);
    this.cBuf = move(this.cBuf);
    this.psBuf = move(this.psBuf);
    this.pqBuf = move(this.pqBuf);
    this.pwBuf = move(this.pwBuf);
    this.pcBuf = move(this.pcBuf);
    this.mask = mask;
  }
}
