/**
 * The row times of a device buffer, epoch ms, packed (ml/packed-times.ts): about a byte and a
 * quarter a row for readings at a regular interval, where Int32 offsets took 4, and never more
 * than those offsets did for whole milliseconds. Every time reads back exactly as written; a
 * time that is not a whole millisecond turns the column into plain Float64 until it has left.
 */
import { PackedTimes } from "../ml/packed-times.ts";

export class TimeColumn {
  private store: PackedTimes;

  constructor(capacity: number) {
    this.store = new PackedTimes(capacity);
  }

  get capacity(): number {
    return this.store.capacity;
  }

  /** Bytes held (capacity × width, and the blocks' anchors). */
  bytes(): number {
    return this.store.bytes();
  }

  /** Bytes a row takes, anchors left out (1, 2, 4 or 8; for tests). */
  get width(): number {
    return this.store.width;
  }

  /** Row `i`'s time, epoch ms. */
  get(i: number): number {
    return this.store.at(i);
  }

  /** Writes row `i` (rows [0, i) are in use). */
  set(i: number, ms: number): void {
    this.store.set(i, ms, 0);
  }

  /** Rows [from, to) as epoch ms, into `out` (default a new array). */
  read(from: number, to: number, out = new Float64Array(to - from)): Float64Array {
    this.store.read(from, to, out);
    return out;
  }

  /** The first row in [lo, hi) whose time is at or after `ms` (hi when none): binary search. */
  lowerBound(ms: number, lo: number, hi: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.store.at(mid) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves rows [from, to) to the start of a store of `capacity` rows. */
  move(from: number, to: number, capacity: number): void {
    this.store.relayout(from, to, capacity);
  }
}
