/**
 * Spreading amounts that accrue over intervals (gallons, kWh, run time) into local hour or
 * day buckets, linearly in time: an interval that crosses midnight gives each day the share
 * of its length that falls in that day. This is the linear interpolation of a counter at the
 * bucket boundary, which is how the utility-meter systems fill gaps between readings.
 */
import type { LocalClock } from "./local-time.ts";

const HOUR_MS = 3_600_000;

/** One local hour or day. */
export interface Bucket {
  /** Epoch ms of the bucket's local start (inclusive) and end (exclusive). */
  startMs: number;
  endMs: number;
  /** Amount that accrued in the bucket, in the caller's unit. */
  value: number;
  /** Part of `value` that came from intervals marked as filled (gaps), same unit. */
  filledValue: number;
  /** Milliseconds of the bucket covered by intervals (observed or filled). */
  coveredMs: number;
}

export type BucketSize = "hour" | "day";

/** The end of the bucket holding `ts`, and its start. */
function boundaries(clock: LocalClock, size: BucketSize): { start(ts: number): number; end(start: number): number } {
  return size === "hour"
    ? { start: (ts) => clock.hourStart(ts), end: (start) => start + HOUR_MS }
    : { start: (ts) => clock.dayStart(ts), end: (start) => clock.startOfDay(clock.dayIndex(start) + 1) };
}

/**
 * Accumulates intervals in time order into buckets. `add` must be called with
 * non-overlapping intervals whose starts do not go back in time.
 */
export class BucketAccumulator {
  readonly buckets: Bucket[] = [];
  private readonly bounds: ReturnType<typeof boundaries>;
  private current: Bucket | undefined;

  constructor(clock: LocalClock, size: BucketSize) {
    this.bounds = boundaries(clock, size);
  }

  /** Adds `amount` accrued evenly over [t0, t1) (ms); `filled` marks interpolated amounts. */
  add(t0: number, t1: number, amount: number, filled = false): void {
    if (!(t1 > t0)) {
      if (t1 === t0 && amount !== 0) this.bucketAt(t0).value += amount;
      return;
    }
    const rate = amount / (t1 - t0);
    // Most intervals fall inside the bucket of the one before (the replay adds a day of
    // readings per pump at every 5-minute slot): the loop's one step, without the lookup.
    const cur = this.current;
    if (cur !== undefined && t0 >= cur.startMs && t1 <= cur.endMs) {
      const part = rate * (t1 - t0);
      cur.value += part;
      if (filled) cur.filledValue += part;
      cur.coveredMs += t1 - t0;
      return;
    }
    let t = t0;
    while (t < t1) {
      const b = this.bucketAt(t);
      const stop = Math.min(t1, b.endMs);
      const part = rate * (stop - t);
      b.value += part;
      if (filled) b.filledValue += part;
      b.coveredMs += stop - t;
      t = stop;
    }
  }

  private bucketAt(t: number): Bucket {
    if (this.current && t >= this.current.startMs && t < this.current.endMs) return this.current;
    const startMs = this.bounds.start(t);
    // A jump over buckets (a gap that was not filled) leaves them out.
    const b: Bucket = { startMs, endMs: this.bounds.end(startMs), value: 0, filledValue: 0, coveredMs: 0 };
    this.buckets.push(b);
    this.current = b;
    return b;
  }
}
