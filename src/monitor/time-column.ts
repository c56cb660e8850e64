/**
 * The row times of a device buffer: epoch milliseconds held as Int32 offsets from a base (the
 * oldest row's time, moved forward as old rows go), 4 bytes a row instead of 8. A buffer spans
 * about a day, far inside the ±24 days an Int32 of milliseconds reaches. A time that is not a
 * whole millisecond or too far from the base turns the column into plain Float64, so every
 * time reads back exactly as written.
 */
const MAX_OFFSET = 2147483647;

export class TimeColumn {
  private offsets: Int32Array | undefined;
  private plain: Float64Array | undefined;
  private base = Number.NaN;

  constructor(capacity: number) {
    this.offsets = new Int32Array(capacity);
  }

  get capacity(): number {
    return (this.offsets ?? this.plain)!.length;
  }

  /** Bytes held (capacity × width). */
  bytes(): number {
    return (this.offsets ?? this.plain)!.byteLength;
  }

  /** Row `i`'s time, epoch ms. */
  get(i: number): number {
    return this.offsets ? this.base + this.offsets[i]! : this.plain![i]!;
  }

  /** Writes row `i` (rows [0, i) are in use). */
  set(i: number, ms: number): void {
    if (this.offsets) {
      if (i === 0 && Number.isSafeInteger(ms)) this.base = ms;
      // Whole milliseconds (as every portal's are) keep base + offset exact.
      const d = ms - this.base;
      if (Number.isSafeInteger(ms) && d <= MAX_OFFSET && d >= -MAX_OFFSET) {
        this.offsets[i] = d;
        return;
      }
      this.plain = this.read(0, this.offsets.length);
      this.offsets = undefined;
    }
    this.plain![i] = ms;
  }

  /** Rows [from, to) as epoch ms, into `out` (default a new array). */
  read(from: number, to: number, out = new Float64Array(to - from)): Float64Array {
    if (this.plain) {
      out.set(this.plain.subarray(from, to));
      return out;
    }
    const offsets = this.offsets!;
    for (let i = from; i < to; i++) out[i - from] = this.base + offsets[i]!;
    return out;
  }

  /** The first row in [lo, hi) whose time is at or after `ms` (hi when none): binary search. */
  lowerBound(ms: number, lo: number, hi: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.get(mid) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves rows [from, to) to the start of a store of `capacity` rows, the base to the first of them. */
  move(from: number, to: number, capacity: number): void {
    if (this.plain) {
      const out = capacity === this.plain.length ? this.plain : new Float64Array(capacity);
      if (out === this.plain) out.copyWithin(0, from, to);
      else out.set(this.plain.subarray(from, to));
      this.plain = out;
      return;
    }
    const src = this.offsets!;
    const shift = to > from ? src[from]! : 0;
    const out = capacity === src.length ? src : new Int32Array(capacity);
    for (let i = from; i < to; i++) out[i - from] = src[i]! - shift;
    this.offsets = out;
    this.base += shift;
  }
}
