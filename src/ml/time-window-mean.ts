/**
 * A time-weighted running mean over the last W minutes of a series, the alarm's persistence
 * (verdict.ts): each row weighs the time since the row before it, capped, so 1-minute and
 * 5-minute data weigh alike and a gap in the data is not filled with its neighbours' values.
 *
 * The rows in the window live in rings sized to the window (narrow-ring.ts, decimal-ring.ts), not in arrays
 * that grow for thousands of rows before they are compacted: a fleet keeps two of these per
 * device. The running sums are re-summed at the same rows as that compaction did (`RESUM_*`),
 * so every mean is bit for bit what it was.
 */
import { DecimalRing } from "./decimal-ring.ts";
import { TimeRing, compactStore, ringCapacity } from "./narrow-ring.ts";

/** Rows further apart than this (ms) do not carry their value over the gap. */
const MAX_STEP_MS = 15 * 60_000;
/**
 * The running sums are summed afresh, so floating-point drift cannot accumulate, once more than
 * this many rows have left the window since the last time and they outnumber the rows since then
 * still in it.
 */
const RESUM_AFTER_ROWS = 4096;

/** A time-weighted running mean over the last `windowMs` of a series: O(1) amortised per push. */
export class TimeWindowMean {
  private readonly windowMs: number;
  private readonly ts = new TimeRing(64);
  /** The time each row stands for, ms. */
  private readonly w = new DecimalRing(64);
  private x = new Float64Array(64);
  /** Logical indices: rows [head, tail) are in the window, `origin` is at the rings' first position; `resummed` is where the last re-sum counted from. */
  private head = 0;
  private origin = 0;
  private tail = 0;
  private resummed = 0;
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
    if (this.tail - this.origin >= this.x.length) this.compact();
    const i = this.tail++;
    this.ts.set(i, ts, this.head);
    this.w.set(i, dt, this.head);
    this.x[(i - this.origin) | 0] = value;
    this.sumW += dt;
    this.sumWX += dt * value;
    const cutoff = ts - this.windowMs;
    while (this.head < this.tail && this.ts.at(this.head) <= cutoff) {
      const w = this.w.at(this.head);
      this.sumW -= w;
      this.sumWX -= w * this.x[(this.head - this.origin) | 0]!;
      this.head++;
    }
    const left = this.head - this.resummed;
    if (left > RESUM_AFTER_ROWS && left * 2 > this.tail - this.resummed) this.resum();
    if (this.sumW < minCoverage * this.windowMs) return Number.NaN;
    return this.sumWX / this.sumW;
  }

  private resum(): void {
    this.resummed = this.head;
    this.sumW = 0;
    this.sumWX = 0;
    for (let i = this.head; i < this.tail; i++) {
      const w = this.w.at(i);
      this.sumW += w;
      this.sumWX += w * this.x[(i - this.origin) | 0]!;
    }
  }

  /** Moves the window's rows to the start of the rings (narrow-ring.ts). */
  private compact(): void {
    const { head, tail } = this;
    const size = ringCapacity(tail - head, this.x.length);
    this.x = compactStore(this.x, size, head - this.origin, tail - this.origin);
    this.ts.compact(size, head, tail);
    this.w.compact(size, head, tail);
    this.origin = head;
  }
}
