/**
 * A time-weighted running mean over the last W minutes of a series, the alarm's persistence
 * (verdict.ts): each row weighs the time since the row before it, capped, so 1-minute and
 * 5-minute data weigh alike and a gap in the data is not filled with its neighbours' values.
 */

/** Rows further apart than this (ms) do not carry their value over the gap. */
const MAX_STEP_MS = 15 * 60_000;

/** A time-weighted running mean over the last `windowMs` of a series: O(1) amortised per push. */
export class TimeWindowMean {
  private readonly windowMs: number;
  private ts: number[] = [];
  private w: number[] = [];
  private x: number[] = [];
  private head = 0;
  private sumW = 0;
  private sumWX = 0;
  private lastTs = Number.NaN;

  constructor(windowMinutes: number) {
    this.windowMs = windowMinutes * 60_000;
  }

  /** Adds the value observed at `ts` (epoch ms, increasing); returns the mean or NaN if under-covered. */
  push(ts: number, value: number, minCoverage: number): number {
    // Each row stands for the time since the previous row (capped), so 1-min and 5-min data weigh alike.
    const dt = this.lastTs === this.lastTs ? Math.min(Math.max(ts - this.lastTs, 0), MAX_STEP_MS) : 60_000;
    this.lastTs = ts;
    this.ts.push(ts);
    this.w.push(dt);
    this.x.push(value);
    this.sumW += dt;
    this.sumWX += dt * value;
    const cutoff = ts - this.windowMs;
    while (this.head < this.ts.length && this.ts[this.head] <= cutoff) {
      this.sumW -= this.w[this.head];
      this.sumWX -= this.w[this.head] * this.x[this.head];
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.w = this.w.slice(this.head);
      this.x = this.x.slice(this.head);
      this.head = 0;
      // Re-sum occasionally so floating-point drift in the running sums cannot accumulate.
      this.sumW = 0;
      this.sumWX = 0;
      for (let i = 0; i < this.w.length; i++) {
        this.sumW += this.w[i];
        this.sumWX += this.w[i] * this.x[i];
      }
    }
    if (this.sumW < minCoverage * this.windowMs) return Number.NaN;
    return this.sumWX / this.sumW;
  }
}
