/**
 * The sample times of the feature windows (window-set.ts) and of the verdict's means
 * (time-window-mean.ts), stored as narrowly as they stay exact: a fleet keeps a day of samples
 * per signal per device, so bytes per sample are most of the model's memory, and every time
 * read back is the time stored, bit for bit, so no feature or score moves. Their values live
 * in decimal-ring.ts.
 *
 * Addressed by ever-growing logical indices: index `i` is at `i − origin` of a store a little
 * bigger than the live positions [head, tail). When the tail reaches the store's end the owner
 * moves the live positions to its start (`compact`), into a store an eighth bigger than they
 * are when they fill more than eight ninths of it (`ringCapacity`). A ring that doubled held a
 * day of 1,441 one-minute samples in 2,048 positions; this holds them in about 1,620.
 *
 * Positions are computed as `(i − origin) | 0`: indices often arrive as doubles (the windows'
 * starts live in a Float64Array), and a typed array read at a double index took the feature
 * engine 40 % longer; `| 0` makes it an integer access, as `i & mask` did.
 */

const U32_MAX = 0xffff_ffff;

/**
 * The store size for `live` positions (plus the one about to be written) once a store of
 * `capacity` is full: the same when at most eight ninths of it are live, so moving them frees
 * at least a ninth (each position is moved at most nine times: amortised O(1)); else an
 * eighth above them.
 */
export function ringCapacity(live: number, capacity: number): number {
  return live * 9 > capacity * 8 ? Math.ceil(live * 1.125) + 1 : capacity;
}

/** A store of `size` (the same one when its size already is) holding `old`'s [from, to) at its start. */
export function compactStore<T extends Uint32Array | Int8Array | Int16Array | Int32Array | Float64Array>(old: T, size: number, from: number, to: number): T {
  if (old.length === size) {
    old.copyWithin(0, from, to);
    return old;
  }
  const next = new (old.constructor as new (n: number) => T)(size);
  next.set(old.subarray(from, to));
  return next;
}

/**
 * Timestamps in epoch ms. Whole milliseconds are kept as Uint32 offsets from a base at or
 * before every live one (49 days of span, so a day's window fits many times over); a time that
 * is not a whole millisecond, or a live span too long for 32 bits, widens the ring to Float64
 * for good.
 */
export class TimeRing {
  private u32: Uint32Array | null;
  private f64: Float64Array | null = null;
  private base = Number.NaN;
  /** The logical index at store position 0. */
  private origin = 0;

  constructor(size = 64) {
    this.u32 = new Uint32Array(size);
  }

  /** Positions the store holds. */
  get capacity(): number {
    return (this.u32 ?? this.f64)!.length;
  }

  at(i: number): number {
    const u = this.u32;
    return u ? this.base + u[(i - this.origin) | 0]! : this.f64![(i - this.origin) | 0]!;
  }

  /** Stores `t` at `i`; [head, i) are the live positions, read by `at` later. */
  set(i: number, t: number, head: number): void {
    const u = this.u32;
    if (u) {
      const offset = t - this.base;
      if (offset >= 0 && offset <= U32_MAX && Number.isInteger(offset)) {
        u[(i - this.origin) | 0] = offset;
        return;
      }
      this.rebase(head, i, t);
      if (this.u32) return;
    }
    this.f64![(i - this.origin) | 0] = t;
  }

  /** Moves the live positions [head, tail) to the start of a store of `size` positions. */
  compact(size: number, head: number, tail: number): void {
    const from = head - this.origin;
    const to = tail - this.origin;
    if (this.u32) this.u32 = compactStore(this.u32, size, from, to);
    else this.f64 = compactStore(this.f64!, size, from, to);
    this.origin = head;
  }

  /** Moves the base to the oldest of the live times and `t`, or widens when they do not fit. */
  private rebase(head: number, i: number, t: number): void {
    let base = t;
    for (let j = head; j < i; j++) base = Math.min(base, this.at(j));
    let fits = Number.isInteger(t - base) && t - base <= U32_MAX;
    for (let j = head; j < i && fits; j++) fits = this.at(j) - base <= U32_MAX;
    if (fits) {
      const u = this.u32!;
      for (let j = head; j < i; j++) u[(j - this.origin) | 0] = this.at(j) - base;
      this.base = base;
      u[(i - this.origin) | 0] = t - base;
      return;
    }
    const f = new Float64Array(this.capacity);
    for (let j = head; j < i; j++) f[(j - this.origin) | 0] = this.at(j);
    this.f64 = f;
    this.u32 = null;
  }
}
